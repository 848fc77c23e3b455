"""A learner's record of learning: every completion of every course, with its certificates.

Re-taking a course adds a completion; the earlier one stays on the record (with its own,
possibly superseded or expired, certificate), so an appraisal can show the whole history.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from learnhub.certificates.models import Certificate
from learnhub.extensions import db


@dataclass
class Entry:
    """One completion on the record."""

    course_title: str
    completed_on: date
    cpd_hours: Decimal
    #: Every version of the certificate issued for this completion, newest first, with its state today.
    certificates: list[tuple[Certificate, str]] = field(default_factory=list)


def record_of_learning(user_id: int, today: date) -> list[Entry]:
    """The user's completions in force, newest first, each with its certificates (two statements).

    A withdrawn completion (attendance removed, or withdrawn by a hub administrator) is not on
    the record and its CPD hours do not count; its revoked certificate stays in My certificates.
    """
    from learnhub.courses.models import CourseCompletion

    completions = db.session.scalars(
        select(CourseCompletion)
        .where(CourseCompletion.user_id == user_id, CourseCompletion.withdrawn_at.is_(None))
        .options(selectinload(CourseCompletion.course))
        .order_by(CourseCompletion.completed_at.desc(), CourseCompletion.id.desc())
    ).all()
    certs = db.session.scalars(
        select(Certificate)
        .where(Certificate.user_id == user_id, Certificate.completion_id.in_([c.id for c in completions]))
        .order_by(Certificate.version.desc(), Certificate.id.desc())
    ).all()
    by_completion: dict[int, list[Certificate]] = {}
    for cert in certs:
        by_completion.setdefault(cert.completion_id or 0, []).append(cert)
    return [
        Entry(
            course_title=completion.course.title,
            completed_on=completion.completed_at.date(),
            cpd_hours=completion.cpd_hours,
            certificates=[(cert, cert.state_on(today)) for cert in by_completion.get(completion.id, [])],
        )
        for completion in completions
    ]


def total_hours(entries: list[Entry]) -> Decimal:
    """CPD hours of every completion on the record."""
    return sum((entry.cpd_hours for entry in entries), Decimal("0"))
