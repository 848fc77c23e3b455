"""Survey anonymity (issue 12): safe slices, differencing across every requestable view, derived figures."""

import csv
import io
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnhub.evaluation import analysis, services
from learnhub.evaluation.analysis.queries import Aggregates, PairAggregates
from learnhub.evaluation.analysis.slices import EVERYONE, quarter_of, withheld_views
from learnhub.evaluation.models import AGREEMENT, POST, PRE, RATING, Attachment, Instrument, Item, Response
from learnhub.evaluation.services import aggregates
from learnhub.extensions import db
from learnhub.organisations.models import Pcn
from learnhub.roles import HubRole
from learnhub.suppression import MASK

THRESHOLD = 8
MONTHS = ["2026-09", "2026-10", "2026-11", "2027-01"]

person = st.fixed_dictionaries(
    {
        "attachment": st.sampled_from([0, 1]),
        "subgroup": st.sampled_from(["a", "b", None]),
        "role": st.sampled_from(["gp", "nurse", None]),
        "pcn": st.sampled_from([0, 1, None]),
        "pre": st.sampled_from([None, *MONTHS]),
        "post": st.sampled_from([None, *MONTHS]),
    }
)


#: Respondents in groups of alike people (1 to 12 each), so that views of 8 or more people that
#: differ by a few — a month and its quarter, a PCN and a role — are common, not rare: with
#: independent people alone, 300 examples did not find the sibling-view case.
crowd = st.lists(st.tuples(person, st.integers(1, 12)), max_size=8).map(lambda groups: [p for p, n in groups for _ in range(n)])


def _in_view(p: dict, when: str, view: tuple) -> bool:
    """Whether one response (``when`` its month) is in a view — written independently of the code."""
    kind, value = view
    return {
        "everyone": True,
        "attachment": p["attachment"] == value,
        "subgroup": p["subgroup"] == value,
        "role": p["role"] == value,
        "pcn": p["pcn"] == value,
        "period": when == value or quarter_of(when) == value,
    }[kind]


def _groups(people: list[dict]) -> dict[str, list]:
    """Per published count, the units counted: (person index, month(s))."""
    return {
        "pre": [(i, p["pre"]) for i, p in enumerate(people) if p["pre"]],
        "post": [(i, p["post"]) for i, p in enumerate(people) if p["post"]],
        "matched": [(i, (p["pre"], p["post"])) for i, p in enumerate(people) if p["pre"] and p["post"]],
    }


def _members(people: list[dict], name: str, units: list, view: tuple) -> set[int]:
    if name == "matched":
        return {i for i, (m1, m2) in units if _in_view(people[i], m1, view) and _in_view(people[i], m2, view)}
    return {i for i, month in units if _in_view(people[i], month, view)}


def _all_views() -> list[tuple]:
    periods = MONTHS + sorted({quarter_of(m) for m in MONTHS})
    return (
        [EVERYONE]
        + [("attachment", a) for a in (0, 1)]
        + [("subgroup", s) for s in "ab"]
        + [("role", r) for r in ("gp", "nurse")]
        + [("pcn", k) for k in (0, 1)]
        + [("period", p) for p in periods]
    )


def _check_no_shown_pair_differs_by_a_few(people: list[dict], withheld: dict) -> None:
    shown = [v for v in _all_views() if v not in withheld]
    assert EVERYONE in shown
    for name, units in _groups(people).items():
        sets = {v: _members(people, name, units, v) for v in shown}
        # Only the results for everyone may have 1 to 7 people in a count: its figures are then
        # all suppressed (not published), so it cannot be subtracted from anything.
        published = [v for v in shown if not 0 < len(sets[v]) < THRESHOLD]
        assert set(shown) - set(published) <= {EVERYONE}
        for v in published:
            for w in published:
                apart = len(sets[v] ^ sets[w])
                assert not 0 < apart < THRESHOLD, (name, v, w, apart)


def _cells(people: list[dict]) -> dict[str, list]:
    """Cells for the pure rule: one per counted unit, with the views it belongs to."""
    out = {}
    for name, units in _groups(people).items():
        out[name] = [(frozenset(v for v in _all_views() if i in _members(people, name, [(i, when)], v)), 1) for i, when in units]
    return out


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(person, max_size=60), crowd))
def test_no_two_shown_views_differ_by_one_to_seven_people(people):
    """The pure rule over generated respondents: every pair of shown views, sibling slices included."""
    withheld = withheld_views(_cells(people), _all_views(), THRESHOLD)
    _check_no_shown_pair_differs_by_a_few(people, withheld)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(crowd.filter(lambda people: 5 <= len(people) <= 70))
