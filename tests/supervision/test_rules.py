"""The supervision rules engine: examples and Hypothesis properties (no Flask)."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from learnhub.eligibility.rules import ELIGIBILITY_TYPES
from learnhub.eligibility.supervision import arrs_roles
from learnhub.supervision.rules import (
    CAPPED_KINDS,
    KINDS,
    REQUIREMENTS,
    Arrangement,
    Eligibility,
    Staff,
    Supervisor,
    check_arrangement,
    check_pcn,
    due_date,
    due_state,
    errors,
    is_valid_choice,
    need_for,
    qualifying_eligibility,
    supervisees_of,
)

TODAY = date(2026, 12, 1)
LATER = TODAY + timedelta(days=900)


def sup(user_id, *types, expires=LATER, revoked=False, active=True, line_managers=()):  # type: ignore[no-untyped-def]
    return Supervisor(
        user_id,
        f"Sup {user_id}",
        active,
        tuple(Eligibility(t, TODAY - timedelta(days=400), expires, 90, revoked) for t in types),
        frozenset(line_managers),
    )


def codes(problems):  # type: ignore[no-untyped-def]
    return [p.code for p in problems]


def test_every_arrs_role_has_a_row_and_every_qualifying_eligibility_exists() -> None:
    assert set(arrs_roles()) == set(REQUIREMENTS)
    for role, row in REQUIREMENTS.items():
        for need in row:
            assert need.kind in KINDS, role
            for q in need.qualifying or ():
                assert q in ELIGIBILITY_TYPES, (role, q)
                assert role in ELIGIBILITY_TYPES[q].covers, f"{q} does not cover {role}"


def test_clinical_pharmacist_needs_senior_monthly_gp_and_cpd() -> None:
    clinical = need_for("clinical_pharmacist", "clinical")
    assert clinical is not None
    assert clinical.every_months == 1
    assert clinical.ratio == 5
    assert need_for("clinical_pharmacist", "gp_clinical") is not None
    assert need_for("senior_clinical_pharmacist", "clinical").every_months == 3  # type: ignore[union-attr]


def test_an_eligible_supervisor_is_accepted() -> None:
    staff = Staff(1, "splw", user_id=100)
    problems = check_arrangement(
        Arrangement(1, 7, "clinical", TODAY), staff, sup(7, "personalised_care_supervisor"), [], {}, cap=5, today=TODAY
    )
    assert errors(problems) == []


def test_ineligible_supervisor_is_refused_with_the_rule_named() -> None:
    staff = Staff(1, "clinical_pharmacist", user_id=100)
    problems = check_arrangement(
        Arrangement(1, 7, "clinical", TODAY), staff, sup(7, "personalised_care_supervisor"), [], {}, cap=5, today=TODAY
    )
    assert codes(problems) == ["eligibility"]
    assert "Clinical pharmacist supervisor" in problems[0].message


def test_revoked_expired_and_not_yet_granted_do_not_qualify() -> None:
    staff = Staff(1, "splw")
    for s in (
        sup(7, "personalised_care_supervisor", revoked=True),
        sup(7, "personalised_care_supervisor", expires=TODAY),
    ):
        assert "eligibility" in codes(
            check_arrangement(Arrangement(1, 7, "clinical", TODAY), staff, s, [], {}, cap=5, today=TODAY)
        )
    early = Arrangement(1, 7, "clinical", TODAY - timedelta(days=500))
    assert "eligibility" in codes(
        check_arrangement(early, staff, sup(7, "personalised_care_supervisor"), [], {}, cap=5, today=TODAY)
    )


def test_eligibility_must_last_the_whole_period_and_warns_in_the_window() -> None:
    staff = Staff(1, "splw")
    soon = TODAY + timedelta(days=30)
    s = sup(7, "personalised_care_supervisor", expires=soon)
    fixed = Arrangement(1, 7, "clinical", TODAY, TODAY + timedelta(days=60))
    assert codes(check_arrangement(fixed, staff, s, [], {}, cap=5, today=TODAY)) == ["eligibility_period"]
    open_ended = Arrangement(1, 7, "clinical", TODAY)
    problems = check_arrangement(open_ended, staff, s, [], {}, cap=5, today=TODAY)
    assert codes(problems) == ["expiring"]
    assert errors(problems) == []


def test_no_self_supervision_and_not_own_line_manager() -> None:
    staff = Staff(1, "care_coordinator", user_id=7)
    assert "self" in codes(check_arrangement(Arrangement(1, 7, "day_to_day", TODAY), staff, sup(7), [], {}, cap=5, today=TODAY))
    boss = Staff(2, "care_coordinator", user_id=50)
    problems = check_arrangement(
        Arrangement(2, 8, "day_to_day", TODAY), boss, sup(8, line_managers=[50]), [], {}, cap=5, today=TODAY
    )
    assert codes(problems) == ["line_manager"]


def test_ratio_five_clinical_pharmacists_per_senior() -> None:
    senior = sup(7, "pharmacist_supervisor")
    existing = [Arrangement(i, 7, "clinical", TODAY, id=i) for i in range(1, 6)]
    roles = dict.fromkeys(range(1, 7), "clinical_pharmacist")
    problems = check_arrangement(
        Arrangement(6, 7, "clinical", TODAY), Staff(6, "clinical_pharmacist"), senior, existing, roles, cap=10, today=TODAY
    )
    assert codes(problems) == ["ratio"]
    assert "no more than 5" in problems[0].message


def test_hub_cap_counts_one_to_one_supervisees_only() -> None:
    gp = sup(7, "personalised_care_supervisor", "als_facilitator")
    existing = [Arrangement(i, 7, "clinical", TODAY, id=i) for i in range(1, 4)]
    existing += [Arrangement(i, 7, "group", TODAY, id=10 + i) for i in range(4, 9)]
    roles = dict.fromkeys(range(1, 10), "splw")
    assert len(supervisees_of(7, existing, TODAY)) == 3
    problems = check_arrangement(Arrangement(9, 7, "clinical", TODAY), Staff(9, "splw"), gp, existing, roles, cap=3, today=TODAY)
    assert codes(problems) == ["cap"]
    assert check_arrangement(Arrangement(9, 7, "group", TODAY), Staff(9, "splw"), gp, existing, roles, cap=3, today=TODAY) == []


def test_picker_offers_only_valid_people() -> None:
    staff = Staff(1, "clinical_pharmacist", user_id=5)
    assert is_valid_choice(sup(7, "pharmacist_supervisor"), staff, "clinical", TODAY)
    assert not is_valid_choice(sup(7, "gp_clinical_supervisor"), staff, "clinical", TODAY)
    assert not is_valid_choice(sup(7, "pharmacist_supervisor", active=False), staff, "clinical", TODAY)
    assert not is_valid_choice(sup(5), staff, "cpd", TODAY)
    assert is_valid_choice(sup(6), staff, "cpd", TODAY)


def test_due_dates_and_states() -> None:
    start = date(2026, 1, 31)
    assert due_date(1, start, []) == date(2026, 2, 28)
    assert due_date(1, start, [date(2026, 3, 10)]) == date(2026, 4, 10)
    assert due_date(None, start, []) is None
    assert due_state(1, start, [], date(2026, 3, 1)).state == "overdue"
    assert due_state(1, start, [], date(2026, 2, 20)).state == "due_soon"
    assert due_state(3, start, [], date(2026, 2, 1)).state == "ok"


def test_pcn_report_missing_overdue_over_cap_flagged_and_gaps() -> None:
    staff = [Staff(i, "splw") for i in range(1, 10)] + [Staff(20, "clinical_pharmacist")]
    gp = sup(7, "personalised_care_supervisor")
    gone = sup(8, "pharmacist_supervisor", revoked=True)
    arrangements = [Arrangement(1, 7, "clinical", TODAY - timedelta(days=10), id=1)]
    arrangements += [Arrangement(20, 8, "clinical", TODAY - timedelta(days=100), id=2)]
    report = check_pcn(staff, arrangements, {7: gp, 8: gone}, {}, cap=5, today=TODAY)
    assert (2, "clinical") in report.missing
    assert (1, "clinical") not in report.missing
    assert 2 in report.flagged
    assert 2 in report.overdue
    splw_gap = next(g for g in report.gaps if g.qualifying == frozenset({"personalised_care_supervisor"}))
    # 8 SPLWs uncovered; the GP has 4 spare places at a cap of 5, so one more GP covers the other 4.
    assert splw_gap.uncovered["splw"] == 8
    assert splw_gap.more == 1
    assert "1 more" in splw_gap.sentence()
    assert "8 social prescribing link workers" in splw_gap.sentence()


# --- properties ---------------------------------------------------------------------------------

ROLES = sorted(REQUIREMENTS)
TYPES = sorted(ELIGIBILITY_TYPES)


@st.composite
def worlds(draw):  # type: ignore[no-untyped-def]
    n_sup = draw(st.integers(1, 6))
    supervisors = {}
    for uid in range(100, 100 + n_sup):
        elig = tuple(
            Eligibility(
                t,
                TODAY - timedelta(days=draw(st.integers(-30, 400))),
                TODAY + timedelta(days=draw(st.integers(-30, 900))),
                90,
                draw(st.booleans()),
            )
            for t in draw(st.lists(st.sampled_from(TYPES), max_size=3, unique=True))
        )
        managers = frozenset(draw(st.lists(st.integers(1, 12), max_size=2)))
        supervisors[uid] = Supervisor(uid, f"S{uid}", draw(st.booleans()), elig, managers)
    staff = [
        Staff(i, draw(st.sampled_from(ROLES)), user_id=draw(st.one_of(st.none(), st.just(i), st.sampled_from(list(supervisors)))))
        for i in range(1, draw(st.integers(1, 12)) + 1)
    ]
    attempts = draw(
        st.lists(
            st.tuples(
                st.sampled_from([s.id for s in staff]),
                st.sampled_from(list(supervisors)),
                st.sampled_from(list(KINDS)),
                st.integers(-60, 60),
                st.one_of(st.none(), st.integers(0, 800)),
            ),
            max_size=40,
        )
    )
    cap = draw(st.integers(1, 6))
    return supervisors, staff, attempts, cap


@settings(max_examples=150, deadline=None)
@given(worlds())
def test_no_arrangement_the_engine_accepts_breaks_a_rule(world) -> None:  # type: ignore[no-untyped-def]
    supervisors, staff, attempts, cap = world
    by_id = {s.id: s for s in staff}
    roles = {s.id: s.role for s in staff}
    accepted: list[Arrangement] = []
    for staff_id, sup_id, kind, offset, length in attempts:
        start = TODAY + timedelta(days=offset)
        proposed = Arrangement(
            staff_id, sup_id, kind, start, None if length is None else start + timedelta(days=length), id=len(accepted) + 1
        )
        if not errors(check_arrangement(proposed, by_id[staff_id], supervisors[sup_id], accepted, roles, cap=cap, today=TODAY)):
            accepted.append(proposed)
    for a in accepted:
        s, person = supervisors[a.supervisor_id], by_id[a.staff_id]
        need = need_for(person.role, a.kind)
        assert need is not None
        assert s.active
        assert person.user_id != s.user_id
        assert person.user_id is None or person.user_id not in s.line_managers
        if need.qualifying is not None:
            e = qualifying_eligibility(s, need, a.start)
            assert e is not None
            assert not e.revoked
            assert e.granted_on <= a.start < e.expires_on
            assert a.end is None or a.end < e.expires_on
    # On every day an accepted arrangement starts, nobody is over the cap or a ratio.
    for day in {a.start for a in accepted}:
        for sup_id in supervisors:
            assert len(supervisees_of(sup_id, accepted, day)) <= cap
            for a in accepted:
                need = need_for(roles[a.staff_id], a.kind)
                if a.supervisor_id == sup_id and need is not None and need.ratio is not None and a.current_on(day):
                    peers = {
                        b.staff_id
                        for b in accepted
                        if b.supervisor_id == sup_id
                        and b.kind == a.kind
                        and roles[b.staff_id] == roles[a.staff_id]
                        and b.current_on(day)
                    }
                    assert len(peers) <= need.ratio
    report = check_pcn(staff, accepted, supervisors, {}, cap=cap, today=TODAY)
    assert report.over_cap == {} or any(a.start > TODAY for a in accepted)
    assert all(a.kind in KINDS for a in accepted)
    assert CAPPED_KINDS <= set(KINDS)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([1, 3, 6]),
    st.dates(date(2024, 1, 1), date(2027, 1, 1)),
    st.lists(st.dates(date(2024, 1, 1), date(2028, 1, 1)), max_size=8),
    st.dates(date(2024, 1, 1), date(2028, 1, 1)),
)
def test_due_date_is_monotone_in_logged_sessions(every, start, sessions, extra) -> None:  # type: ignore[no-untyped-def]
    before = due_date(every, start, sessions)
    after = due_date(every, start, [*sessions, extra])
    assert before is not None
    assert after is not None
    assert after >= before
    assert before > start


def test_deactivated_or_expired_supervisor_is_flagged_and_the_need_counts_as_missing() -> None:
    staff = [Staff(1, "splw"), Staff(2, "splw")]
    arrangements = [Arrangement(1, 7, "clinical", TODAY, id=1), Arrangement(2, 8, "clinical", TODAY, id=2)]
    supervisors = {
        7: sup(7, "personalised_care_supervisor", active=False),
        8: sup(8, "personalised_care_supervisor", expires=TODAY - timedelta(days=1)),
    }
    report = check_pcn(staff, arrangements, supervisors, {}, cap=5, today=TODAY)
    assert sorted(report.flagged) == [1, 2]
    assert (1, "clinical") in report.missing
    assert (2, "clinical") in report.missing


def test_lapsing_within_the_horizon() -> None:
    staff = [Staff(1, "splw")]
    supervisors = {7: sup(7, "personalised_care_supervisor", expires=TODAY + timedelta(days=30))}
    report = check_pcn(staff, [Arrangement(1, 7, "clinical", TODAY, id=1)], supervisors, {}, cap=5, today=TODAY)
    assert report.lapsing == [1]
    assert report.flagged == []
