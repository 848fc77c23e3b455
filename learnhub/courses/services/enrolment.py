"""Enrolment on cohorts: places, the waiting list, re-takes. Never commits.

Places are counted under a lock on the cohort row, so learners enrolling at the same moment
cannot take more places than the cohort has: ``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite
a write to the cohort row first, which takes the database's single write lock and so
serialises enrolments until the request commits.
"""

from dataclasses import dataclass

from sqlalchemy import func, select, update

from learnhub.accounts.models import User
from learnhub.audit import Action, audit
from learnhub.courses.models import Cohort, Enrolment
from learnhub.courses.services.common import current_enrolment
from learnhub.extensions import db
from learnhub.idempotent import insert_or_get
from learnhub.notifications.categories import COURSES
from learnhub.notifications.services import notify
from learnhub.roles import HubRole
from learnhub.urls import external_url


@dataclass
class EnrolOutcome:
    """What happened when someone was enrolled."""

    enrolment: Enrolment
    created: bool
    waiting: bool


def places_taken(cohort: Cohort) -> int:
    """Enrolled (not waiting) learners in a cohort."""
    return (
        db.session.scalar(select(func.count()).where(Enrolment.cohort_id == cohort.id, Enrolment.status == Enrolment.ENROLLED))
        or 0
    )


def lock_cohort(cohort: Cohort) -> None:
    """Hold the cohort row until the transaction ends, so places are counted by one request at a time."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())
    else:
        table = Cohort.__table__
        db.session.execute(update(table).where(table.c.id == cohort.id).values(capacity=table.c.capacity))


def _enrol(cohort: Cohort, user: User) -> EnrolOutcome:
    """Enrol one person; the caller holds the cohort lock."""
    latest = current_enrolment(cohort.course_id, user.id)
    if latest is not None and latest.completed_at is None:
        return EnrolOutcome(latest, False, latest.is_waiting)
    full = cohort.capacity is not None and places_taken(cohort) >= cohort.capacity
    enrolment, created = insert_or_get(
        Enrolment,
        key={"course_id": cohort.course_id, "user_id": user.id, "attempt": (latest.attempt + 1) if latest else 1},
        values={"cohort_id": cohort.id, "status": Enrolment.WAITING if full else Enrolment.ENROLLED},
    )
    if created:
        _tell_enrolled(cohort, user, enrolment)
    return EnrolOutcome(enrolment, created, enrolment.is_waiting)


def _tell_enrolled(cohort: Cohort, user: User, enrolment: Enrolment) -> None:
    """Queue "you are enrolled" or "you are on the waiting list" (sent after commit)."""
    kind = "waiting" if enrolment.is_waiting else "enrolled"
    notify(
        f"{kind}:enrolment-{enrolment.id}",
        category=COURSES,
        user=user,
        template=kind,
        context={
            "title": cohort.course.title,
            "cohort_name": cohort.name,
            "link": external_url("courses.course_page", course_id=cohort.course_id),
        },
    )


def enrol(actor: User, cohort: Cohort, user: User) -> EnrolOutcome:
    """Enrol someone (or put them on the waiting list when the cohort is full).

    Someone already on the course is left as they are; someone who completed it starts a
    re-take: a new enrolment with the next attempt number, the old one kept.
    """
    lock_cohort(cohort)
    outcome = _enrol(cohort, user)
    if outcome.created:
        details = {"waiting": outcome.waiting, "attempt": outcome.enrolment.attempt}
        audit(actor, Action.COURSE_ENROLLED, cohort=cohort.id, user=user.id, **details)
    return outcome


def enrol_many(actor: User, cohort: Cohort, user_ids: list[int]) -> list[EnrolOutcome]:
    """Enrol several people in one transaction."""
    lock_cohort(cohort)
    users = db.session.scalars(select(User).where(User.id.in_(user_ids))).all()
    outcomes = [_enrol(cohort, u) for u in users]
    db.session.flush()
    audit(actor, Action.COURSE_ENROLLED_FROM_CSV, cohort=cohort.id, count=sum(o.created for o in outcomes))
    return outcomes


def promote_waiting(actor: User, cohort: Cohort) -> int:
    """Give free places to the waiting list in the order people joined it; returns how many.

    Each person promoted is emailed once the change has been committed.
    """
    lock_cohort(cohort)
    free = None if cohort.capacity is None else cohort.capacity - places_taken(cohort)
    waiting = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.cohort_id == cohort.id, Enrolment.status == Enrolment.WAITING)
        .order_by(Enrolment.id)
        .execution_options(populate_existing=True)
    ).all()
    promoted = list(waiting) if free is None else list(waiting[: max(free, 0)])
    for e in promoted:
        e.status = Enrolment.ENROLLED
    if not promoted:
        return 0
    db.session.flush()
    audit(actor, Action.COURSE_WAITING_PROMOTED, cohort=cohort.id, count=len(promoted))
    title, cohort_name = cohort.course.title, cohort.name
    link = external_url("courses.course_page", course_id=cohort.course_id)
    for e in promoted:
        notify(
            f"promoted:enrolment-{e.id}",
            category=COURSES,
            user=e.user,
            template="promoted",
            context={"title": title, "cohort_name": cohort_name, "link": link},
        )
    return len(promoted)


def hub_contacts(hub_id: int) -> list[User]:
    """The hub's administrators, whom a learner asks to be enrolled."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.hub_id == hub_id, User.hub_role == HubRole.HUB_ADMIN.value, User.erased_at.is_(None))
            .order_by(User.name)
        )
    )
