"""Evaluation dashboard at scale: server time vs the raw SQL aggregates, and queries per page.

    .venv/bin/python -m benchmarks.evaluation_dashboard --responses 1000 --responses 100000

For each size a fresh SQLite database (or ``--database`` PostgreSQL URL, emptied first) gets
one instrument of ``--items`` agreement items attached to 5 cohorts; participants answer
before and after in every cohort (so 100,000 responses = 10,000 participants × 5 cohorts × 2).
It then prints the dashboard's server time (test client, median of 3), the time of the raw SQL
aggregate queries the dashboard relies on (the per-item distribution, matched differences and
the composite score's sums, each in the fastest hand-written form for the database) and the
page/raw ratio, and the number of SQL statements per page, which must not depend on the number
of responses. On PostgreSQL the tables are analysed after seeding, as autovacuum would.

A typical programme evaluation is small: the same instrument is also attached to one ALS
programme where ``--programme-pairs`` (12) people answer before and after, with ties and
unchanged answers as real surveys have. The page filtered to that programme is timed next to
the unfiltered page of the same run (goal: at most 1.5×), and likewise the PDF report. SciPy's default Wilcoxon test runs a
permutation test for 13 pairs or fewer with ties (about a second per item); the dashboard
counts the exact distribution instead (``learnhub.evaluation.stats``).
The results are read from the aggregate tables kept with every submission (issue 15); the
benchmark bulk-inserts responses and answers, then fills the tables with the rebuild command's
function (``services.aggregates.rebuild``, timed and printed). With several ``--responses``,
it prints each page's time at the largest size over its time at the smallest (goal for the
results page: at most 1.5×). ``--no-pdf`` leaves out the PDF reports.
Figures are printed, never asserted.
"""

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, insert, text
from werkzeug.security import generate_password_hash

COHORTS = 5
PROGRAMME_PAGE = "results, one programme"

# The raw SQL baseline: the least the page must ask the database for (answers per timepoint,
# item and value; matched differences per item; the composite score's sums over pairs), each
# in the fastest form found for that database, with no ORM, no statistics and no template.
RAW_DISTRIBUTION = """
SELECT a.item_id, a.value,
  count(CASE WHEN a.response_id IN (SELECT r.id FROM evaluation_response r JOIN evaluation_attachment t ON t.id = r.attachment_id
    WHERE t.instrument_id = :instrument AND r.status = 'submitted' AND r.timepoint = 'pre') THEN 1 END),
  count(CASE WHEN a.response_id IN (SELECT r.id FROM evaluation_response r JOIN evaluation_attachment t ON t.id = r.attachment_id
    WHERE t.instrument_id = :instrument AND r.status = 'submitted' AND r.timepoint = 'post') THEN 1 END)
FROM evaluation_answer a
WHERE a.item_id IN (SELECT id FROM evaluation_item WHERE instrument_id = :instrument) AND a.value IS NOT NULL
GROUP BY a.item_id, a.value
"""
RAW_DIFFERENCES = """
SELECT pa.item_id, qa.value - pa.value, count(*)
FROM evaluation_response pre
JOIN evaluation_response post ON post.attachment_id = pre.attachment_id AND post.respondent_key = pre.respondent_key
JOIN evaluation_answer pa ON pa.response_id = pre.id
JOIN evaluation_answer qa ON qa.response_id = post.id AND qa.item_id = pa.item_id
JOIN evaluation_attachment t ON t.id = pre.attachment_id
WHERE t.instrument_id = :instrument AND pre.timepoint = 'pre' AND post.timepoint = 'post'
  AND pre.status = 'submitted' AND post.status = 'submitted' AND pa.value IS NOT NULL
GROUP BY pa.item_id, qa.value - pa.value
"""
# Every benchmark item is a core agreement item, none reverse-scored.
RAW_COMPOSITE = {
    # Pairs in index order, both responses' answers as index ranges: grouped without a sort.
    "sqlite": """
SELECT count(*), sum(q - p), sum((q - p) * (q - p)), avg(p), avg(q) FROM (
  SELECT avg(CASE WHEN a.response_id = pre.id THEN CAST(a.value AS FLOAT) END) AS p,
         avg(CASE WHEN a.response_id = post.id THEN CAST(a.value AS FLOAT) END) AS q
  FROM evaluation_response pre
  JOIN evaluation_response post ON post.attachment_id = pre.attachment_id AND post.respondent_key = pre.respondent_key
  JOIN evaluation_answer a ON a.response_id IN (pre.id, post.id) AND a.value IS NOT NULL
  WHERE pre.attachment_id IN (SELECT id FROM evaluation_attachment WHERE instrument_id = :instrument)
    AND pre.timepoint = 'pre' AND post.timepoint = 'post' AND pre.status = 'submitted' AND post.status = 'submitted'
  GROUP BY pre.attachment_id, pre.respondent_key) x
WHERE p IS NOT NULL AND q IS NOT NULL
""",
    # Score each response (hash aggregate), then pair the scores (hash aggregate).
    "postgresql": """
SELECT count(*), sum(q - p), sum((q - p) * (q - p)), avg(p), avg(q) FROM (
  SELECT max(CASE WHEN timepoint = 'pre' THEN score END) AS p, max(CASE WHEN timepoint = 'post' THEN score END) AS q
  FROM (SELECT r.attachment_id, r.respondent_key, r.timepoint, avg(CAST(a.value AS FLOAT)) AS score
        FROM evaluation_response r JOIN evaluation_answer a ON a.response_id = r.id
        WHERE r.attachment_id IN (SELECT id FROM evaluation_attachment WHERE instrument_id = :instrument)
          AND r.status = 'submitted' AND r.timepoint IN ('pre', 'post') AND a.value IS NOT NULL
        GROUP BY r.id) s
  GROUP BY attachment_id, respondent_key) x
WHERE p IS NOT NULL AND q IS NOT NULL
""",
}


