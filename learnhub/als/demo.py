"""Demo ALS programme: 3 groups of personalised-care staff, 4 facilitators, 2 sessions held."""

from datetime import date, time, timedelta

from sqlalchemy import select

from learnhub import transactions
from learnhub.accounts.models import User
from learnhub.als.models import AlsMember, AlsProgramme, AlsSession
from learnhub.als.services import common, planning, programmes, records
from learnhub.extensions import db
from learnhub.organisations.models import Hub
from learnhub.roles import PERSONALISED_CARE_ROLES

PROGRAMME_NAME = "Personalised care action learning sets"
FACILITATORS = ["facilitator@example.org", "facilitator2@example.org", "facilitator3@example.org", "facilitator4@example.org"]

#: Notes per (held) session number: process, themes and learning only – never case content.
NOTES = {
    1: (
        "First meeting. The set agreed its ground rules, including what confidentiality means and when a safeguarding "
        "concern has to be taken outside the room. Two members presented. Questions stayed open and curious; the set "
        "noticed how quickly it wanted to give advice and practised holding back. Learning: naming the pressure of "
        "long waiting lists helped people feel less alone."
    ),
    2: (
        "Check-in covered the actions from the first meeting. Two members presented on role boundaries and on "
        "getting time for induction. The set reflected that being clear about what a link worker does is a shared "
        "theme across practices. Learning: asking 'what would help you decide?' moved the conversation on."
    ),
}
ACTIONS = {
    1: [
        ("Ask my practice manager for a protected hour each week to update my directory of local services", True),
        ("Write down three things I will say no to, and share them with my GP supervisor", False),
    ],
    2: [
        ("Draft a one-page description of my role for the practice team meeting", True),
        ("Book a shadowing day with the community mental health team", True),
    ],
}
THEMES = {1: ["Complex caseloads", "Isolation", "Wellbeing"], 2: ["Role clarity", "Induction and training"]}


def _start_date(today: date) -> date:
    """A Monday far enough back that two monthly sessions have been held."""
    start = today - timedelta(weeks=7)
    return start - timedelta(days=start.weekday())


def seed(ctx) -> None:  # type: ignore[no-untyped-def]
    """Create the demo programme once; running again changes nothing."""
    hub = ctx.objects.get("hub") or db.session.scalar(select(Hub).order_by(Hub.id))
    if hub is None:
        return
    if db.session.scalar(select(AlsProgramme).where(AlsProgramme.hub_id == hub.id, AlsProgramme.name == PROGRAMME_NAME)):
        ctx.notes.append(f"ALS: '{PROGRAMME_NAME}' already exists.")
        return
    admin = db.session.scalar(select(User).where(User.email == "hub.admin@example.org"))
    today = date.today()
    start = _start_date(today)
    programme = programmes.create_programme(
        admin,
        hub.id,
        name=PROGRAMME_NAME,
        start_date=start,
        end_date=start + timedelta(weeks=26),
        session_time=time(10, 0),
        co_facilitation=False,
    )
    members = db.session.scalars(
        select(User)
        .where(User.hub_id == hub.id, User.professional_role.in_(PERSONALISED_CARE_ROLES), User.active.is_(True))
        .order_by(User.id)
    ).all()
    for user in members:
        db.session.add(AlsMember(programme=programme, user=user))
    db.session.commit()
    programmes.auto_form_groups(admin, programme)
    planning.generate_schedule(admin, programme)
    for email in FACILITATORS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user:
            planning.add_facilitator(admin, programme, user)
    # Plan as if on the start date, so the held sessions have facilitators too.
    planning.run_planner(admin, programme, now=common.local_start(start - timedelta(days=1), time(0, 0)))
    themes = {t.name: t.id for t in programmes.hub_themes(hub.id)}
    for group in programme.groups:
        held = [s for s in group.sessions if s.sequence <= 2 and s.starts_at.date() < today]
        for session in held:
            people = records.group_members(group)
            lead = next(f.user for f in session.facilitations) if session.facilitations else admin
            presenters = records.presenter_suggestion(session)
            attendance = {u.id: "present" for u in people}
            if len(people) > 5:
                attendance[people[-1].id] = "apologies" if session.sequence == 1 else "present"
            record = records.SessionRecord(
                attendance=attendance,
                presenters=[u.id for u in presenters],
                theme_ids=[themes[name] for name in THEMES[session.sequence] if name in themes],
                notes=NOTES[session.sequence],
                actions=[
                    records.ActionInput(u.id, text, shared)
                    for u, (text, shared) in zip(presenters, ACTIONS[session.sequence], strict=False)
                ],
                reviews=[
                    records.ReviewInput(a.id, "done" if i == 0 else "carried_forward", "It helped to say it out loud.")
                    for i, a in enumerate(records.open_actions_for_review(session))
                ],
            )
            records.record_session(lead, session, record)
    transactions.commit()  # the demo step is one unit of work (services never commit)
    held_count = db.session.scalar(select(db.func.count()).select_from(AlsSession).where(AlsSession.status == AlsSession.HELD))
    ctx.notes.append(f"ALS: '{PROGRAMME_NAME}' with {len(programme.groups)} groups and {held_count} sessions held.")
