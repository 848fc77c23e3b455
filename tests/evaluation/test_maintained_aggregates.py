"""The aggregate tables kept with every submission (issue 15): equal to a rebuild from the answers,
and the results read from them equal the results of the GROUP BY queries on the raw answers.

Random people save drafts, submit, edit their submitted answers (also after changing their role,
PCN or cohort), and are erased; after every run the maintained tables must equal the counts
recomputed from the answers, and every view a hub can request must give the same aggregates
and differencing cells from the tables as from the raw answers.
"""

import csv
import io
import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from learnhub.accounts.models import User
from learnhub.evaluation import analysis, services
from learnhub.evaluation.analysis import differencing, queries
from learnhub.evaluation.models import (
    AGGREGATE_MODELS,
    AGREEMENT,
    FOLLOW_UP,
    FREE_TEXT,
    MULTIPLE,
    POST,
    PRE,
    RATING,
    SINGLE,
    Attachment,
    Instrument,
    Response,
)
from learnhub.evaluation.services import aggregates
from learnhub.evaluation.services.common import SurveyProblem
from learnhub.extensions import db
from learnhub.organisations.models import Pcn
from learnhub.privacy.erasure import erase_user
from learnhub.roles import HubRole

EVERY_WAVE = "pre,post,follow_up"
SECTIONS = [
    {
        "title": "Scales",
        "items": [
            {"kind": AGREEMENT, "text": "Confident", "core": True, "asked_at": EVERY_WAVE},
            {"kind": AGREEMENT, "text": "Isolated", "core": True, "reverse_scored": True, "asked_at": EVERY_WAVE},
            {"kind": RATING, "text": "Stress", "core": True, "reverse_scored": True, "required": False, "asked_at": EVERY_WAVE},
            {"kind": RATING, "text": "Satisfied", "required": False, "asked_at": EVERY_WAVE},
        ],
    },
    {
        "title": "Choices",
        "items": [
            {"kind": SINGLE, "text": "Supervise?", "options": ["Yes", "No", "Not sure"], "asked_at": "post,follow_up"},
            {"kind": MULTIPLE, "text": "Support", "options": ["1:1", "Group", "Peer"], "required": False, "asked_at": EVERY_WAVE},
            {"kind": FREE_TEXT, "text": "Comments", "required": False, "asked_at": EVERY_WAVE},
        ],
    },
]
COURSES = (201, 202)
START = datetime(2026, 1, 2, 9, tzinfo=UTC)
PEOPLE = 7

person = st.integers(0, PEOPLE - 1)
operation = st.one_of(
    st.tuples(
        st.just("save"),
        person,
        st.integers(0, len(COURSES) - 1),
        st.sampled_from([PRE, PRE, POST, POST, FOLLOW_UP]),
        st.sampled_from([True, True, True, False]),
        st.integers(0, 420),
        st.integers(0, 10**6),
    ),
    st.tuples(
        st.just("profile"),
        person,
        st.sampled_from(["gp", "nurse", "pharmacist"]),
        st.integers(0, 2),
        st.sampled_from(["A", "B", None]),
    ),
    st.tuples(st.just("erase"), person),
)


def _answers(attachment: Attachment, timepoint: str, seed: int, submit: bool) -> dict:
    rng = random.Random(seed)
    out: dict = {}
    for item in services.asked_items(attachment, timepoint):
        if (not submit or not item.required) and rng.random() < 0.3:
            continue
        if item.kind == AGREEMENT:
            out[item.id] = rng.randint(1, 5)
        elif item.kind == RATING:
            out[item.id] = rng.randint(0, 10)
        elif item.kind == SINGLE:
            out[item.id] = rng.randint(1, 3)
        elif item.kind == MULTIPLE:
            out[item.id] = rng.sample([1, 2, 3], rng.randint(1, 3))
        else:
            out[item.id] = rng.choice(["Useful", "Too long", "  ", "More please"])
    return out


