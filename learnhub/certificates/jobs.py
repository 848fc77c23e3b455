"""Bulk issue and re-issue: on an RQ worker when Redis is configured, inline otherwise.

If Redis is configured but cannot be reached, the job runs inline too (and a warning is
logged), so an administrator's bulk issue never fails because the queue is down.

Worker: ``.venv/bin/flask --app learnhub worker`` (RQ's worker with LearnHub's logging; the job
builds its own app from the same ``LEARNHUB_*`` environment).

Abandoned jobs (the worker, or the gunicorn worker of an inline job, killed mid-job): a runner
first *claims* the job (a conditional UPDATE that succeeds for a queued job, or a running one
whose heartbeat is older than ``BULK_JOB_STALL_SECONDS``), then for each item writes its
progress and heartbeat in the same transaction as the certificate, and only while it still
holds the job. So after a crash the progress counts exactly the certificates committed, a
resumed job starts at the next item, a second runner cannot work on the same job, and a
cancelled job stops at its next item. Certificates are never duplicated: an item is either
committed with its progress or not at all (and issuing is idempotent per completion anyway).
"""

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import NoResultFound

from learnhub.accounts.models import User
from learnhub.audit import Action, audit
from learnhub.certificates.models import BulkJob, Certificate
from learnhub.extensions import db
from learnhub.idempotent import insert_or_get
from learnhub.timeutil import utcnow
from learnhub.transactions import commit

QUEUE = "learnhub-certificates"


def start_bulk_job(actor: User | None, hub_id: int, kind: str, items: list, cohort_id: int | None = None) -> BulkJob:
    """Record a bulk job and start it: queued on RQ with REDIS_URL, else run now.

    Items are completion ids for "issue" and certificate ids for "reissue".
    """
    job = BulkJob(
        hub_id=hub_id,
        created_by_id=actor.id if actor else None,
        kind=kind,
        items=items,
        total=len(items),
        cohort_id=cohort_id,
    )
    db.session.add(job)
    db.session.flush()
    audit(actor, Action.CERTIFICATE_BULK_JOB, job=job.id, kind=kind, total=len(items), cohort=cohort_id)
    launch(job)
    return job


def claim_cohort_job(actor: User, hub_id: int, cohort_id: int, kind: str) -> tuple[BulkJob, bool]:
    """The cohort's unfinished job, creating it (still empty) if there is none: ``(job, created)``.

    Atomic however many requests race (ten clicks, two tabs): the partial unique index
    ``uq_bulk_job_active_cohort`` admits one unfinished job per cohort, and the insert does
    nothing when one exists. A new job has no items yet: the caller fills them with
    :func:`fill_and_launch` now that no other request can start one for this cohort.
    """
    for _ in range(5):
        try:
            return insert_or_get(
                BulkJob,
                key={"cohort_id": cohort_id, "finished_at": None},
                values={"hub_id": hub_id, "created_by_id": actor.id, "kind": kind, "items": [], "total": 0},
            )
        except NoResultFound:
            # The job that stopped this insert finished before it could be read: try again.
            continue
    raise RuntimeError("could not claim the cohort's bulk job")


def fill_and_launch(actor: User | None, job: BulkJob, items: list) -> BulkJob:
    """Give a freshly claimed job its items, audit it and start it."""
    job.items = list(items)
    job.total = len(items)
    db.session.flush()
    audit(actor, Action.CERTIFICATE_BULK_JOB, job=job.id, kind=job.kind, total=job.total, cohort=job.cohort_id)
    launch(job)
    return job


def launch(job: BulkJob) -> None:
    """Commit the job (a worker must be able to read it) and queue it, or run it now.

    Starting a job is its own unit of work: the job row and its audit row are committed here.
    """
    commit()
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        from redis import Redis
        from redis.exceptions import RedisError
        from rq import Queue, Retry

        try:
            connection = Redis.from_url(str(redis_url), socket_connect_timeout=3, socket_timeout=5)
            Queue(QUEUE, connection=connection).enqueue(
                run_in_new_app, job.id, job_timeout=3600, retry=Retry(max=RETRIES, interval=retry_after())
            )
            return
        except RedisError as error:
            # Degrade as documented (docs/operations.md): do the work now, in this request.
            current_app.logger.warning("job queue (Redis) is unavailable, running bulk job %s inline: %s", job.id, error)
    run_bulk_job(job.id)


#: Times RQ runs a bulk job again after it raised (a database restart, a worker killed by the OOM killer).
RETRIES = 2


def retry_after() -> int:
    """Seconds before RQ retries a job that raised: past the stall time, so the retry may claim it again."""
    return int(stall_after().total_seconds()) + 30


