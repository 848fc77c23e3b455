"""SQL statements per page at 1× and ~10× data: a page whose count grows with the data is an N+1.

    .venv/bin/python -m benchmarks.query_counts [--factor 10]

Builds a throwaway SQLite database with the demo data (``learnhub.demo.run_steps``), visits
the main GET pages as each kind of user and counts the SQL statements of the second request
(the first warms per-process caches). Then multiplies the data through the real services
where they exist (learners enrolled in the demo cohort who complete the course: certificates,
eligibility records and audit events follow; survey responses) and plain inserts elsewhere
(ALS members, groups, sessions and attendance; extra audit events), and counts again.
Prints one table: page, statements at 1×, at the larger size, equal? Ids are looked up, not
hard-coded. Figures only; the test ``tests/core/test_query_counts.py`` guards a few pages.
"""

import argparse
import logging
import os
import random
import tempfile
from datetime import timedelta

from flask_migrate import upgrade
from sqlalchemy import event, func, select

from learnhub import create_app
from learnhub.accounts.models import User
from learnhub.als.models import AlsAttendance, AlsFacilitation, AlsGroup, AlsMember, AlsProgramme, AlsSession
from learnhub.audit import AuditEvent
from learnhub.certificates.models import Certificate
from learnhub.courses import services as courses
from learnhub.courses.demo import COHORT_NAME
from learnhub.courses.models import Course, Enrolment
from learnhub.demo import DemoContext, run_steps
from learnhub.eligibility.models import EligibilityRecord
from learnhub.evaluation import services as evaluation
from learnhub.evaluation.demo import _answers
from learnhub.evaluation.models import POST, PRE, Attachment, Instrument, Invitee, Response
from learnhub.extensions import db
from learnhub.organisations.models import Pcn
from learnhub.supervision.models import StaffMember, SupervisionArrangement, SupervisionLog
from learnhub.timeutil import utcnow

LEARNER = "gp.learner@example.org"
MEMBER = "splw.member@example.org"
FACILITATOR = "facilitator@example.org"
ADMIN = "hub.admin@example.org"
PCN_LEAD = "facilitator2@example.org"
COUNTED = {
    "course learners": Enrolment,
    "ALS members": AlsMember,
    "ALS sessions": AlsSession,
    "ALS attendance": AlsAttendance,
    "survey responses": Response,
    "certificates": Certificate,
    "eligibility records": EligibilityRecord,
    "audit events": AuditEvent,
    "ARRS staff": StaffMember,
    "supervision arrangements": SupervisionArrangement,
    "supervision log": SupervisionLog,
}


def pages() -> list[tuple[str, str, str]]:
    """(label, path, email) for every page visited, ids looked up in the demo data."""
    course = db.session.scalar(select(Course).order_by(Course.id))
    course = courses.load_course(course.id)
    cohort = next(c for c in course.cohorts if c.name == COHORT_NAME)
    module = course.modules[0]
    programme = db.session.scalar(select(AlsProgramme).order_by(AlsProgramme.id))
    member = db.session.scalar(select(User).where(User.email == MEMBER))
    group_id = db.session.scalar(
        select(AlsMember.group_id).where(AlsMember.user_id == member.id, AlsMember.programme_id == programme.id)
    )
    member_session = db.session.scalar(select(AlsSession.id).where(AlsSession.group_id == group_id).order_by(AlsSession.sequence))
    facilitator = db.session.scalar(select(User).where(User.email == FACILITATOR))
    record_session = db.session.scalar(
        select(AlsSession.id)
        .join(AlsFacilitation)
        .where(AlsFacilitation.user_id == facilitator.id, AlsSession.status == AlsSession.HELD)
        .order_by(AlsSession.id)
    )
    instrument = db.session.scalar(select(Instrument).order_by(Instrument.id))
    riverside = db.session.scalar(select(Pcn).where(Pcn.name == "Riverside PCN"))
    pharmacist = db.session.scalar(
        select(StaffMember.id)
        .where(StaffMember.pcn_id == riverside.id, StaffMember.role == "clinical_pharmacist")
        .order_by(StaffMember.id)
    )
    return [
        ("home", "/", LEARNER),
        ("my learning", "/my-learning", LEARNER),
        ("course page", f"/courses/{course.id}", LEARNER),
        ("module page", f"/courses/{course.id}/modules/{module.id}", LEARNER),
        ("my certificates", "/certificates", LEARNER),
        ("my surveys", "/evaluation/surveys", LEARNER),
        ("ALS home (member)", "/als/", MEMBER),
        ("ALS session (member)", f"/als/sessions/{member_session}", MEMBER),
        ("facilitating", "/als/facilitating", FACILITATOR),
        ("ALS record form", f"/als/sessions/{record_session}/record", FACILITATOR),
        ("hub users", "/hub/users", ADMIN),
        ("course admin", f"/hub/courses/{course.id}", ADMIN),
        ("cohort report", f"/hub/courses/{course.id}/cohorts/{cohort.id}", ADMIN),
        ("ALS programme", f"/als/programmes/{programme.id}", ADMIN),
        ("ALS dashboard", f"/als/programmes/{programme.id}/dashboard", ADMIN),
        ("evaluation results", f"/evaluation/instruments/{instrument.id}/results", ADMIN),
        ("certificates list", "/hub/certificates", ADMIN),
        ("eligibility register", "/hub/eligibility", ADMIN),
        ("audit page", "/hub/audit", ADMIN),
        ("supervision dashboard", f"/pcn/supervision/{riverside.id}", PCN_LEAD),
        ("supervision staff list", f"/pcn/supervision/{riverside.id}/staff", PCN_LEAD),
        ("supervision staff member", f"/pcn/supervision/staff/{pharmacist}", PCN_LEAD),
        ("supervision picker", f"/pcn/supervision/staff/{pharmacist}/assign/clinical", PCN_LEAD),
        ("supervision hub view", "/hub/supervision", ADMIN),
        ("my supervision", "/supervision", PCN_LEAD),
    ]


