"""Results page at 1,000 and at 100,000 responses, timed alternately (issue 15's size ratio).

The standard ``benchmarks.evaluation_dashboard`` times each size in turn, minutes apart; on a
shared machine the load changes in between and the ratio moves ±2×. Here the two databases are
built first, then one request to the 1k page and one to the 100k page alternate (15 each, after
one warm-up), so both sizes meet the same load; the medians and their ratio are printed::

    .venv/bin/python -m benchmarks.evaluation_interleaved                      # two SQLite files
    .venv/bin/python -m benchmarks.evaluation_interleaved --small URL --big URL  # e.g. PostgreSQL

The given databases are emptied and rebuilt.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import evaluation_dashboard as bench
from learnhub.accounts.models import User
from learnhub.extensions import db

PAGES = (("results page", ""), ("results, one slice", "?subgroup=Cohort+1"))


def _signed_in_client(app, admin_id: int):  # type: ignore[no-untyped-def]
    client = app.test_client()
    with app.app_context():
        session_id = db.session.get(User, admin_id).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", help="database URL for 1,000 responses (default: a temporary SQLite file)")
    parser.add_argument("--big", help="database URL for 100,000 responses (default: a temporary SQLite file)")
    parser.add_argument("--responses", type=int, default=100_000, help="responses in the big database")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="learnhub-interleaved-"))
    urls = {
        "small": args.small or f"sqlite:///{folder / 'small.sqlite'}",
        "big": args.big or f"sqlite:///{folder / 'big.sqlite'}",
    }
    sizes = {"small": 1000, "big": args.responses}
    clients, instruments = {}, {}
    for key in ("small", "big"):
        app, admin_id, instrument_id, _ = bench.build(urls[key], sizes[key], 20)
        bench.add_programme(app, instrument_id, 12)
        bench.rebuild_aggregates(app, instrument_id)
        clients[key], instruments[key] = _signed_in_client(app, admin_id), instrument_id
    big_label = f"{sizes['big'] // 1000}k median"
    print(f"{'page':<20} {'1k median':>10} {big_label:>12} {'ratio':>7}")
    for name, query in PAGES:
        paths = {key: f"/evaluation/instruments/{instruments[key]}/results{query}" for key in clients}
        times: dict[str, list[float]] = {"small": [], "big": []}
        for key in clients:
            assert clients[key].get(paths[key]).status_code == 200  # warm-up
        for _ in range(args.rounds):
            for key in ("small", "big"):
                start = time.perf_counter()
                assert clients[key].get(paths[key]).status_code == 200
                times[key].append(time.perf_counter() - start)
        small, big = statistics.median(times["small"]), statistics.median(times["big"])
        print(f"{name:<20} {small * 1000:8.1f} ms {big * 1000:10.1f} ms {big / small:6.2f}×")


if __name__ == "__main__":
    main()