def test_the_database_rule_shows_no_two_views_differing_by_a_few(app, make_hub, people):
    """The same property through the SQL cells (SQLite and PostgreSQL), months from submission times."""
    with app.app_context():
        hub = make_hub()
        instrument = services.create_instrument(hub, "Property", "", [{"title": "S", "items": []}])
        window = {"pre": (datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))}
        attachments = [services.attach(instrument, "hub", hub, f"A{k}", window).id for k in (0, 1)]
        pcns = [Pcn(hub_id=hub, name=f"PCN {k} {uuid.uuid4().hex}") for k in (0, 1)]  # one hub for every example
        db.session.add_all(pcns)
        db.session.flush()
        for i, p in enumerate(people):
            for tp in ("pre", "post"):
                if p[tp]:
                    year, month = map(int, p[tp].split("-"))
                    db.session.add(
                        Response(
                            attachment_id=attachments[p["attachment"]],
                            timepoint=tp,
                            respondent_key=f"key-{i}",
                            status=Response.SUBMITTED,
                            subgroup=p["subgroup"],
                            professional_role=p["role"],
                            pcn_id=None if p["pcn"] is None else pcns[p["pcn"]].id,
                            submitted_at=datetime(year, month, 1 + i % 27, 12, tzinfo=UTC),
                        )
                    )
        aggregates.rebuild(instrument)  # rows added behind the service's back
        db.session.commit()
        withheld = analysis.withheld(instrument, THRESHOLD)
        # Translate the database's attachment ids back to the generated indexes.
        index = {("attachment", aid): ("attachment", k) for k, aid in enumerate(attachments)}
        index |= {("pcn", pcn.id): ("pcn", k) for k, pcn in enumerate(pcns)}
        withheld = {index.get(v, v): r for v, r in withheld.items()}
        _check_no_shown_pair_differs_by_a_few(people, withheld)


def _respond(attachment_id: int, key: str, when: datetime, role: str = "gp") -> Response:
    return Response(
        attachment_id=attachment_id,
        timepoint=PRE,
        respondent_key=key,
        status=Response.SUBMITTED,
        professional_role=role,
        submitted_at=when,
    )


def test_free_date_ranges_cannot_single_out_people(client, auth, app, make_hub, make_user, make_survey, course_invitees):
    """Regression: ?date_from=2026-10-01 and ?date_from=2026-10-02 were both shown and differed by 3 people."""
    hub = make_hub()
    admin = make_user(hub_id=hub, hub_role=HubRole.HUB_ADMIN.value)
    survey = make_survey(hub)
    with app.app_context():
        for i in range(10):
            db.session.add(_respond(survey["attachment_id"], f"sep-{i}", datetime(2026, 9, 15, 12, tzinfo=UTC)))
        for i in range(3):
            db.session.add(_respond(survey["attachment_id"], f"oct1-{i}", datetime(2026, 10, 1, 12, tzinfo=UTC)))
        for i in range(10):
            db.session.add(_respond(survey["attachment_id"], f"oct5-{i}", datetime(2026, 10, 5, 12, tzinfo=UTC)))
        aggregates.rebuild(db.session.get(Instrument, survey["instrument_id"]))  # rows added behind the service's back
        db.session.commit()
    auth.login_as(admin)
    url = f"/evaluation/instruments/{survey['instrument_id']}/results.csv"

    def answered_before(query: str) -> str:
        rows = list(csv.reader(io.StringIO(client.get(url + query).get_data(as_text=True))))
        return next(r[4] for r in rows if r[:4] == ["Response rates", "", "Answered before", "Number"])

    first, second = answered_before("?date_from=2026-10-01"), answered_before("?date_from=2026-10-02")
    assert first == second == "23"  # free dates are not a filter: both are everyone's results
    # Calendar slices: October (13) and Q4 (13) match; September (10) and Q3 are shown too.
    assert answered_before("?period=2026-10") == "13"
    assert answered_before("?period=2026-09") == "10"
    page = client.get(f"/evaluation/instruments/{survey['instrument_id']}/results").get_data(as_text=True)
    assert 'name="date_from"' not in page
    assert 'value="2026-Q4"' in page
    assert "October to December 2026" in page


