"""Print query counts and page times for the course page and the cohort report.

    .venv/bin/python -m benchmarks.courses_queries [--learners 10 100 500] [--repeat 20]

Builds a throwaway SQLite database (or LEARNHUB_BENCH_DATABASE_URL), loads the demo course,
adds N learners at mixed stages, and times the pages against a bare Flask route on the same
app (the floor for a signed-in request). Figures only; nothing is asserted.
"""

import argparse
import os
import statistics
import tempfile
import time

from flask_migrate import upgrade
from sqlalchemy import event, select

from learnhub import create_app
from learnhub.accounts.models import User
from learnhub.courses import services
from learnhub.courses.models import Cohort, Course
from learnhub.demo import DemoContext, run_steps
from learnhub.extensions import db


def _populate(n: int, start: int, course_id: int, cohort_id: int, hub_id: int) -> None:
    cohort = db.session.get(Cohort, cohort_id)
    course = services.load_course(course_id, questions=True)
    checks = [m for m in course.modules if m.is_check]
    for i in range(start, start + n):
        user = User(email=f"bench{i}@example.org", name=f"Bench {i}", hub_id=hub_id, professional_role="gp")
        db.session.add(user)
        db.session.flush()
        enrolment = services.enrol(user, cohort, user).enrolment
        for module in checks[: i % (len(checks) + 1)]:
            attempt = services.start_attempt(enrolment, module)
            services.submit_attempt(enrolment, module, attempt, {q.id: q.correct_ids for q in module.questions})
    db.session.commit()  # services do not commit


def _time(client, path: str, repeat: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    client.get(path)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times), len(response.data)


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, nargs="+", default=[10, 100, 500])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = os.environ.get("LEARNHUB_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "MAIL_OUTBOX_DIR": tmp,
        }
    )
    app.add_url_rule("/bench/bare", "bench_bare", lambda: "ok")
    statements: list[str] = []
    with app.app_context():
        upgrade()
        run_steps(DemoContext(password="bench-password-123456"))
        course = db.session.scalar(select(Course))
        cohort = course.cohorts[0]
        admin = db.session.scalar(select(User).where(User.email == "hub.admin@example.org"))
        learner = db.session.scalar(select(User).where(User.email == "gp.halfway@example.org"))
        ids = (course.id, cohort.id, course.hub_id, admin.get_id(), learner.get_id())
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    course_id, cohort_id, hub_id, admin_sid, learner_sid = ids
    pages = {
        "bare Flask route": ("/bench/bare", learner_sid),
        "course page (learner)": (f"/courses/{course_id}", learner_sid),
        "my learning": ("/my-learning", learner_sid),
        "cohort report (admin)": (f"/hub/courses/{course_id}/cohorts/{cohort_id}", admin_sid),
        "cohort CSV (admin)": (f"/hub/courses/{course_id}/cohorts/{cohort_id}/report.csv", admin_sid),
    }
    done = 0
    print(f"{'learners':>8}  {'page':<24} {'queries':>7} {'median ms':>10} {'bytes':>8}")
    for total in args.learners:
        with app.app_context():
            _populate(total - done, done, course_id, cohort_id, hub_id)
            db.session.remove()
        done = total
        for name, (path, sid) in pages.items():
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = sid
                session["_fresh"] = True
            client.get(path)
            statements.clear()
            client.get(path)
            queries = len(statements)
            ms, size = _time(client, path, args.repeat)
            print(f"{total:>8}  {name:<24} {queries:>7} {ms:>10.1f} {size:>8}")


if __name__ == "__main__":
    main()
