"""Bulk issue and re-issue: on an RQ worker when Redis is configured, inline otherwise.

If Redis is configured but cannot be reached, the job runs inline too (and a warning is
logged), so an administrator's bulk issue never fails because the queue is down.

Worker: ``.venv/bin/rq worker learnhub-certificates --url "$LEARNHUB_REDIS_URL"`` (the job
builds its own app from the same ``LEARNHUB_*`` environment).
"""

from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.accounts.services import audit
from learnhub.certificates.models import BulkJob, Certificate
from learnhub.extensions import db
from learnhub.organisations.models import Hub
from learnhub.timeutil import utcnow

QUEUE = "learnhub-certificates"


def start_bulk_job(actor: User | None, hub_id: int, kind: str, items: list) -> BulkJob:
    """Record a bulk job and start it: queued on RQ with REDIS_URL, else run now."""
    job = BulkJob(hub_id=hub_id, created_by_id=actor.id if actor else None, kind=kind, items=items, total=len(items))
    db.session.add(job)
    db.session.flush()
    audit(actor, "bulk certificate job", job=job.id, kind=kind, total=len(items))
    db.session.commit()
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        from redis import Redis
        from redis.exceptions import RedisError
        from rq import Queue

        try:
            connection = Redis.from_url(str(redis_url), socket_connect_timeout=3, socket_timeout=5)
            Queue(QUEUE, connection=connection).enqueue(run_in_new_app, job.id, job_timeout=3600)
            return job
        except RedisError as error:
            # Degrade as documented (docs/operations.md): do the work now, in this request.
            current_app.logger.warning("job queue (Redis) is unavailable, running bulk job %s inline: %s", job.id, error)
    run_bulk_job(job.id)
    return job


def run_in_new_app(job_id: int) -> None:
    """RQ entry point: build the app from the environment and run the job."""
    from learnhub import create_app

    app = create_app()
    with app.app_context():
        run_bulk_job(job_id)


def run_bulk_job(job_id: int) -> None:
    """Work through a job's items, committing after each so progress shows and nothing is lost."""
    from learnhub.certificates import services

    job = db.session.get(BulkJob, job_id)
    if job is None or job.state == "finished":
        return
    job.state = "running"
    db.session.commit()
    for item in list(job.items)[job.done + job.failed :]:
        try:
            if job.kind == "reissue":
                cert = db.session.get(Certificate, int(item))
                if cert is None or cert.hub_id != job.hub_id or cert.status != Certificate.VALID:
                    raise services.CertificateError("not a current certificate of this hub")
                services.reissue_certificate(None, cert, cert.user.name)
            else:
                _issue_item(job.hub_id, item)
            job.done += 1
        except (services.CertificateError, ValueError, KeyError, TypeError) as problem:
            db.session.rollback()
            current_app.logger.warning("bulk job %s: item %r failed: %s", job.id, item, problem)
            job.failed += 1
        db.session.commit()
    job.state = "finished"
    job.finished_at = utcnow()
    db.session.commit()


def _issue_item(hub_id: int, item: dict) -> None:
    from learnhub.certificates.services import issue_certificate

    user = db.session.get(User, int(item["user_id"]))
    hub = db.session.get(Hub, hub_id)
    if user is None or hub is None:
        raise KeyError("user or hub not found")
    issue_certificate(
        user=user,
        hub=hub,
        course_id=int(item["course_id"]),
        completion_id=item.get("completion_id"),
        course_title=str(item["course_title"]),
        cpd_hours=Decimal(str(item["cpd_hours"])),
        outcomes=list(item.get("outcomes") or []),
        completed_at=date.fromisoformat(item["completed_on"]),
    )


def pending_jobs(hub_id: int) -> list[BulkJob]:
    """Unfinished jobs of a hub."""
    return list(db.session.scalars(select(BulkJob).where(BulkJob.hub_id == hub_id, BulkJob.state != "finished")))