def test_a_month_differing_from_its_quarter_by_a_few_is_withheld(client, auth, app, make_hub, make_user, make_survey):
    hub = make_hub()
    admin = make_user(hub_id=hub, hub_role=HubRole.HUB_ADMIN.value)
    survey = make_survey(hub)
    with app.app_context():
        for i in range(10):
            db.session.add(_respond(survey["attachment_id"], f"oct-{i}", datetime(2026, 10, 10, tzinfo=UTC)))
        for i in range(3):
            db.session.add(_respond(survey["attachment_id"], f"nov-{i}", datetime(2026, 11, 10, tzinfo=UTC)))
        for i in range(10):
            db.session.add(_respond(survey["attachment_id"], f"jan-{i}", datetime(2027, 1, 10, tzinfo=UTC)))
        instrument = db.session.get(Instrument, survey["instrument_id"])
        aggregates.rebuild(instrument)  # rows added behind the service's back
        db.session.commit()
        withheld = analysis.withheld(instrument, 8)
    assert ("period", "2026-11") in withheld  # 3 people
    assert ("period", "2026-10") in withheld  # Q4 minus October = the 3 November people
    assert ("period", "2026-Q4") in withheld
    assert ("period", "2027-01") not in withheld  # January = Q1 2027 exactly; 13 left out of everyone
    assert EVERYONE not in withheld
    auth.login_as(admin)
    page = client.get(f"/evaluation/instruments/{survey['instrument_id']}/free-text?period=2026-10").get_data(as_text=True)
    assert "Comments not shown for these filters" in page


def _item(kind: str) -> Item:
    return Item(id=1, kind=kind, text="Q", asked_at="pre", core=False, retired=False, reverse_scored=False)


def _wave(kind: str, counts: dict[int, int]):
    agg = Aggregates(
        invited=0,
        per_wave={PRE: sum(counts.values())},
        distribution={(PRE, 1): counts},
        respondents={(PRE, 1): sum(counts.values())},
        matched=PairAggregates(0, {}, (0, None, None, None, None)),
    )
    results = analysis.build(SimpleNamespace(id=1), [_item(kind)], agg, 8)
    return results.items[0].waves[PRE]


def test_agreement_share_is_hidden_when_its_cells_are():
    """Regression: "Agree or strongly agree" showed 17% of 12 (= 2 people) while both its cells were *."""
    wave = _wave(AGREEMENT, {3: 10, 4: 1, 5: 1})
    assert wave.counts[3] == wave.counts[4] == MASK
    assert wave.agree_percent == MASK
    # All cells hidden: no share or percentage either (the median stays, as the lower median: 2.5
    # would say that exactly 6 answered 2 or less).
    wave = _wave(AGREEMENT, {1: 3, 2: 3, 3: 3, 4: 3})
    assert wave.agree_percent == MASK
    assert wave.median == 2.0
    assert [p for p, c in zip(wave.percentages, wave.counts, strict=True) if c == MASK] == [MASK] * 4
    # Every cell shown: the share is shown.
    assert _wave(AGREEMENT, {2: 8, 4: 8, 5: 8}).agree_percent == 67


def test_means_from_hidden_cells_are_hidden():
    # 10 people answered 1 and 5 people 2 or 3: with the mean and n one could solve for the hidden cells.
    wave = _wave(RATING, {1: 10, 2: 2, 3: 3})
    assert MASK in wave.counts
    assert wave.mean == MASK
    assert _wave(RATING, {1: 10, 2: 8}).mean == 1.4


def _change(differences: dict[int, int], kind: str = AGREEMENT, reverse: bool = False):
    item = Item(id=1, kind=kind, text="Q", asked_at="pre,post", core=False, retired=False, reverse_scored=reverse)
    return analysis.build(SimpleNamespace(id=1), [item], _aggregates_for(differences), THRESHOLD).items[0]


