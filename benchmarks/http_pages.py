"""Every main page under gunicorn next to a bare Flask route, in one run.

    .venv/bin/python -m benchmarks.http_pages                         # SQLite
    .venv/bin/python -m benchmarks.http_pages --postgres-url postgresql+psycopg://postgres@127.0.0.1/bench
    LEARNHUB_TEST_DATABASE_URL=... .venv/bin/python -m benchmarks.http_pages --seconds 3

Builds a database with the demo data (SQLite in a temporary folder, or the PostgreSQL database
given by ``--postgres-url`` / ``LEARNHUB_TEST_DATABASE_URL``, whose tables are dropped first),
starts gunicorn on a free 127.0.0.1 port with ``gunicorn.conf.py`` (2 sync workers by default)
serving ``benchmarks.load_wsgi`` (LearnHub with a bare Flask route mounted at ``/_bare/``), signs
each demo user in through the real sign-in form, and drives each page with a keep-alive load
client for a few seconds: ``wrk`` when it is installed (``apt-get install wrk``), otherwise a
Python client (threads, one ``http.client`` keep-alive connection each; it shares the CPUs with
the server, so its figures are lower). The pages are the 19 of ``benchmarks.query_counts``
(each as its user) plus the signed-out landing and sign-in pages. The bare route is measured
before each page and after the last; a page's share is its req/s over the mean of the bare runs
either side of it. Prints one table: req/s, p50, p99, share of the bare route's req/s, p99 against
the bare route's, and the gunicorn workers' CPU milliseconds per request (from /proc) with the
bare route's CPU ms over the page's: on a machine shared with other jobs the CPU figures are the
steadier ones. Figures only: compare within a run.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlsplit

import requests

from benchmarks import query_counts
from benchmarks.load import Server, hidden_data, migrated_app, post_form

PASSWORD = "http-pages-password-9"
SIGNED_OUT = [("landing (signed out)", "/", None), ("sign-in (signed out)", "/account/sign-in", None)]


def sign_in(base: str, email: str) -> str:
    """Sign in through the form; returns the Cookie header of the signed-in session."""
    with requests.Session() as http:
        page = http.get(base + "/account/sign-in", timeout=30)
        form = post_form(page.text, "sign-in", "/account/sign-in")
        data = {**hidden_data(form), "email": email, "password": PASSWORD}
        answer = http.post(base + "/account/sign-in", data=data, allow_redirects=False, timeout=30)
        if answer.status_code != 302:
            raise RuntimeError(f"sign-in of {email} answered {answer.status_code}")
        return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * _UNITS[unit]


def with_wrk(url: str, cookie: str | None, seconds: float, connections: int) -> dict:
    """req/s, p50 and p99 (ms) and non-2xx count from wrk."""
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds:g}s", "--latency", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "p50": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "p99": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def with_python(url: str, cookie: str | None, seconds: float, connections: int) -> dict:
    """The same figures from threads, each with one keep-alive connection."""
    parts = urlsplit(url)
    headers = {"Cookie": cookie} if cookie else {}
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def run() -> None:
        connection = HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine = []
        bad = 0
        while time.perf_counter() < stop:
            started = time.perf_counter()
            connection.request("GET", parts.path, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            bad += response.status >= 400
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=run) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "requests": len(latencies),
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": errors[0],
    }


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used so far (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def measured(measure, pids: list[int], url: str, cookie: str | None, args: argparse.Namespace) -> dict:  # type: ignore[no-untyped-def]
    """One load run, with the workers' CPU milliseconds per request."""
    before = cpu_seconds(pids)
    figures = measure(url, cookie, args.seconds, args.connections)
    figures["cpu"] = (cpu_seconds(pids) - before) * 1000 / max(figures["requests"], 1)
    return figures


def check(base: str, path: str, cookie: str | None, email: str | None) -> None:
    """The page answers 200 for this user (not a redirect to sign-in)."""
    answer = requests.get(base + path, headers={"Cookie": cookie} if cookie else {}, allow_redirects=False, timeout=30)
    if answer.status_code != 200:
        raise RuntimeError(f"{path} as {email or 'signed out'} answered {answer.status_code}")


