"""The busiest admin, course and ALS pages make as many SQL statements with twice the data (no N+1).

A page that loads something once per row (per member, per session, per event's actor) slows
down as a hub grows; counting statements catches it on a small database, without timings.
The data is the demo's, doubled the way ``benchmarks/query_counts.py`` multiplies it.
"""

from sqlalchemy import select

from benchmarks.query_counts import multiply, pages
from learnhub.accounts.models import User
from learnhub.demo import DemoContext, run_steps
from learnhub.extensions import db

GUARDED = [
    "hub users",
    "eligibility register",
    "cohort report",
    "ALS programme",
    "ALS dashboard",
    "facilitating",
    "audit page",
    "supervision dashboard",
    "supervision staff list",
    "supervision staff member",
    "supervision picker",
    "supervision hub view",
    "my supervision",
]


def test_statements_per_page_do_not_grow_with_the_data(app, client, auth, count_queries):
    with app.app_context():
        run_steps(DemoContext(password="demo-password-for-tests"))
        visits = [(label, path, email) for label, path, email in pages() if label in GUARDED]
        people = {email: db.session.scalar(select(User.id).where(User.email == email)) for _, _, email in visits}
        db.session.remove()
    assert sorted(label for label, _, _ in visits) == sorted(GUARDED)

    def statements() -> dict[str, int]:
        counts = {}
        for label, path, email in visits:
            auth.login_as(people[email])
            assert client.get(path).status_code == 200, label
            with count_queries() as n:
                assert client.get(path).status_code == 200, label
            counts[label] = n()
        return counts

    before = statements()
    with app.app_context():
        multiply(2)
        db.session.remove()
    assert statements() == before
