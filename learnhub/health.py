"""What ``/healthz`` reports: version, database, Redis, rate limits, the job queue, bulk jobs and mail.

Every check has a short timeout, so the page answers within seconds even when a dependency
hangs (the database's connect and statement timeouts are ``DATABASE_CONNECT_TIMEOUT`` and
``DATABASE_STATEMENT_TIMEOUT_MS``). A fallback in force (Redis unreachable: rate limits
counted in each worker's memory, bulk jobs run inline; emails waiting in the outbox while a
mail server is set) makes the status "degraded" and is logged as a warning each time it is seen.
"""

import importlib.metadata
import time
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import func, select, text

from learnhub.extensions import db, limiter


def version() -> str:
    """The installed package's version (pyproject.toml), e.g. "0.2.0"."""
    try:
        return importlib.metadata.version("learnhub")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _database() -> dict:
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception as error:  # noqa: BLE001 - any failure means "database down"
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001
            db.session().invalidate()
        current_app.logger.warning("healthz: database check failed: %s", error)
        return {"status": "error", "error": type(error).__name__, "elapsed_ms": _ms(started)}
    return {"status": "ok", "dialect": db.engine.dialect.name, "elapsed_ms": _ms(started)}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _redis_and_queue(redis_url: str) -> tuple[dict, dict]:
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue, Worker

    from learnhub.certificates.jobs import QUEUE

    started = time.perf_counter()
    try:
        connection = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
        connection.ping()
        queue = Queue(QUEUE, connection=connection)
        depth = queue.count
        oldest_age = None
        ids = queue.get_job_ids(0, 1)
        if ids:
            job = queue.fetch_job(ids[0])
            if job is not None and job.enqueued_at is not None:
                enqueued = job.enqueued_at if job.enqueued_at.tzinfo else job.enqueued_at.replace(tzinfo=UTC)
                oldest_age = round((datetime.now(UTC) - enqueued).total_seconds(), 1)
        workers = Worker.count(queue=queue)
    except (RedisError, OSError) as error:
        current_app.logger.warning(
            "healthz: Redis unreachable (%s): rate limits are counted in each worker's memory and bulk jobs run inline",
            type(error).__name__,
        )
        return {"status": "error", "error": type(error).__name__, "elapsed_ms": _ms(started)}, {"status": "unknown"}
    redis = {"status": "ok", "elapsed_ms": _ms(started)}
    queue_report = {
        "status": "ok" if workers else "no worker",
        "name": QUEUE,
        "depth": depth,
        "oldest_job_age_s": oldest_age,
        "workers": workers,
    }
    if not workers:
        current_app.logger.warning("healthz: no RQ worker is listening on %s; queued bulk jobs wait (%s queued)", QUEUE, depth)
    return redis, queue_report


def _rate_limits() -> dict:
    storage = str(current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://").split(":", 1)[0]
    fallback = bool(getattr(limiter, "_storage_dead", False))
    if fallback:
        current_app.logger.warning(
            "healthz: rate-limit storage (%s) unreachable: limits are counted in this worker's memory", storage
        )
    return {"storage": storage, "in_memory_fallback": fallback}


def _bulk_jobs() -> dict:
    from learnhub.certificates.models import BulkJob

    try:
        unfinished = db.session.execute(
            select(func.count(BulkJob.id), func.min(BulkJob.created_at)).where(BulkJob.state.in_(("queued", "running")))
        ).one()
        db.session.rollback()
    except Exception:  # noqa: BLE001 - reported under "database"
        db.session.rollback()
        return {"status": "unknown"}
    count, oldest = unfinished
    age = None
    if oldest is not None:
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
        age = round((datetime.now(UTC) - oldest).total_seconds(), 1)
    return {"unfinished": count, "oldest_unfinished_age_s": age}


def _mail() -> dict:
    """Messages in the outbox the mail server has not taken (retrying, failed; bounced apart)."""
    from learnhub.mail import waiting_messages

    try:
        found = waiting_messages(current_app._get_current_object())  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - reported under "database"
        return {"status": "unknown"}
    bounced = sum(1 for m in found if m.status == "bounced")
    waiting = len(found) - bounced
    if not current_app.config.get("MAIL_SERVER"):
        return {"status": "not configured", "waiting": waiting, "bounced": bounced}
    if waiting:
        current_app.logger.warning("healthz: %s email(s) waiting in the outbox: run 'flask --app learnhub mail resend'", waiting)
        return {"status": "messages waiting", "waiting": waiting, "bounced": bounced}
    return {"status": "ok", "waiting": 0, "bounced": bounced}


def report() -> dict:
    """The whole report (``status``: ok, degraded or error)."""
    started = time.perf_counter()
    database = _database()
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        redis, queue = _redis_and_queue(str(redis_url))
    else:
        redis = {"status": "not configured"}
        queue = {"status": "inline", "note": "no Redis: bulk jobs run inside the request that starts them"}
    rate_limits = _rate_limits()
    body = {
        "status": "ok",
        "app": {"status": "ok", "version": version()},
        "database": database,
        "redis": redis,
        "queue": queue,
        "rate_limits": rate_limits,
        "bulk_jobs": _bulk_jobs() if database["status"] == "ok" else {"status": "unknown"},
        "mail": _mail(),
    }
    if database["status"] != "ok":
        body["status"] = "error"
    elif (
        redis["status"] == "error"
        or rate_limits["in_memory_fallback"]
        or queue.get("status") == "no worker"
        or body["mail"]["status"] == "messages waiting"
    ):
        body["status"] = "degraded"
    body["elapsed_ms"] = _ms(started)
    return body