def test_wilcoxon_figures_that_would_reveal_hidden_direction_counts_are_hidden():
    """Regression: with 35 improved shown and 2 unchanged and 3 worsened hidden, W = 58.5 and
    r = 0.84 were shown; W / (1 - r) * 2 = 741 = 38 * 39 / 2 gives 38 changed, so 2 unchanged."""
    result = _change({1: 35, 0: 2, -1: 3})
    change = result.change
    assert change.direction_counts(False, THRESHOLD) == [35, MASK, MASK]
    assert change.w_statistic == change.p_value == change.rank_biserial == change.method == MASK
    assert change.median_change == 1.0
    assert "not shown" in result.change_text
    assert "58.5" not in result.change_text
    assert "0.84" not in result.change_text
    # The same figures in the export (CSV and XLSX read the same results).
    from learnhub.evaluation import tables

    res = analysis.build(SimpleNamespace(id=1), [result.item], _aggregates_for({1: 35, 0: 2, -1: 3}), THRESHOLD)
    rows = {r[2]: r[4] for r in tables.csv_rows(res, "Survey", []) if r[0] == "Matched change"}
    assert rows["Wilcoxon W"] == rows["Wilcoxon p-value"] == rows["Rank-biserial r"] == MASK
    # Every direction count shown: the test is shown.
    shown = _change({1: 30, 0: 10, -1: 10}).change
    assert shown.w_statistic == 205.0
    assert isinstance(shown.p_value, float)


def _aggregates_for(differences: dict[int, int]) -> Aggregates:
    pairs = sum(differences.values())
    return Aggregates(
        invited=0,
        per_wave={PRE: pairs, POST: pairs},
        distribution={},
        respondents={},
        matched=PairAggregates(pairs, {1: differences}, (0, None, None, None, None)),
    )


def test_a_median_between_two_answers_is_not_shown_when_counts_are_hidden():
    """A median of 2.5 for 12 people says exactly 6 answered 2 or less (hidden cells' sum):
    with hidden counts the lower median (an answer given) is shown; it only bounds the counts."""
    assert _wave(AGREEMENT, {1: 3, 2: 3, 3: 3, 4: 3}).median == 2.0
    assert _wave(AGREEMENT, {1: 8, 2: 8, 3: 8, 4: 8}).median == 2.5  # nothing hidden: the usual median
    # Matched change: 6 up, 3 same, 3 down (all hidden) had median 0.5, i.e. exactly 6 improved.
    assert _change({1: 6, 0: 3, -1: 3}).change.median_change == 0.0


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.integers(-4, 4), st.integers(0, 30), min_size=1), st.booleans())
def test_no_published_change_figure_rests_on_a_hidden_direction_count(differences, reverse):
    """Whenever improved, unchanged or worsened is hidden, W, p, r and the method are too, and the
    median change is one of the differences observed (never halfway between two)."""
    result = _change(differences, reverse=reverse)
    change = result.change
    if change is None:
        assert sum(differences.values()) < THRESHOLD
        return
    if MASK in change.direction_counts(reverse, THRESHOLD):
        assert change.w_statistic == change.p_value == change.rank_biserial == change.method == MASK
        assert change.median_change in {float(d) for d, n in differences.items() if n}
    else:
        assert change.p_value != MASK


def test_no_page_shows_hub_admins_per_person_survey_times(client, auth, app, make_hub, make_user, make_survey, course_invitees):
    """Survey completion is recorded (audited) but not listed per person, with times, to hub admins."""
    from learnhub.accounts.models import User
    from learnhub.audit import Action, AuditEvent
    from tests.evaluation.test_services import full

    hub = make_hub()
    admin = make_user(hub_id=hub, hub_role=HubRole.HUB_ADMIN.value)
    learner = make_user(hub_id=hub, name="Ffion Respondent")
    survey = make_survey(hub)
    course_invitees[101] = [(learner, None)]
    with app.app_context():
        attachment = db.session.get(Attachment, survey["attachment_id"])
        services.save_response(db.session.get(User, learner), attachment, PRE, full(survey["items"], PRE), submit=True)
        db.session.commit()
        assert db.session.scalar(
            db.select(db.func.count()).select_from(AuditEvent).where(AuditEvent.action == Action.EVALUATION_RESPONSE_SUBMITTED)
        )
    auth.login_as(admin)
    for path in ("/hub/audit", "/hub/audit?action=evaluation.response_submitted", "/evaluation/instruments"):
        page = client.get(path).get_data(as_text=True)
        assert "Ffion Respondent" not in page
    page = client.get(f"/evaluation/instruments/{survey['instrument_id']}").get_data(as_text=True)
    assert "Ffion Respondent" not in page