def run(name: str, database_url: str, args: argparse.Namespace) -> None:
    """Seed, serve, measure and print the table for one database."""
    from learnhub.demo import DemoContext, run_steps
    from learnhub.extensions import db

    workdir = Path(tempfile.mkdtemp(prefix=f"learnhub-http-{name.lower()}-"))
    os.environ.pop("LEARNHUB_DEMO_PASSWORD", None)
    with migrated_app(database_url, workdir) as app, app.app_context():
        run_steps(DemoContext(password=PASSWORD))
        pages = [*SIGNED_OUT, *query_counts.pages()]
        db.session.remove()
    if args.only:
        pages = [p for p in pages if any(word in p[0] for word in args.only)]
    measure = with_wrk if (shutil.which("wrk") and not args.python_client) else with_python
    env = {"LEARNHUB_WARM_WORKERS": "1" if args.warm else "0"}
    server = Server(database_url, workdir, workers=args.workers, env=env).start(timeout=180)
    try:
        cookies = {email: sign_in(server.url, email) for email in {p[2] for p in pages if p[2]}}
        for _label, path, email in pages:
            check(server.url, path, cookies.get(email), email)
            for _ in range(3):  # warm each worker's template cache
                requests.get(server.url + path, headers={"Cookie": cookies[email]} if email else {}, timeout=30)
        bare_url = server.url + "/_bare/"
        pids = server.worker_pids()
        measure(bare_url, None, 1, args.connections)
        # The bare route before every page and once after the last: each page's share is against
        # the mean of the bare runs either side of it, so a change in the machine's load between
        # pages (other jobs on a shared machine) moves both.
        bare = [measured(measure, pids, bare_url, None, args)]
        rows = []
        for label, path, email in pages:
            rows.append((label, measured(measure, pids, server.url + path, cookies.get(email), args)))
            bare.append(measured(measure, pids, bare_url, None, args))
        workers = len(pids)
    finally:
        server.stop()
    client = "wrk" if measure is with_wrk else "Python keep-alive client"
    print(f"\n{name}: {workers} gunicorn workers, {client}, {args.connections} connections, {args.seconds:g} s per run")
    print(
        f"{'page':24} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'bare req/s':>10} {'share':>6} {'p99/bare':>8} "
        f"{'CPU ms':>7} {'CPU share':>9}"
    )
    mean = {key: statistics.median(b[key] for b in bare) for key in ("rps", "p50", "p99", "cpu")}
    print(
        f"{'bare route (median)':24} {mean['rps']:7.0f} {mean['p50']:7.1f} {mean['p99']:7.1f} {'':>10} {'':>6} {'':>8} "
        f"{mean['cpu']:7.2f}"
    )
    below = 0
    for n, (label, figures) in enumerate(rows):
        around = bare[n : n + 2]
        bare_rps = statistics.mean(b["rps"] for b in around)
        bare_p99 = statistics.mean(b["p99"] for b in around)
        share = figures["rps"] / max(bare_rps, 1e-9)
        below += share < 0.25
        errors = f"  {figures['errors']} errors" if figures["errors"] else ""
        cpu_share = mean["cpu"] / max(figures["cpu"], 1e-9)
        print(
            f"{label:24} {figures['rps']:7.0f} {figures['p50']:7.1f} {figures['p99']:7.1f} {bare_rps:10.0f} {share:6.0%} "
            f"{figures['p99'] / max(bare_p99, 1e-9):7.1f}× {figures['cpu']:7.2f} {cpu_share:9.0%}{errors}"
        )
    print(f"{len(rows) - below} of {len(rows)} pages at ≥ 25% of the bare route's req/s (the bare runs either side)")
    print("CPU ms: the gunicorn workers' CPU time per request; CPU share: the bare route's CPU ms / the page's")
    print(f"(logs in {workdir})")


def main() -> None:
    """Parse options and run on the chosen database."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3, help="load per page (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="keep-alive connections (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--postgres-url", default=os.environ.get("LEARNHUB_TEST_DATABASE_URL"))
    parser.add_argument("--sqlite", action="store_true", help="SQLite even when a PostgreSQL URL is set")
    parser.add_argument("--python-client", action="store_true", help="the Python client even when wrk is installed")
    parser.add_argument("--no-warm", dest="warm", action="store_false", help="skip gunicorn's SciPy/WeasyPrint warm-up")
    parser.add_argument("--only", nargs="*", help="only pages whose label contains one of these words")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} cores · load average {os.getloadavg()[0]:.1f}")
    if args.postgres_url and not args.sqlite:
        url = args.postgres_url
        if url.startswith(("postgresql://", "postgres://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        _reset_postgres(url)
        run("PostgreSQL", url, args)
    else:
        run("SQLite", f"sqlite:///{Path(tempfile.mkdtemp(prefix='learnhub-http-db-')) / 'pages.sqlite'}", args)
    sys.stdout.flush()


def _reset_postgres(url: str) -> None:
    """Drop every table of the benchmark's PostgreSQL database (the demo data is created anew)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


if __name__ == "__main__":
    main()
