"""Demo: the supervision course grants eligibility, and Dr Priya Shah holds its certificate.

Until the courses feature is merged, the course is named by a fixed number and title here.
"""

from datetime import date, timedelta

from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.certificates.services import find_issued, issue_certificate
from learnhub.eligibility.models import EligibilityDeclaration
from learnhub.extensions import db
from learnhub.organisations.demo import HUB_NAME
from learnhub.organisations.models import Hub

DEMO_COURSE_ID = 1
DEMO_COMPLETION_ID = 1
DEMO_COURSE_TITLE = "Supervising ARRS roles in primary care"
DEMO_OUTCOMES = [
    "Describe the clinical and professional supervision each ARRS role needs",
    "Plan a daily debrief and regular supervision sessions for a new practitioner",
    "Use case-based discussion to give feedback and agree learning needs",
    "Recognise when to escalate a concern about practice or safety",
]
#: (eligibility type, months, renewal window days)
DEMO_DECLARATIONS = [("arrs_clinical_supervisor", 36, 90), ("personalised_care_supervisor", 36, 90)]


def seed(ctx) -> None:  # type: ignore[no-untyped-def]
    """Declare the demo course's eligibility and issue the GP learner's certificate (idempotent)."""
    hub = db.session.scalar(select(Hub).where(Hub.name == HUB_NAME))
    user = db.session.scalar(select(User).where(User.email == "gp.learner@example.org"))
    if hub is None or user is None:
        return
    for kind, months, window in DEMO_DECLARATIONS:
        exists = db.session.scalar(
            select(EligibilityDeclaration).where(
                EligibilityDeclaration.course_id == DEMO_COURSE_ID, EligibilityDeclaration.eligibility_type == kind
            )
        )
        if exists is None:
            db.session.add(
                EligibilityDeclaration(
                    course_id=DEMO_COURSE_ID,
                    hub_id=hub.id,
                    eligibility_type=kind,
                    validity_months=months,
                    renewal_window_days=window,
                )
            )
    db.session.commit()
    if find_issued(user.id, DEMO_COURSE_ID, DEMO_COMPLETION_ID) is None:
        cert = issue_certificate(
            user=user,
            hub=hub,
            course_id=DEMO_COURSE_ID,
            completion_id=DEMO_COMPLETION_ID,
            course_title=DEMO_COURSE_TITLE,
            cpd_hours="6.5",
            outcomes=DEMO_OUTCOMES,
            completed_at=date.today() - timedelta(days=14),
        )
        ctx.notes.append(f"Demo certificate for {user.email}: verify code {cert.display_code}")