def build(url: str, responses: int, items: int):  # type: ignore[no-untyped-def]
    """A migrated database seeded with ``responses`` submitted responses; returns (app, admin id, instrument id)."""
    from datetime import timedelta

    from flask_migrate import upgrade

    from learnhub import create_app
    from learnhub.accounts.models import User
    from learnhub.evaluation import services
    from learnhub.evaluation.models import AGREEMENT, Answer, Invitee, Response
    from learnhub.extensions import db
    from learnhub.organisations.models import Hub, Pcn
    from learnhub.roles import HubRole
    from learnhub.timeutil import utcnow
    from tests.conftest import drop_everything, make_test_config

    drop_everything(url)
    app = create_app(make_test_config(url))
    rng = random.Random(1)
    participants = max(responses // (COHORTS * 2), 1)
    with app.app_context():
        upgrade()
        hub = Hub(name="Benchmark hub")
        pcn = Pcn(hub=hub, name="Benchmark PCN")
        db.session.add_all([hub, pcn])
        db.session.flush()
        password = generate_password_hash("benchmark-password")
        admin = User(
            email="admin@bench.example", name="Admin", password_hash=password, hub_id=hub.id, hub_role=HubRole.HUB_ADMIN.value
        )
        db.session.add(admin)
        db.session.flush()
        db.session.execute(
            insert(User),
            [
                {"email": f"p{n}@bench.example", "name": f"P {n}", "password_hash": password, "hub_id": hub.id, "pcn_id": pcn.id}
                for n in range(participants)
            ],
        )
        user_ids = [row[0] for row in db.session.execute(text("SELECT id FROM user_account WHERE email LIKE 'p%@bench.example'"))]
        spec = [{"kind": AGREEMENT, "text": f"Statement {i + 1}", "core": True, "asked_at": "pre,post"} for i in range(items)]
        instrument = services.create_instrument(hub.id, "Benchmark survey", "", [{"title": "Items", "items": spec}])
        now = utcnow()
        window = (now - timedelta(days=30), now + timedelta(days=30))
        attachments = [
            services.attach(instrument, "hub", hub.id, f"Cohort {c}", {"pre": window, "post": window}) for c in range(COHORTS)
        ]
        item_ids = [i.id for i in instrument.items]
        db.session.commit()
        made = 0
        for attachment in attachments:
            db.session.execute(
                insert(Invitee), [{"attachment_id": attachment.id, "user_id": u, "subgroup": attachment.label} for u in user_ids]
            )
            for timepoint in ("pre", "post"):
                batch = [
                    {
                        "attachment_id": attachment.id,
                        "timepoint": timepoint,
                        "respondent_key": services.respondent_key(instrument, u),
                        "status": Response.SUBMITTED,
                        "subgroup": attachment.label,
                        "pcn_id": pcn.id,
                        "professional_role": "gp",
                        "created_at": now,
                        "updated_at": now,
                        "submitted_at": now,
                    }
                    for u in user_ids
                ]
                db.session.execute(insert(Response), batch)
                made += len(batch)
                ids = [
                    row[0]
                    for row in db.session.execute(
                        text("SELECT id FROM evaluation_response WHERE attachment_id = :a AND timepoint = :t"),
                        {"a": attachment.id, "t": timepoint},
                    )
                ]
                shift = 1 if timepoint == "post" else 0
                answers = [
                    {
                        "response_id": rid,
                        "item_id": iid,
                        "value": min(5, rng.randint(1, 4) + (shift if rng.random() < 0.5 else 0)),
                    }
                    for rid in ids
                    for iid in item_ids
                ]
                for start in range(0, len(answers), 50_000):
                    db.session.execute(insert(Answer), answers[start : start + 50_000])
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Fresh statistics, as autovacuum keeps them on a running server (without them the
            # planner takes these bulk-loaded tables for empty ones).
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        return app, admin.id, instrument.id, made


def add_programme(app, instrument_id: int, pairs: int) -> int:  # type: ignore[no-untyped-def]
    """Attach the instrument to one ALS programme whose ``pairs`` people answer before and after; returns its id."""
    from datetime import timedelta

    from learnhub.evaluation import services
    from learnhub.evaluation.models import Answer, Instrument, Invitee, Response
    from learnhub.extensions import db
    from learnhub.timeutil import utcnow

    rng = random.Random(2)
    with app.app_context():
        instrument = db.session.get(Instrument, instrument_id)
        now = utcnow()
        window = (now - timedelta(days=30), now + timedelta(days=30))
        attachment = services.attach(instrument, "als_programme", 1, "ALS programme 1", {"pre": window, "post": window})
        user_ids = [
            row[0]
            for row in db.session.execute(
                text("SELECT id FROM user_account WHERE email LIKE 'p%@bench.example' ORDER BY id LIMIT :n"), {"n": pairs}
            )
        ]
        invitees = [{"attachment_id": attachment.id, "user_id": u, "subgroup": "set-1"} for u in user_ids]
        db.session.execute(insert(Invitee), invitees)
        item_ids = [i.id for i in instrument.items]
        for timepoint in ("pre", "post"):
            rows = [
                {
                    "attachment_id": attachment.id,
                    "timepoint": timepoint,
                    "respondent_key": services.respondent_key(instrument, u),
                    "status": Response.SUBMITTED,
                    "subgroup": "set-1",
                    "pcn_id": None,
                    "professional_role": "gp",
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                }
                for u in user_ids
            ]
            db.session.execute(insert(Response), rows)
            ids = [
                row[0]
                for row in db.session.execute(
                    text("SELECT id FROM evaluation_response WHERE attachment_id = :a AND timepoint = :t"),
                    {"a": attachment.id, "t": timepoint},
                )
            ]
            # Answers 2-4 before; after, most move up by 0 or 1 point: ties and zeros in every item.
            shift = 1 if timepoint == "post" else 0
            answers = [
                {"response_id": rid, "item_id": iid, "value": min(5, rng.randint(2, 4) + (shift if rng.random() < 0.6 else 0))}
                for rid in ids
                for iid in item_ids
            ]
            db.session.execute(insert(Answer), answers)
        db.session.commit()
        return attachment.id


def rebuild_aggregates(app, instrument_id: int) -> float:  # type: ignore[no-untyped-def]
    """Fill the aggregate tables from the bulk-inserted answers (as ``flask evaluation rebuild-aggregates``); returns seconds."""
    from learnhub.evaluation.models import Instrument
    from learnhub.evaluation.services import aggregates
    from learnhub.extensions import db

    with app.app_context():
        started = time.perf_counter()
        aggregates.rebuild(db.session.get(Instrument, instrument_id))
        db.session.commit()
        seconds = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    return seconds


def measure(app, admin_id: int, instrument_id: int, programme_id: int | None = None, pdf: bool = True, raw: bool = True) -> dict:  # type: ignore[no-untyped-def]
    """Server time and statements per page, and the raw aggregate time."""
    from learnhub.accounts.models import User
    from learnhub.extensions import db

    client = app.test_client()
    with app.app_context():
        session_id = db.session.get(User, admin_id).get_id()
        engine = db.engine
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    out: dict = {}
    for name, path in (
        ("results page", f"/evaluation/instruments/{instrument_id}/results"),
        ("results, one slice", f"/evaluation/instruments/{instrument_id}/results?subgroup=Cohort+1"),
        ("CSV export", f"/evaluation/instruments/{instrument_id}/results.csv"),
        *(
            [
                (PROGRAMME_PAGE, f"/evaluation/instruments/{instrument_id}/results?attachment={programme_id}"),
            ]
            if programme_id
            else []
        ),
        *(
            [
                ("PDF report", f"/evaluation/instruments/{instrument_id}/report.pdf"),
                ("PDF, one programme", f"/evaluation/instruments/{instrument_id}/report.pdf?attachment={programme_id}"),
            ]
            if programme_id and pdf
            else []
        ),
    ):
        client.get(path)  # warm caches
        times = []
        for _ in range(3):
            statements.clear()
            event.listen(engine, "before_cursor_execute", count)
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
            event.remove(engine, "before_cursor_execute", count)
            assert response.status_code == 200, response.status_code
        out[name] = (statistics.median(times), len(statements))
    if not raw:
        out["raw SQL aggregates"] = (float("nan"), 0)
        return out
    with app.app_context():
        raw = [RAW_DISTRIBUTION, RAW_DIFFERENCES, RAW_COMPOSITE[db.engine.dialect.name]]
        times = []
        for _ in range(3):
            started = time.perf_counter()
            for query in raw:
                db.session.execute(text(query), {"instrument": instrument_id}).all()
            times.append(time.perf_counter() - started)
        out["raw SQL aggregates"] = (statistics.median(times), len(raw))
    return out


def main() -> None:
    """Run the benchmark for each size given."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, action="append", help="number of responses (repeatable)")
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--programme-pairs", type=int, default=12, help="matched pairs in the small ALS programme (0: none)")
    parser.add_argument("--no-pdf", action="store_true", help="leave out the PDF reports")
    parser.add_argument("--no-raw", action="store_true", help="leave out the raw SQL baseline (minutes at 100,000 responses)")
    args = parser.parse_args()
    sizes = args.responses or [1000]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            url = args.database or f"sqlite:///{Path(tmp) / f'bench-{size}.sqlite'}"
            started = time.perf_counter()
            app, admin_id, instrument_id, made = build(url, size, args.items)
            seeded = time.perf_counter() - started
            engine_name = url.split(":")[0]
            answers = made * args.items
            print(f"\n{made:,} responses × {args.items} items ({answers:,} answers), seeded in {seeded:.1f} s on {engine_name}")
            programme_id = add_programme(app, instrument_id, args.programme_pairs) if args.programme_pairs else None
            rebuilt = rebuild_aggregates(app, instrument_id)
            print(f"  aggregates rebuilt from the answers in {rebuilt:.1f} s")
            figures = measure(app, admin_id, instrument_id, programme_id, pdf=not args.no_pdf, raw=not args.no_raw)
            raw = figures["raw SQL aggregates"][0]
            for name, (seconds, statements) in figures.items():
                ratio = f"   {seconds / raw:4.1f}× raw" if name != "raw SQL aggregates" else ""
                print(f"  {name:<22} {seconds * 1000:9.1f} ms   {statements:3d} SQL statements{ratio}")
            if programme_id:
                small, whole = figures[PROGRAMME_PAGE][0], figures["results page"][0]
                pairs = args.programme_pairs
                print(f"  one ALS programme ({pairs} matched pairs) / unfiltered page: {small / whole:.2f}× (goal ≤ 1.5×)")
                if "PDF report" in figures:
                    small, whole = figures["PDF, one programme"][0], figures["PDF report"][0]
                    print(f"  one ALS programme ({pairs} matched pairs) / unfiltered PDF:  {small / whole:.2f}×")
            rows.append((made, figures))
    if len(rows) > 1:
        counts = {made: [f[1] for name, f in figures.items() if name != "raw SQL aggregates"] for made, figures in rows}
        print(
            "\nStatements per page by size:",
            counts,
            "(equal)" if len({tuple(v) for v in counts.values()}) == 1 else "(DIFFERENT)",
        )
        (smallest, first), (largest, last) = min(rows, key=lambda r: r[0]), max(rows, key=lambda r: r[0])
        print(f"\nTime at {largest:,} responses / time at {smallest:,} responses (goal for the results page ≤ 1.5×):")
        for name in first:
            big, small = last[name][0], first[name][0]
            print(f"  {name:<22} {big * 1000:9.1f} / {small * 1000:7.1f} ms = {big / small:5.2f}×")


if __name__ == "__main__":
    main()
