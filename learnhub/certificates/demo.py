"""Demo: the supervision course grants eligibility; its completion then issues a certificate.

Runs after the courses step has created the course and before ``courses.demo:seed_completions``
completes it for Dr Priya Shah (gp.learner@example.org), whose certificate is then issued by
the completion callback with the eligibility declared here.
"""

from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.certificates.models import Certificate
from learnhub.eligibility.models import EligibilityDeclaration, PcnLead
from learnhub.extensions import db
from learnhub.organisations.models import Pcn

#: (eligibility type, months, renewal window days)
DEMO_DECLARATIONS = [("arrs_clinical_supervisor", 36, 90), ("personalised_care_supervisor", 36, 90)]
#: (email, PCN): a GP who leads a PCN and so reads its part of the supervisor register.
DEMO_PCN_LEAD = ("facilitator2@example.org", "Riverside PCN")


def seed(ctx) -> None:  # type: ignore[no-untyped-def]
    """Declare the demo course's eligibility and give the demo PCN lead their access (idempotent)."""
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
    email, pcn_name = DEMO_PCN_LEAD
    lead = db.session.scalar(select(User).where(User.email == email))
    pcn = db.session.scalar(select(Pcn).where(Pcn.hub_id == course.hub_id, Pcn.name == pcn_name))
    if lead is not None and pcn is not None:
        granted = db.session.scalar(select(PcnLead).where(PcnLead.user_id == lead.id, PcnLead.pcn_id == pcn.id))
        if granted is None:
            db.session.add(PcnLead(user_id=lead.id, pcn_id=pcn.id))
        ctx.notes.append(f"PCN lead: {email} reads the supervisor register of {pcn_name} at /pcn/eligibility")
    db.session.commit()


def report(ctx) -> None:  # type: ignore[no-untyped-def]
    """Print the demo certificate's verify code."""
    for cert in db.session.scalars(select(Certificate).where(Certificate.status == Certificate.VALID).limit(3)):
        ctx.notes.append(f"Certificate for {cert.holder_name}: verify code {cert.display_code}")