def multiply(factor: int) -> None:
    """Add about ``factor - 1`` times the demo's learners, ALS data, responses and audit events."""
    admin = db.session.scalar(select(User).where(User.email == ADMIN))
    hub_id = admin.hub_id
    course = db.session.scalar(select(Course).order_by(Course.id))
    course = courses.load_course(course.id, questions=True)
    cohort = next(c for c in course.cohorts if c.name == COHORT_NAME)
    cohort.capacity = None
    db.session.commit()
    rng = random.Random(1)
    base_events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    base_learners = db.session.scalar(select(func.count()).select_from(Enrolment))
    # Learners who complete the course: the completion callback issues the certificate, grants
    # the supervisor eligibility and writes audit events, through the real services.
    enrolments = []
    for i in range(base_learners * (factor - 1)):
        user = User(email=f"bench.learner{i}@example.org", name=f"Bench Learner {i}", hub_id=hub_id, professional_role="gp")
        db.session.add(user)
        db.session.flush()
        enrolment = courses.enrol(admin, cohort, user).enrolment
        for module in (m for m in course.modules if m.is_check):
            courses.open_module(enrolment, module)
            attempt = courses.start_attempt(enrolment, module, rng)
            courses.submit_attempt(enrolment, module, attempt, {q.id: q.correct_ids for q in module.questions})
        enrolments.append(enrolment)
    live = next(m for m in course.modules if m.is_live)
    courses.record_attendance(admin, live, enrolments, {e.id for e in enrolments})

    # ALS: more members in the existing groups, more groups with sessions the facilitator leads,
    # attendance at every held session.
    programme = db.session.scalar(select(AlsProgramme).order_by(AlsProgramme.id))
    facilitator = db.session.scalar(select(User).where(User.email == FACILITATOR))
    groups = list(programme.groups)
    template = sorted(groups[0].sessions, key=lambda s: s.sequence)
    for n in range(len(groups) * (factor - 1)):
        group = AlsGroup(programme=programme, name=f"Bench set {n + 1}")
        db.session.add(group)
        for s in template:
            session = AlsSession(group=group, sequence=s.sequence, starts_at=s.starts_at, minutes=s.minutes, status=s.status)
            session.facilitations.append(AlsFacilitation(user_id=facilitator.id, role="lead"))
            db.session.add(session)
        groups.append(group)
    db.session.flush()
    base_members = db.session.scalar(select(func.count()).select_from(AlsMember).where(AlsMember.programme_id == programme.id))
    for i in range(base_members * (factor - 1)):
        user = User(email=f"bench.splw{i}@example.org", name=f"Bench Link Worker {i}", hub_id=hub_id, professional_role="splw")
        group = groups[i % len(groups)]
        db.session.add(AlsMember(programme=programme, user=user, group=group))
        for session in group.sessions:
            if session.status == AlsSession.HELD:
                session.attendance.append(AlsAttendance(user=user, status="present" if i % 4 else "apologies"))
    db.session.commit()

    # Survey responses: the new learners answer both demo surveys, before and after.
    for attachment in db.session.scalars(select(Attachment).order_by(Attachment.id)).all():
        for i, enrolment in enumerate(enrolments):
            db.session.add(
                Invitee(attachment_id=attachment.id, user_id=enrolment.user_id, subgroup="Cohort A" if i % 2 else "Cohort B")
            )
        db.session.commit()
        pre, post = attachment.timepoint(PRE), attachment.timepoint(POST)
        for enrolment in enrolments:
            user = db.session.get(User, enrolment.user_id)
            evaluation.save_response(
                user, attachment, PRE, _answers(rng, attachment, PRE, 0), submit=True, now=pre.opens_at + timedelta(days=1)
            )
            evaluation.save_response(
                user, attachment, POST, _answers(rng, attachment, POST, 0.6), submit=True, now=post.opens_at + timedelta(days=1)
            )

    # Supervision: more ARRS staff in every PCN, each with the arrangements and log of a demo one.
    staff = db.session.scalars(select(StaffMember).order_by(StaffMember.id)).all()
    arrangements = db.session.scalars(select(SupervisionArrangement).order_by(SupervisionArrangement.id)).all()
    logs = db.session.scalars(select(SupervisionLog)).all()
    for n in range(factor - 1):
        for member in staff:
            copy = StaffMember(
                hub_id=member.hub_id,
                pcn_id=member.pcn_id,
                practice_id=member.practice_id,
                name=f"{member.name} {n + 2}",
                role=member.role,
                start_date=member.start_date,
            )
            db.session.add(copy)
            db.session.flush()
            for a in (a for a in arrangements if a.staff_id == member.id):
                twin = SupervisionArrangement(
                    staff_id=copy.id, supervisor_id=a.supervisor_id, kind=a.kind, start_date=a.start_date
                )
                db.session.add(twin)
                db.session.flush()
                for entry in (e for e in logs if e.arrangement_id == a.id):
                    db.session.add(
                        SupervisionLog(
                            arrangement_id=twin.id, session_date=entry.session_date, kind=entry.kind, minutes=entry.minutes
                        )
                    )
    db.session.commit()

    # Audit events: the hub's log grows with everything above; top it up to ~factor× the demo's.
    events = base_events * factor - db.session.scalar(select(func.count()).select_from(AuditEvent))
    for i in range(max(events, 0)):
        db.session.add(
            AuditEvent(
                actor_id=admin.id,
                hub_id=hub_id,
                action="bench event",
                object_type="user",
                object_id=admin.id,
                details={"n": i},
                created_at=utcnow(),
            )
        )
    db.session.commit()


