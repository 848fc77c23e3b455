"""Re-planning after changes (issue 16): exactly the assignments a change broke are reassigned."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnhub.als.rotation import CO, LEAD, Assignment, Facilitator, Slot, needing_cover, plan_facilitators, replan

T0 = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)  # a Monday


def slot(sid: int, group: int, day: int, hour: int = 10, minutes: int = 90) -> Slot:
    start = T0 + timedelta(days=day, hours=hour - 10)
    return Slot(sid, group, start, start + timedelta(minutes=minutes))


def test_unavailability_after_planning_marks_and_reassigns_only_those_sessions():
    slots = [slot(10 * g + i, g, 7 * i + g) for g in (1, 2) for i in range(6)]
    pool = [Facilitator(1), Facilitator(2), Facilitator(3)]
    first = plan_facilitators(slots, pool, {})
    now = T0 + timedelta(days=10)
    # Facilitator of group 1's session on day 15 says they are away that week.
    target = next(s for s in slots if s.start.date() == (T0 + timedelta(days=15)).date())
    person = first.assignments[target.id].lead
    away = (target.start.date() - timedelta(days=1), target.start.date() + timedelta(days=1))
    changed = [Facilitator(f.id, (away,)) if f.id == person else f for f in pool]
    assert needing_cover(slots, changed, {}, first.assignments, now) == {(target.id, LEAD)}
    after = replan(slots, changed, {}, first.assignments, now)
    assert after.assignments[target.id].lead not in (None, person)
    moved = {sid for sid in first.assignments if after.assignments[sid] != first.assignments[sid]}
    assert moved == {target.id}


def test_withdrawn_and_unavailable_in_the_past_are_never_changed():
    slots = [slot(1, 1, 0), slot(2, 1, 7)]
    current = {1: Assignment(5), 2: Assignment(5)}
    now = T0 + timedelta(days=3)
    assert needing_cover(slots, [Facilitator(6)], {}, current, now) == {(2, LEAD)}
    plan = replan(slots, [Facilitator(6)], {}, current, now)
    assert plan.assignments[1] == Assignment(5)
    assert plan.assignments[2] == Assignment(6)


def test_a_member_of_the_set_is_taken_off_its_future_sessions():
    slots = [slot(1, 1, 0), slot(2, 1, 7), slot(3, 2, 7)]
    current = {1: Assignment(1), 2: Assignment(1), 3: Assignment(2)}
    pool = [Facilitator(1), Facilitator(2), Facilitator(3)]
    now = T0 + timedelta(days=1)
    assert needing_cover(slots, pool, {1: [1]}, current, now) == {(2, LEAD)}
    plan = replan(slots, pool, {1: [1]}, current, now)
    assert plan.assignments[2].lead == 3  # 2 is booked at the same time for set 2
    assert plan.assignments[3] == Assignment(2)


# --- property: any sequence of changes, then a re-plan ----------------------------------------------

GROUPS = (1, 2, 3)
PEOPLE = (1, 2, 3, 4, 5)

change = st.one_of(
    st.tuples(st.just("unavailable"), st.sampled_from(PEOPLE), st.integers(0, 80), st.integers(0, 6)),
    st.tuples(st.just("withdraw"), st.sampled_from(PEOPLE)),
    st.tuples(st.just("move"), st.integers(0, 100), st.integers(0, 90), st.sampled_from([9, 10, 11, 14])),
    st.tuples(st.just("join"), st.sampled_from(PEOPLE), st.sampled_from(GROUPS)),
)


def _violations(slots, pool, members, plan, now):  # type: ignore[no-untyped-def]
    by_id = {f.id: f for f in pool}
    problems = []
    for s in slots:
        if s.start <= now:
            continue
        a = plan.assignments.get(s.id, Assignment())
        if a.lead is not None and a.lead == a.co:
            problems.append((s.id, "same person twice"))
        for person in a.people():
            f = by_id.get(person)
            if f is None:
                problems.append((s.id, person, "not in the pool"))
            elif not f.available_on(s.start.date()):
                problems.append((s.id, person, "unavailable"))
            if person in members.get(s.group_id, ()):
                problems.append((s.id, person, "member of the set"))
            for other in slots:
                if other.id != s.id and other.overlaps(s) and person in plan.assignments.get(other.id, Assignment()).people():
                    problems.append((s.id, other.id, person, "double-booked"))
    return problems


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_sessions=st.integers(2, 6),
    co=st.booleans(),
    continuity=st.booleans(),
    changes=st.lists(change, max_size=8),
    now_day=st.integers(0, 60),
)
def test_after_any_changes_a_replan_breaks_no_rule_and_moves_no_valid_assignment(n_sessions, co, continuity, changes, now_day):
    slots = [slot(100 * g + i, g, 14 * i + g, hour=10) for g in GROUPS for i in range(n_sessions)]
    pool = {p: Facilitator(p) for p in PEOPLE}
    members: dict[int, list[int]] = {g: [] for g in GROUPS}
    now = T0 + timedelta(days=now_day, hours=12)
    current = plan_facilitators(slots, list(pool.values()), members, co_facilitation=co, continuity=continuity).assignments
    for c in changes:
        if c[0] == "unavailable":
            _, person, start, length = c
            if person in pool:
                first = (T0 + timedelta(days=start)).date()
                pool[person] = Facilitator(person, (*pool[person].unavailable, (first, first + timedelta(days=length))))
        elif c[0] == "withdraw":
            pool.pop(c[1], None)
        elif c[0] == "move":
            _, index, day, hour = c
            s = slots[index % len(slots)]
            new_start = T0 + timedelta(days=day, hours=hour - 10)
            if s.start > now and new_start > now:  # past sessions never move, nor into the past
                slots[index % len(slots)] = Slot(s.id, s.group_id, new_start, new_start + (s.end - s.start))
        else:
            members[c[2]].append(c[1])
    facilitators = list(pool.values())
    broken = needing_cover(slots, facilitators, members, current, now)
    # Only bookings that really break a rule are marked (so "not marked" below means "valid").
    for sid, role in broken:
        s = next(sl for sl in slots if sl.id == sid)
        person = getattr(current[sid], role)
        assert s.start > now
        assert person is not None
        assert (
            person not in pool
            or not pool[person].available_on(s.start.date())
            or person in members.get(s.group_id, ())
            or any(o.id != sid and o.overlaps(s) and person in current.get(o.id, Assignment()).people() for o in slots)
        ), (sid, role, person)
    plan = replan(slots, facilitators, members, current, now, co_facilitation=co, continuity=continuity)
    assert _violations(slots, facilitators, members, plan, now) == []
    for s in slots:
        before, after = current.get(s.id, Assignment()), plan.assignments.get(s.id, Assignment())
        if s.start <= now:
            assert after == before  # the past never changes
            continue
        for role, was, now_is in ((LEAD, before.lead, after.lead), (CO, before.co, after.co)):
            if was is not None and (s.id, role) not in broken:
                assert now_is == was, (s.id, role)  # a valid assignment never moves


def test_unavailable_range_is_inclusive():
    f = Facilitator(1, ((date(2027, 2, 18), date(2027, 2, 20)),))
    assert not f.available_on(date(2027, 2, 20))
    assert f.available_on(date(2027, 2, 21))
