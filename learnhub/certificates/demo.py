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
#: The supervision course teaches every kind of ARRS supervision, so it declares every eligibility
#: a qualifying holder should get (a senior clinical pharmacist such as Anil Patel supervises
#: clinical pharmacists; a GP supervises pharmacists and physician associates too).
DEMO_DECLARATIONS = [
    ("arrs_clinical_supervisor", 36, 90),
    ("gp_clinical_supervisor", 36, 90),
    ("pharmacist_supervisor", 36, 90),
    ("personalised_care_supervisor", 36, 90),
]
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


#: Supervisors who took the course before this year, so the register shows every status:
#: (email, name, profession, PCN, practice index, months since they completed the course).
EARLIER_HOLDERS = [
    ("dr.okoye@example.org", "Dr Sarah Okoye", "gp", "Moorland PCN", 0, 34),  # renewal window open
    ("dr.whitaker@example.org", "Dr James Whitaker", "gp", "Riverside PCN", 1, 38),  # expired
    ("claire.dawson@example.org", "Claire Dawson", "advanced_practitioner", "Riverside PCN", 2, 14),  # one of two
    ("anil.patel@example.org", "Anil Patel", "senior_clinical_pharmacist", "Moorland PCN", 1, 8),  # pharmacists only
]
EARLIER_COHORT = "Earlier cohorts"


def seed_register(ctx) -> None:  # type: ignore[no-untyped-def]
    """Earlier completions of the demo course, issued through the real certificate service.

    Completion dates are counted back from today, so the register always shows someone due for
    renewal, someone expired, and certificates whose holder's profession gave only part (or none)
    of the course's eligibility. Idempotent: people who already have a certificate are left alone.
    """
    from datetime import UTC, date, datetime, timedelta

    from learnhub.certificates.services import issue_for_completion
    from learnhub.courses.models import Cohort, CourseCompletion, Enrolment
    from learnhub.eligibility.certification import add_months
    from learnhub.organisations.models import Hub

    course = ctx.objects.get("course")
    if course is None:
        return
    hub = db.session.get(Hub, course.hub_id)
    today = date.today()
    cohort = db.session.scalar(select(Cohort).where(Cohort.course_id == course.id, Cohort.name == EARLIER_COHORT))
    if cohort is None:
        oldest = add_months(today, -max(months for *_, months in EARLIER_HOLDERS))
        cohort = Cohort(
            course_id=course.id,
            name=EARLIER_COHORT,
            starts_on=oldest - timedelta(days=60),
            ends_on=today - timedelta(days=30),
            self_enrolment_open=False,
        )
        db.session.add(cohort)
        db.session.flush()
    for email, name, profession, pcn_name, practice_index, months in EARLIER_HOLDERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            pcn = db.session.scalar(select(Pcn).where(Pcn.hub_id == hub.id, Pcn.name == pcn_name))
            user = User(
                email=email,
                name=name,
                professional_role=profession,
                hub_id=hub.id,
                hub_role="learner",
                pcn_id=pcn.id,
                practice_id=pcn.practices[practice_index].id,
            )
            user.set_password_hash(ctx.password_hash)
            db.session.add(user)
            db.session.flush()
        elif ctx.password_from_env:
            user.set_password_hash(ctx.password_hash)
        ctx.logins.append((email, f"{name} – {user.professional_role_label}, completed the course {months} months ago"))
        if db.session.scalar(select(Certificate.id).where(Certificate.user_id == user.id, Certificate.course_id == course.id)):
            continue
        day = add_months(today, -months)
        when = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        enrolment = Enrolment(
            course_id=course.id,
            cohort_id=cohort.id,
            user_id=user.id,
            status=Enrolment.ENROLLED,
            enrolled_at=when - timedelta(days=56),
            started_at=when - timedelta(days=55),
            completed_at=when,
        )
        db.session.add(enrolment)
        db.session.flush()
        completion = CourseCompletion(
            enrolment_id=enrolment.id, course_id=course.id, user_id=user.id, completed_at=when, cpd_hours=course.cpd_hours
        )
        db.session.add(completion)
        db.session.flush()
        issue_for_completion(completion)
    db.session.commit()
    ctx.notes.append(
        f"Register: {len(EARLIER_HOLDERS)} earlier holders (due for renewal, expired, partly eligible) at /hub/eligibility"
    )