def sizes() -> dict[str, int]:
    """Row counts of the tables that grow."""
    return {label: db.session.scalar(select(func.count()).select_from(model)) for label, model in COUNTED.items()}


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--show", metavar="PAGE", help="print the statements of this page (label) at both sizes")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="learnhub-qcount-")
    os.environ.pop("LEARNHUB_DEMO_PASSWORD", None)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "MAIL_OUTBOX_DIR": tmp,
        },
        instance_path=tmp,
    )
    statements: list[str] = []
    with app.app_context():
        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade()
        run_steps(DemoContext(password="bench-password-123456"))
        visits = pages()
        ids = {email: db.session.scalar(select(User).where(User.email == email)).get_id() for email in {v[2] for v in visits}}
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        db.session.remove()

    show = args.show

    def count() -> dict[str, int]:
        counts = {}
        for label, path, email in visits:
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = ids[email]
                session["_fresh"] = True
            client.get(path)
            statements.clear()
            response = client.get(path)
            assert response.status_code == 200, (label, path, response.status_code)
            counts[label] = len(statements)
            if label == show:
                print(f"--- {label}: {path}", *statements, sep="\n")
        return counts

    with app.app_context():
        small_sizes = sizes()
    small = count()
    with app.app_context():
        multiply(args.factor)
        large_sizes = sizes()
        db.session.remove()
    large = count()

    print(f"{'rows':<22} {'1×':>7} {f'{args.factor}×':>7}")
    for label in COUNTED:
        print(f"{label:<22} {small_sizes[label]:>7} {large_sizes[label]:>7}")
    print()
    print(f"{'page':<22} {'1×':>5} {f'{args.factor}×':>5}  equal?")
    for label, _path, _email in visits:
        same = "yes" if small[label] == large[label] else "NO"
        print(f"{label:<22} {small[label]:>5} {large[label]:>5}  {same}")


if __name__ == "__main__":
    main()