def _setup(make_hub, make_user, roster) -> dict:
    hub = make_hub()
    admin = make_user(hub_id=hub, hub_role=HubRole.HUB_ADMIN.value)
    people = [make_user(hub_id=hub, professional_role="gp") for _ in range(PEOPLE)]
    instrument = services.create_instrument(hub, "Random", "", SECTIONS)
    window = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    for course in COURSES:
        services.attach(instrument, "course", course, f"Course {course}", {PRE: window, POST: window, FOLLOW_UP: window})
        roster[course] = [(uid, "A") for uid in people]
    pcns = [None] + [Pcn(hub_id=hub, name=f"Random PCN {k}-{hub}") for k in (1, 2)]
    db.session.add_all(pcns[1:])
    db.session.commit()
    return {
        "hub": hub,
        "admin": admin,
        "people": people,
        "instrument": instrument.id,
        "pcns": [p.id if p else None for p in pcns],
    }


def _run(ops: list, world: dict, roster) -> None:
    instrument = db.session.get(Instrument, world["instrument"])
    attachments = list(instrument.attachments)
    erased: set[int] = set()
    for op in ops:
        uid = world["people"][op[1]]
        if uid in erased:
            continue
        user = db.session.get(User, uid)
        if op[0] == "save":
            _, _, which, timepoint, submit, day, seed = op
            attachment = attachments[which]
            try:
                services.save_response(
                    user,
                    attachment,
                    timepoint,
                    _answers(attachment, timepoint, seed, submit),
                    submit=submit,
                    now=START + timedelta(days=day, hours=seed % 24),
                )
            except SurveyProblem:
                db.session.rollback()
                continue
        elif op[0] == "profile":
            _, _, role, pcn, subgroup = op
            user.professional_role = role
            user.pcn_id = world["pcns"][pcn]
            for course in COURSES:
                roster[course] = [(u, subgroup if u == uid else g) for u, g in roster[course]]
        else:
            erase_user(db.session.get(User, world["admin"]), user)
            erased.add(uid)
        db.session.commit()


def _views(instrument: Instrument) -> list[queries.Filters]:
    """Every view a hub can request (and a few with nobody in them)."""
    responses = db.session.scalars(
        select(Response).join(Attachment).where(Attachment.instrument_id == instrument.id, Response.status == Response.SUBMITTED)
    ).all()
    months = {aggregates.month_of(r.submitted_at) for r in responses}
    assert set(queries.submission_months(instrument)) == months
    views = [queries.Filters()]
    views += [queries.Filters(attachment_id=a.id) for a in instrument.attachments]
    views += [queries.Filters(subgroup=s) for s in ("A", "B", "C")]
    views += [queries.Filters(pcn_id=p) for p in {r.pcn_id for r in responses if r.pcn_id}]
    views += [queries.Filters(professional_role=r) for r in ("gp", "nurse", "pharmacist", "dentist")]
    views += [queries.Filters(period=m) for m in months]
    views += [queries.Filters(period=q) for q in {aggregates.quarter_of(m) for m in months}]
    return views


def _same_cells(a: dict, b: dict) -> None:
    """The same people per set of views for every count (however the rows are grouped)."""

    def people(found: list) -> Counter:
        out: Counter = Counter()
        for views, n in found:
            out[views] += n
        return out

    assert {k: people(v) for k, v in a.items()} == {k: people(v) for k, v in b.items()}


def _check(instrument: Instrument) -> None:
    recomputed = Counter({k: n for k, n in aggregates.recompute(instrument).items() if n})
    assert aggregates.stored(instrument) == recomputed
    for filters in _views(instrument):
        assert queries.gather(instrument, filters) == queries.gather_raw(instrument, filters), filters
    _same_cells(differencing.differencing_cells(instrument), differencing.differencing_cells_raw(instrument))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=30))
def test_maintained_aggregates_equal_a_rebuild_and_the_raw_queries(app, make_hub, make_user, course_invitees, ops):
    """Random submissions, drafts, edits, profile changes and erasures (SQLite and PostgreSQL)."""
    with app.app_context():
        world = _setup(make_hub, make_user, course_invitees)
        _run(ops, world, course_invitees)
        instrument = db.session.get(Instrument, world["instrument"])
        _check(instrument)
        # A rebuild changes nothing, and is idempotent.
        aggregates.rebuild(instrument)
        db.session.commit()
        _check(instrument)


