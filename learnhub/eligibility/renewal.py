"""Renewal prompts: what a holder whose renewal window has opened is offered, and where.

Home, My learning and My certificates show, for each eligibility of the signed-in person that
is due for renewal (or has expired), the courses of their hub that grant it and the cohorts of
each course still to run: a button to enrol (a re-take) where the cohort takes self-enrolment,
else the hub's contacts to ask. A re-take already under way is shown instead of the cohorts.
Read-only; eligibility records count, not certificates (a revoked certificate's eligibility
is revoked, so it prompts nothing).
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from learnhub.accounts.models import User
from learnhub.courses.models import Cohort, Course, Enrolment
from learnhub.courses.services import current_enrolment, hub_contacts, places_taken
from learnhub.eligibility.certification import Status
from learnhub.eligibility.models import EligibilityDeclaration, EligibilityRecord
from learnhub.extensions import db


@dataclass
class CohortOffer:
    """A cohort of the course still to run, and whether the person can enrol themselves."""

    cohort: Cohort
    self_enrol: bool
    full: bool


@dataclass
class RenewalPrompt:
    """One course that renews one or more of the person's eligibilities (course None: no course does)."""

    course: Course | None
    #: (record, status on the day: due or expired), soonest expiry first.
    records: list[tuple[EligibilityRecord, Status]] = field(default_factory=list)
    cohorts: list[CohortOffer] = field(default_factory=list)
    #: The re-take the person is already on (not completed), if any.
    retake: Enrolment | None = None

    @property
    def self_enrol_cohorts(self) -> list[CohortOffer]:
        """Cohorts the person can join with a button."""
        return [o for o in self.cohorts if o.self_enrol]

    @property
    def ask_hub(self) -> bool:
        """Nothing to join with a button: the person asks the hub to enrol them."""
        return self.retake is None and not self.self_enrol_cohorts


@dataclass
class Renewals:
    """Every renewal prompt for a person, with whom to ask."""

    prompts: list[RenewalPrompt]
    contacts: list[User]


def renewals_due(user: User, today: date | None = None) -> Renewals:
    """The person's eligibilities due for renewal or expired, grouped by the course that renews them."""
    today = today or date.today()
    if user.hub_id is None:
        return Renewals([], [])
    records = db.session.scalars(
        select(EligibilityRecord)
        .where(EligibilityRecord.user_id == user.id, EligibilityRecord.revoked_at.is_(None))
        .order_by(EligibilityRecord.expires_on, EligibilityRecord.id)
    ).all()
    due = [(r, r.status_on(today)) for r in records if r.status_on(today) in (Status.DUE, Status.EXPIRED)]
    if not due:
        return Renewals([], [])
    types = {r.eligibility_type for r, _ in due}
    courses_by_type: dict[str, list[Course]] = {}
    rows = db.session.execute(
        select(EligibilityDeclaration.eligibility_type, Course)
        .join(Course, Course.id == EligibilityDeclaration.course_id)
        .where(
            EligibilityDeclaration.eligibility_type.in_(types),
            Course.hub_id == user.hub_id,
            Course.published.is_(True),
        )
        .order_by(Course.title, Course.id)
        .options(selectinload(Course.cohorts))
    ).all()
    for kind, course in rows:
        courses_by_type.setdefault(kind, []).append(course)
    prompts: dict[int | None, RenewalPrompt] = {}
    for record, status in due:
        for course in courses_by_type.get(record.eligibility_type, [None]):  # type: ignore[list-item]
            key = course.id if course is not None else None
            prompt = prompts.setdefault(key, RenewalPrompt(course))
            prompt.records.append((record, status))
    for prompt in prompts.values():
        if prompt.course is not None:
            _offer(prompt, user, today)
    ordered = sorted(prompts.values(), key=lambda p: (p.course is None, p.records[0][0].expires_on))
    return Renewals(ordered, hub_contacts(user.hub_id))


def _offer(prompt: RenewalPrompt, user: User, today: date) -> None:
    course = prompt.course
    assert course is not None
    latest = current_enrolment(course.id, user.id)
    if latest is not None and latest.completed_at is None:
        prompt.retake = latest
        return
    for cohort in course.cohorts:
        if cohort.ends_on is not None and cohort.ends_on < today:
            continue
        full = cohort.capacity is not None and places_taken(cohort) >= cohort.capacity
        prompt.cohorts.append(CohortOffer(cohort, bool(cohort.self_enrolment_open), full))