def stall_after() -> timedelta:
    """How long without a heartbeat before a queued or running job counts as abandoned."""
    return timedelta(seconds=int(current_app.config.get("BULK_JOB_STALL_SECONDS") or 120))


def is_stalled(job: BulkJob) -> bool:
    """True for an unfinished job that has made no progress for ``BULK_JOB_STALL_SECONDS``."""
    if job.state not in ("queued", "running"):
        return False
    last = job.heartbeat_at or job.created_at
    return last is not None and last < utcnow() - stall_after()


def resume_bulk_job(actor: User, job: BulkJob) -> bool:
    """Start an abandoned job again from its next item; False if it is not abandoned."""
    if not is_stalled(job):
        return False
    audit(actor, Action.CERTIFICATE_BULK_JOB_RESUMED, job=job.id, done=job.done, failed=job.failed, total=job.total)
    db.session.commit()
    current_app.logger.warning(
        "bulk job %s resumed by user %s at item %s of %s", job.id, actor.id, job.done + job.failed, job.total
    )
    launch(job)
    return True


def cancel_bulk_job(actor: User, job: BulkJob) -> bool:
    """Stop an unfinished job (its runner stops before its next item); False if it had already ended."""
    stopped = db.session.execute(
        update(BulkJob)
        .where(BulkJob.id == job.id, BulkJob.state.in_(("queued", "running")))
        .values(state="cancelled", finished_at=utcnow(), runner=None)
    ).rowcount
    if stopped:
        audit(actor, Action.CERTIFICATE_BULK_JOB_CANCELLED, job=job.id, done=job.done, failed=job.failed, total=job.total)
    db.session.commit()
    db.session.refresh(job)
    return bool(stopped)


