"""Upgrading a live database fills the results' aggregate tables from the answers already there (issue 15).

Responses are submitted at the current schema, the database is taken back to the revision
before the aggregate tables (which drops them, keeping the answers), and upgraded again: the
migration's fill must give the tables the application's rebuild would, and the results read
from them must equal those computed from the raw answers.
"""

import random
from collections import Counter
from datetime import timedelta

from flask_migrate import downgrade, upgrade

from learnhub.evaluation import services
from learnhub.evaluation.analysis import differencing, queries
from learnhub.evaluation.models import FOLLOW_UP, POST, PRE, Instrument, Invitee
from learnhub.evaluation.services import aggregates
from learnhub.extensions import db
from tests.evaluation.test_maintained_aggregates import PEOPLE, START, _run, _same_cells, _setup, _views

#: The revision before ``0017_eval_aggregates``.
BEFORE_AGGREGATES = "0018_job_lock"


def test_upgrade_fills_the_aggregates_from_existing_answers(app, make_hub, make_user, course_invitees):
    rng = random.Random(17)
    with app.app_context():
        world = _setup(make_hub, make_user, course_invitees)
        ops = []
        for k in range(PEOPLE):
            ops.append(("profile", k, ["gp", "nurse", "pharmacist"][k % 3], k % 3, ["A", "B", None][k % 3]))
            for tp, day in ((PRE, 10), (POST, 95), (FOLLOW_UP, 200)):
                for which in (0, 1):
                    if (k + which) % 4 != 3:  # not everyone answers every wave
                        ops.append(("save", k, which, tp, True, day + 7 * k, rng.randint(0, 10**6)))
            ops.append(("save", k, 1, POST, k % 2 == 0, 120, rng.randint(0, 10**6)))  # drafts count nowhere
        ops.append(("erase", 2))
        _run(ops, world, course_invitees)
        instrument = db.session.get(Instrument, world["instrument"])
        # People invited directly to two sets (one of them to both).
        window = (START, START + timedelta(days=400))
        hub_sets = [services.attach(instrument, "hub", world["hub"], f"Set {k}", {PRE: window}) for k in (1, 2)]
        people = world["people"]
        db.session.add_all(Invitee(attachment_id=hub_sets[0].id, user_id=u, subgroup="A") for u in people[:4])
        db.session.add_all(Invitee(attachment_id=hub_sets[1].id, user_id=u, subgroup="B") for u in people[3:])
        db.session.commit()
        expected = Counter({k: n for k, n in aggregates.recompute(instrument).items() if n})
        assert expected
        invited = aggregates.invited(instrument)
        assert invited[(0, "")] == PEOPLE
        db.session.remove()

        downgrade(revision=BEFORE_AGGREGATES)
        upgrade()
        db.session.remove()

        instrument = db.session.get(Instrument, world["instrument"])
        assert aggregates.stored(instrument) == expected
        assert aggregates.stored_invited(instrument) == invited
        views = _views(instrument)
        assert len(views) > 10
        for filters in views:
            assert queries.gather(instrument, filters) == queries.gather_raw(instrument, filters), filters
        _same_cells(differencing.differencing_cells(instrument), differencing.differencing_cells_raw(instrument))
        assert queries.gather(instrument, queries.Filters()).matched.n_pairs > 0
        db.session.remove()
