"""Requests/s with one and with two gunicorn app servers over the same PostgreSQL (issue 21).

The same signed-in simulated users (16 by default, one thread each) read their main pages
(home, My learning's course, surveys, ALS) for a fixed time: first all against server A, then
alternating between A and B (client-side round robin, as a load balancer would). Each server
runs ``--workers`` gunicorn workers (default 2). Prints requests/s, p50/p95 and the ratio of
the two runs. On a 2-core machine both servers share the same two cores with PostgreSQL and
the clients, so the ratio shows the overhead of a second server here, not the gain on two
hosts: on separate hosts throughput adds up until PostgreSQL is the limit.

    .venv/bin/python -m benchmarks.two_servers --postgres-url postgresql://postgres@127.0.0.1/bench
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from benchmarks.load import Server, SimUser, Stats, migrated_app, prepare


def _pages(role: str, course_id: int) -> list[str]:
    return {
        "participant": ["/", "/evaluation/surveys"],
        "learner": ["/", f"/courses/{course_id}"],
        "facilitator": ["/", "/als/"],
    }[role]


def measure(bases: list[str], world, seconds: float) -> tuple[float, list[float], Stats]:  # type: ignore[no-untyped-def]
    """Every person reads their pages, alternating over ``bases``, for ``seconds``; (requests/s, latencies, stats)."""
    stats = Stats()
    latencies: list[float] = []
    lock = threading.Lock()
    users = [SimUser(bases[0], p, stats, tolerate_faults=False) for p in world.people]
    for user in users:
        user.sign_in()
    start = threading.Barrier(len(users) + 1)
    stop_at: list[float] = []

    def read(user: SimUser) -> None:
        pages = _pages(user.person.role, world.course_id)
        n = 0
        start.wait()
        while time.perf_counter() < stop_at[0]:
            user.base = bases[n % len(bases)]
            began = time.perf_counter()
            user.request("page", "GET", pages[n % len(pages)])
            with lock:
                latencies.append(time.perf_counter() - began)
            n += 1

    threads = [threading.Thread(target=read, args=(u,), daemon=True) for u in users]
    for thread in threads:
        thread.start()
    stop_at.append(time.perf_counter() + seconds)
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.perf_counter() - began
    for user in users:
        user.http.close()
    return len(latencies) / elapsed, latencies, stats


def _line(name: str, rps: float, latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95) - 1] if ordered else 0.0
    p50 = statistics.median(ordered) if ordered else 0.0
    return f"{name}: {rps:.1f} requests/s, p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms ({len(ordered)} requests)"


def main() -> None:
    """Measure one server, then two, in the same run."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres-url", default=os.environ.get("LEARNHUB_LOAD_POSTGRES_URL"))
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app server (default 2)")
    args = parser.parse_args()
    if not args.postgres_url:
        sys.exit("give --postgres-url or LEARNHUB_LOAD_POSTGRES_URL: two servers need a shared PostgreSQL")
    url = args.postgres_url
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    print(f"{date.today()} · {os.cpu_count()} cores · load average {os.getloadavg()[0]:.1f} · Python {sys.version.split()[0]}")
    workdir = Path(tempfile.mkdtemp(prefix="learnhub-two-servers-"))
    (workdir / "a").mkdir()
    (workdir / "b").mkdir()
    shared = {"LEARNHUB_SECRET_KEY": "two-servers-benchmark-" + os.urandom(8).hex()}
    with migrated_app(url, workdir) as app:
        world = prepare(app, users=args.users, rounds=1)
        with (
            Server(url, workdir / "a", workers=args.workers, env=shared) as a,
            Server(url, workdir / "b", workers=args.workers, env=shared) as b,
        ):
            measure([a.url], world, 3)  # warm-up: first requests of each worker
            measure([b.url], world, 3)
            one, one_lat, one_stats = measure([a.url], world, args.seconds)
            two, two_lat, two_stats = measure([a.url, b.url], world, args.seconds)
    print(f"{args.users} users, {args.workers} gunicorn workers per server, {args.seconds:.0f} s each")
    print(_line("one app server ", one, one_lat))
    print(_line("two app servers", two, two_lat))
    print(f"ratio two/one: {two / one:.2f}")
    for problem in one_stats.problems + two_stats.problems:
        print("PROBLEM:", problem)
    print(f"load average after: {os.getloadavg()[0]:.1f} (logs in {workdir})")


if __name__ == "__main__":
    main()
