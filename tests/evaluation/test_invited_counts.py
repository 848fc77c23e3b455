"""The invited counts the database keeps (``evaluation_invited_count``, issue 15) equal a count of the invitations.

Random invitations, removals, changes of subgroup or attachment, accounts deleted (the
invitations go by cascade), erasures and attachments removed; afterwards the kept counts must
equal those recomputed from ``evaluation_invitee``, and the results' invited figure read from them
must equal the one counted from the invitations, in every view that reads them.
"""

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update

from learnhub.accounts.models import User
from learnhub.evaluation import services
from learnhub.evaluation.analysis import queries
from learnhub.evaluation.models import POST, PRE, Attachment, Instrument, InvitedCount, Invitee
from learnhub.evaluation.services import aggregates
from learnhub.evaluation.services.authoring import detach
from learnhub.extensions import db
from learnhub.privacy.erasure import erase_user
from learnhub.roles import HubRole

PEOPLE = 6
ATTACHMENTS = 3
SUBGROUPS = ["A", "B", None, ""]

person = st.integers(0, PEOPLE - 1)
attachment = st.integers(0, ATTACHMENTS - 1)
operation = st.one_of(
    st.tuples(st.just("invite"), person, attachment, st.sampled_from(SUBGROUPS), st.booleans()),
    st.tuples(st.just("uninvite"), person, attachment),
    st.tuples(st.just("regroup"), person, attachment, st.sampled_from(SUBGROUPS)),
    st.tuples(st.just("move"), person, attachment, attachment),
    st.tuples(st.just("delete account"), person),
    st.tuples(st.just("erase"), person),
    st.tuples(st.just("detach"), attachment),
)


def _setup(make_hub, make_user) -> dict:
    hub = make_hub()
    admin = make_user(hub_id=hub, hub_role=HubRole.HUB_ADMIN.value)
    people = [make_user(hub_id=hub) for _ in range(PEOPLE)]
    instrument = services.create_instrument(hub, "Invited", "", [{"title": "S", "items": [{"kind": "agreement", "text": "Q"}]}])
    window = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    attachments = [services.attach(instrument, "hub", hub, f"Set {k}", {PRE: window, POST: window}) for k in range(ATTACHMENTS)]
    db.session.commit()
    return {"admin": admin, "people": people, "instrument": instrument.id, "attachments": [a.id for a in attachments]}


def _run(ops: list, world: dict) -> None:
    gone: set[int] = set()
    for op in ops:
        kind = op[0]
        if kind == "detach":
            found = db.session.get(Attachment, world["attachments"][op[1]])
            if found is not None:
                detach(db.session.get(User, world["admin"]), found)
            db.session.commit()
            continue
        uid = world["people"][op[1]]
        if uid in gone:
            continue
        mine = Invitee.user_id == uid
        if kind == "invite":
            _, _, which, subgroup, bulk = op
            att = world["attachments"][which]
            if db.session.get(Attachment, att) is None or db.session.scalar(
                select(Invitee.id).where(mine, Invitee.attachment_id == att)
            ):
                continue
            if bulk:
                db.session.execute(insert(Invitee), [{"attachment_id": att, "user_id": uid, "subgroup": subgroup}])
            else:
                db.session.add(Invitee(attachment_id=att, user_id=uid, subgroup=subgroup))
        elif kind == "uninvite":
            db.session.execute(delete(Invitee).where(mine, Invitee.attachment_id == world["attachments"][op[2]]))
        elif kind == "regroup":
            db.session.execute(
                update(Invitee).where(mine, Invitee.attachment_id == world["attachments"][op[2]]).values(subgroup=op[3])
            )
        elif kind == "move":
            source, target = (world["attachments"][k] for k in op[2:])
            if db.session.get(Attachment, target) is None or db.session.scalar(
                select(Invitee.id).where(mine, Invitee.attachment_id == target)
            ):
                continue
            db.session.execute(update(Invitee).where(mine, Invitee.attachment_id == source).values(attachment_id=target))
        elif kind == "delete account":
            db.session.execute(delete(User).where(User.id == uid))
            gone.add(uid)
        else:
            erase_user(db.session.get(User, world["admin"]), db.session.get(User, uid))
        db.session.commit()


def _check(instrument: Instrument) -> None:
    counted = aggregates.invited(instrument)
    assert aggregates.stored_invited(instrument) == counted
    views = [queries.Filters()]
    views += [queries.Filters(attachment_id=a.id) for a in instrument.attachments]
    views += [queries.Filters(subgroup=s) for s in ("A", "B", "C")]
    for filters in views:
        maintained = queries.invited_count(instrument, filters)
        assert maintained == queries.invited_count(instrument, filters, maintained=False), filters


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=25))
def test_kept_invited_counts_equal_the_invitations(app, make_hub, make_user, ops):
    with app.app_context():
        world = _setup(make_hub, make_user)
        _run(ops, world)
        instrument = db.session.get(Instrument, world["instrument"])
        db.session.refresh(instrument)
        _check(instrument)
        aggregates.rebuild(instrument)
        db.session.commit()
        _check(instrument)


def test_a_person_invited_to_two_sets_is_counted_once_until_both_invitations_go(app, make_hub, make_user):
    with app.app_context():
        world = _setup(make_hub, make_user)
        first, second, _third = world["attachments"]
        uid, other = world["people"][:2]
        ops = [("invite", 0, 0, "A", False), ("invite", 0, 1, "A", True), ("invite", 1, 1, "B", True)]
        _run(ops, world)
        instrument = db.session.get(Instrument, world["instrument"])
        assert queries.invited_count(instrument, queries.Filters()) == 2
        assert queries.invited_count(instrument, queries.Filters(subgroup="A")) == 1
        assert queries.invited_count(instrument, queries.Filters(attachment_id=second)) == 2
        _run([("uninvite", 0, 0)], world)
        assert queries.invited_count(instrument, queries.Filters()) == 2
        assert queries.invited_count(instrument, queries.Filters(attachment_id=first)) == 0
        _run([("uninvite", 0, 1)], world)
        assert queries.invited_count(instrument, queries.Filters()) == 1
        assert queries.invited_count(instrument, queries.Filters(subgroup="A")) == 0
        # The figure is read from the kept counts: one row of evaluation_invited_count.
        row = db.session.get(InvitedCount, (instrument.id, 0, ""))
        assert row is not None
        assert row.n == 1
        assert db.session.scalar(select(Invitee.user_id)) == other