def test_a_fixed_history_with_pairs_in_every_slice(app, make_hub, make_user, course_invitees):
    """A deterministic history with many pairs (before/after and before/follow-up) in several slices."""
    rng = random.Random(15)
    with app.app_context():
        world = _setup(make_hub, make_user, course_invitees)
        ops = []
        for k in range(PEOPLE):
            ops.append(("profile", k, ["gp", "nurse"][k % 2], k % 3, ["A", "B"][k % 2]))
            for tp, day in ((PRE, 10), (POST, 40), (FOLLOW_UP, 130)):
                for which in (0, 1):
                    ops.append(("save", k, which, tp, True, day + k, rng.randint(0, 10**6)))
            # Edit the submitted answers after moving to another PCN.
            ops.append(("profile", k, "pharmacist", (k + 1) % 3, "A"))
            ops.append(("save", k, 0, POST, True, 50, rng.randint(0, 10**6)))
        ops.append(("erase", 3))
        _run(ops, world, course_invitees)
        instrument = db.session.get(Instrument, world["instrument"])
        agg = queries.gather(instrument, queries.Filters())
        assert agg.matched.n_pairs == 2 * PEOPLE
        assert agg.follow_up is not None
        assert agg.follow_up.n_pairs == 2 * PEOPLE
        _check(instrument)


def test_pages_and_exports_from_the_tables_equal_those_from_the_raw_answers(
    app, client, auth, make_hub, make_user, course_invitees, monkeypatch
):
    """The results page, its CSV and a filtered CSV are the same whichever path counted them."""
    rng = random.Random(7)
    with app.app_context():
        world = _setup(make_hub, make_user, course_invitees)
        ops = [
            ("save", k % PEOPLE, k % 2, tp, True, 20 + k, rng.randint(0, 10**6)) for k in range(2 * PEOPLE) for tp in (PRE, POST)
        ]
        _run(ops, world, course_invitees)
        admin = world["admin"]
        instrument_id = world["instrument"]
        attachment_id = db.session.get(Instrument, instrument_id).attachments[0].id
    auth.login_as(admin)
    base = f"/evaluation/instruments/{instrument_id}"
    paths = [
        f"{base}/results",
        f"{base}/results.csv",
        f"{base}/results.csv?attachment={attachment_id}",
        f"{base}/results.csv?role=gp",
    ]
    from_tables = [client.get(p).get_data(as_text=True) for p in paths]
    monkeypatch.setattr(analysis, "gather", queries.gather_raw)
    monkeypatch.setattr(differencing, "differencing_cells", differencing.differencing_cells_raw)
    from_raw = [client.get(p).get_data(as_text=True) for p in paths]
    for path, a, b in zip(paths, from_tables, from_raw, strict=True):
        assert _stable(a) == _stable(b), path
    rows = list(csv.reader(io.StringIO(from_tables[1])))
    assert ["Response rates", "", "Answered before", "Number", str(2 * PEOPLE)] in [r[:5] for r in rows]


def _stable(page: str) -> str:
    """The page without what changes on every request (script nonces, CSRF tokens)."""
    page = re.sub(r'nonce="[^"]*"', "", page)
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"|value="[^"]*"([^>]*name="csrf_token")', "", page)


def test_rebuild_command_recomputes_the_tables(app, make_hub, make_user, course_invitees):
    rng = random.Random(3)
    with app.app_context():
        world = _setup(make_hub, make_user, course_invitees)
        _run(
            [("save", k, 0, tp, True, 5, rng.randint(0, 10**6)) for k in range(PEOPLE) for tp in (PRE, POST)],
            world,
            course_invitees,
        )
        instrument = db.session.get(Instrument, world["instrument"])
        before = aggregates.stored(instrument)
        assert before
        for model in AGGREGATE_MODELS:
            db.session.execute(delete(model))
        db.session.commit()
        assert not aggregates.stored(instrument)
    result = app.test_cli_runner().invoke(args=["evaluation", "rebuild-aggregates", "--instrument", str(world["instrument"])])
    assert result.exit_code == 0, result.output
    assert f"Survey {world['instrument']} (Random):" in result.output
    with app.app_context():
        instrument = db.session.get(Instrument, world["instrument"])
        assert aggregates.stored(instrument) == before
    missing = app.test_cli_runner().invoke(args=["evaluation", "rebuild-aggregates", "--instrument", "999999"])
    assert missing.exit_code != 0
    assert "No survey with id 999999" in missing.output
