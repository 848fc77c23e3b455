"""Page speed next to a bare Flask route, in one run, in one process.

    .venv/bin/python -m benchmarks.pages [--requests 200]

Builds a throw-away SQLite database with the demo data, then times each page through Flask's
test client (no network) as a signed-in user, next to a route that returns a constant string
from the same app. Prints median and p95 per request, the ratio to the bare route, and the
number of SQL queries each page makes. Figures vary by machine: quote the ratios.
"""

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

PAGES = [
    ("sign-in page (anonymous)", "/account/sign-in", None),
    ("home (learner)", "/", "gp.learner@example.org"),
    ("profile (learner)", "/account/profile", "gp.learner@example.org"),
    ("hub users (hub admin)", "/hub/users", "hub.admin@example.org"),
    ("healthz", "/healthz", None),
]


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from learnhub import create_app
    from learnhub.demo import DemoContext, run_steps
    from learnhub.extensions import db

    workdir = Path(tempfile.mkdtemp(prefix="learnhub-bench-"))
    os.environ.pop("LEARNHUB_DEMO_PASSWORD", None)
    app = create_app(
        {
            "TESTING": False,
            "SECRET_KEY": "bench",
            "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite'}",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        },
        instance_path=str(workdir),
    )

    @app.get("/_bare")
    def bare() -> str:
        return "ok"

    with app.app_context():
        upgrade()
        run_steps(DemoContext(password="benchmark-password-1", password_from_env=True))
        engine = db.engine

    queries = 0

    def count(*_args: object) -> None:
        nonlocal queries
        queries += 1

    event.listen(engine, "before_cursor_execute", count)

    def timed(client, path: str) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
        nonlocal queries
        for _ in range(10):  # warm up
            client.get(path)
        samples = []
        queries = 0
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get(path)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200, (path, response.status_code)
        samples.sort()
        return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], queries // args.requests

    bare_client = app.test_client()
    bare_median, bare_p95, _ = timed(bare_client, "/_bare")
    print(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'× bare':>7} {'queries':>8}")
    print(f"{'bare Flask route':32} {bare_median * 1000:10.2f} {bare_p95 * 1000:8.2f} {1.0:7.1f} {0:8d}")
    for label, path, email in PAGES:
        client = app.test_client()
        if email:
            client.post("/account/sign-in", data={"email": email, "password": "benchmark-password-1"})
        median, p95, per_request = timed(client, path)
        print(f"{label:32} {median * 1000:10.2f} {p95 * 1000:8.2f} {median / bare_median:7.1f} {per_request:8d}")


if __name__ == "__main__":
    main()
