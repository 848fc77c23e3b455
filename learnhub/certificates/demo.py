"""Demo: the supervision course grants eligibility; its completion then issues a certificate.

Runs after the courses step has created the course and before ``courses.demo:seed_completions``
completes it for Dr Priya Shah (gp.learner@example.org), whose certificate is then issued by
the completion callback with the eligibility declared here.
"""

from sqlalchemy import select

from learnhub.certificates.models import Certificate
from learnhub.eligibility.models import EligibilityDeclaration
from learnhub.extensions import db

#: (eligibility type, months, renewal window days)
DEMO_DECLARATIONS = [("arrs_clinical_supervisor", 36, 90), ("personalised_care_supervisor", 36, 90)]


def seed(ctx) -> None:  # type: ignore[no-untyped-def]
    """Declare the demo course's eligibility (idempotent)."""
    course = ctx.objects.get("course")
    if course is None:
        return
    for kind, months, window in DEMO_DECLARATIONS:
        exists = db.session.scalar(
            select(EligibilityDeclaration).where(
                EligibilityDeclaration.course_id == course.id, EligibilityDeclaration.eligibility_type == kind
            )
        )
        if exists is None:
            db.session.add(
                EligibilityDeclaration(
                    course_id=course.id,
                    hub_id=course.hub_id,
                    eligibility_type=kind,
                    validity_months=months,
                    renewal_window_days=window,
                )
            )
    db.session.commit()


def report(ctx) -> None:  # type: ignore[no-untyped-def]
    """Print the demo certificate's verify code."""
    for cert in db.session.scalars(select(Certificate).where(Certificate.status == Certificate.VALID).limit(3)):
        ctx.notes.append(f"Certificate for {cert.holder_name}: verify code {cert.display_code}")
