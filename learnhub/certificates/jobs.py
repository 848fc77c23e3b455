"""Bulk issue and re-issue: on an RQ worker when Redis is configured, inline otherwise.

If Redis is configured but cannot be reached, the job runs inline too (and a warning is
logged), so an administrator's bulk issue never fails because the queue is down.

Worker: ``.venv/bin/rq worker learnhub-certificates --url "$LEARNHUB_REDIS_URL"`` (the job
builds its own app from the same ``LEARNHUB_*`` environment).
"""

from flask import current_app
from sqlalchemy import select
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
        from rq import Queue

        try:
            connection = Redis.from_url(str(redis_url), socket_connect_timeout=3, socket_timeout=5)
            Queue(QUEUE, connection=connection).enqueue(run_in_new_app, job.id, job_timeout=3600)
            return
        except RedisError as error:
            # Degrade as documented (docs/operations.md): do the work now, in this request.
            current_app.logger.warning("job queue (Redis) is unavailable, running bulk job %s inline: %s", job.id, error)
    run_bulk_job(job.id)


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
                services.reissue_certificate(None, cert, cert.user.name, hub_as_now=True)
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


def _issue_item(hub_id: int, item: object) -> None:
    """Issue the certificate of one completion of this hub's courses (nothing if it has one)."""
    from learnhub.certificates.services import issue_for_completion
    from learnhub.courses.models import CourseCompletion

    completion = db.session.get(CourseCompletion, int(item))  # type: ignore[call-overload]
    if completion is None or completion.course.hub_id != hub_id:
        raise KeyError("not a completion of this hub's courses")
    issue_for_completion(completion)


def pending_jobs(hub_id: int, cohort_id: int | None = None) -> list[BulkJob]:
    """Unfinished jobs of a hub (of one cohort, when given), oldest first."""
    stmt = select(BulkJob).where(BulkJob.hub_id == hub_id, BulkJob.state != "finished")
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