def _claim(job_id: int, runner: str) -> bool:
    """Take the job for this runner: queued, or running with a stale heartbeat (abandoned)."""
    now = utcnow()
    claimed = db.session.execute(
        update(BulkJob)
        .where(
            BulkJob.id == job_id,
            or_(
                BulkJob.state == "queued",
                and_(
                    BulkJob.state == "running",
                    or_(BulkJob.heartbeat_at.is_(None), BulkJob.heartbeat_at < now - stall_after()),
                ),
            ),
        )
        .values(state="running", runner=runner, heartbeat_at=now)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _record(job_id: int, runner: str, *, done: int = 0, failed: int = 0) -> bool:
    """Count one item and beat the heart, in the current transaction, if this runner still holds the job."""
    return (
        db.session.execute(
            update(BulkJob)
            .where(BulkJob.id == job_id, BulkJob.runner == runner, BulkJob.state == "running")
            .values(done=BulkJob.done + done, failed=BulkJob.failed + failed, heartbeat_at=utcnow())
        ).rowcount
        == 1
    )


def run_in_new_app(job_id: int) -> None:
    """RQ entry point: build the app from the environment and run the job."""
    from learnhub import create_app

    app = create_app()
    with app.app_context():
        run_bulk_job(job_id)


def run_bulk_job(job_id: int) -> None:
    """Work through a job's remaining items; each certificate is committed with its progress.

    Returns at once if the job is finished, cancelled, or held by another live runner.
    """
    from learnhub.certificates import services

    runner = secrets.token_hex(8)
    if not _claim(job_id, runner):
        return
    job = db.session.get(BulkJob, job_id)
    assert job is not None
    kind, hub_id, items = job.kind, job.hub_id, list(job.items)
    position = job.done + job.failed
    db.session.commit()
    for item in items[position:]:
        # Progress is written first, then the certificate, then one commit for both, and only
        # while this runner still holds the job (not cancelled, not taken over after a stall).
        # Writing first also opens the transaction, so the certificate's savepoint cannot
        # commit on its own (SQLite's driver would otherwise begin the transaction at the
        # savepoint and commit it on release).
        if not _record(job_id, runner, done=1):
            db.session.rollback()
            current_app.logger.warning("bulk job %s: stopped (cancelled, or taken over by another runner)", job_id)
            return
        try:
            if kind == "reissue":
                cert = db.session.get(Certificate, int(item))
                if cert is None or cert.hub_id != hub_id or cert.status != Certificate.VALID:
                    raise services.CertificateError("not a current certificate of this hub")
                services.reissue_certificate(None, cert, cert.user.name, hub_as_now=True)
            else:
                _issue_item(hub_id, item)
        except (services.CertificateError, ValueError, KeyError, TypeError) as problem:
            db.session.rollback()
            current_app.logger.warning("bulk job %s: item %r failed: %s", job_id, item, problem)
            if not _record(job_id, runner, failed=1):
                db.session.rollback()
                return
        db.session.commit()
    db.session.execute(
        update(BulkJob)
        .where(BulkJob.id == job_id, BulkJob.runner == runner, BulkJob.state == "running")
        .values(state="finished", finished_at=utcnow())
    )
    db.session.commit()


def _issue_item(hub_id: int, item: object) -> None:
    """Issue the certificate of one completion of this hub's courses (nothing if it has one)."""
    from learnhub.certificates.services import issue_for_completion
    from learnhub.courses.models import CourseCompletion

    completion = db.session.get(CourseCompletion, int(item))  # type: ignore[call-overload]
    if completion is None or completion.course.hub_id != hub_id:
        raise KeyError("not a completion of this hub's courses")
    issue_for_completion(completion)


def jobs_needing_attention(hub_id: int, limit: int = 50) -> list[BulkJob]:
    """The hub's bulk jobs with items that failed, or unfinished and stalled; newest first."""
    candidates = db.session.scalars(
        select(BulkJob)
        .where(BulkJob.hub_id == hub_id, or_(BulkJob.failed > 0, BulkJob.state.in_(("queued", "running"))))
        .order_by(BulkJob.id.desc())
        .limit(limit * 2)
    )
    return [job for job in candidates if job.failed > 0 or is_stalled(job)][:limit]


def queue_failures(hub_id: int) -> list[dict] | None:
    """The hub's bulk jobs in RQ's failed-job registry (retries used up): job id, when, the error's type.

    Only the exception's type is shown (``OperationalError``), never its message, which may
    hold data the hub administrator should not see (another table's values, server names).

    None when there is no queue (no ``REDIS_URL``) or Redis cannot be reached. Other hubs' jobs
    are never listed.
    """
    redis_url = current_app.config.get("REDIS_URL")
    if not redis_url:
        return None
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue
    from rq.job import Job
    from rq.registry import FailedJobRegistry

    try:
        connection = Redis.from_url(str(redis_url), socket_connect_timeout=3, socket_timeout=5)
        registry = FailedJobRegistry(queue=Queue(QUEUE, connection=connection))
        rq_jobs = [j for j in Job.fetch_many(registry.get_job_ids(0, 499), connection=connection) if j is not None]
    except RedisError as error:
        current_app.logger.warning("job queue (Redis) is unavailable for the failed-job view: %s", error)
        return None
    ids = {j.args[0]: j for j in rq_jobs if j.args and isinstance(j.args[0], int)}
    own = set(db.session.scalars(select(BulkJob.id).where(BulkJob.id.in_(list(ids)), BulkJob.hub_id == hub_id))) if ids else set()
    failures = []
    for job_id in sorted(own, reverse=True):
        rq_job = ids[job_id]
        error = (rq_job.latest_result().exc_string if rq_job.latest_result() else "") or ""
        lines = [line for line in error.strip().splitlines() if line.strip()]
        kind = lines[-1].split(":", 1)[0].rsplit(".", 1)[-1].strip() if lines else ""
        failures.append({"job_id": job_id, "ended_at": rq_job.ended_at, "error": kind or "unknown error"})
    return failures


def pending_jobs(hub_id: int, cohort_id: int | None = None) -> list[BulkJob]:
    """Unfinished jobs of a hub (of one cohort, when given), oldest first."""
    stmt = select(BulkJob).where(BulkJob.hub_id == hub_id, BulkJob.state.in_(("queued", "running")))
    if cohort_id is not None:
        stmt = stmt.where(BulkJob.cohort_id == cohort_id)
    return list(db.session.scalars(stmt.order_by(BulkJob.id)))


def cohort_plan(cohort_id: int) -> tuple[list[int], list[int]]:
    """What a bulk job for a cohort would do: (completions with no certificate, current valid certificates).

    Members who completed the course in this cohort and have no current certificate are to be
    issued one; those whose certificate is valid can be re-issued (e.g. after a change of
    signatory or template). Revoked certificates are left alone. Two queries, filtered in SQL.
    """
    from learnhub.courses.models import CourseCompletion, Enrolment

    completed = (
        select(CourseCompletion.id)
        .join(Enrolment, CourseCompletion.enrolment_id == Enrolment.id)
        .where(Enrolment.cohort_id == cohort_id)
    )
    current = select(Certificate.completion_id).where(
        Certificate.completion_id.is_not(None), Certificate.status != Certificate.SUPERSEDED
    )
    to_issue = db.session.scalars(completed.where(CourseCompletion.id.not_in(current)).order_by(CourseCompletion.id)).all()
    to_reissue = db.session.scalars(
        select(Certificate.id)
        .where(Certificate.completion_id.in_(completed), Certificate.status == Certificate.VALID)
        .order_by(Certificate.id)
    ).all()
    return list(to_issue), list(to_reissue)
