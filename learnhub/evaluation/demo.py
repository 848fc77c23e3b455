"""Demo evaluation: two default instruments (licence-free, our own wording) and demo responses.

Supervisor training and ALS programmes do not exist in this feature's branch, so the demo
invites hub members directly (a "hub" attachment). Responses are generated with a fixed seed:
most people answer before and after, some only before, some only after, some not at all, so
the dashboard shows real matched results, unmatched responses and missing ones.
"""

import random
from datetime import timedelta

from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.evaluation import services
from learnhub.evaluation.models import (
    AGREEMENT,
    FREE_TEXT,
    MULTIPLE,
    POST,
    PRE,
    RATING,
    SINGLE,
    Attachment,
    Instrument,
    Invitee,
)
from learnhub.extensions import db
from learnhub.roles import HubRole
from learnhub.timeutil import utcnow

SUPERVISOR_TITLE = "Supervisor training: before and after"
ALS_TITLE = "Action Learning Sets: before and after"
PARTICIPANTS = 60


def _agree(text: str, **extra: object) -> dict:
    return {"kind": AGREEMENT, "text": text, "core": True, "asked_at": "pre,post", **extra}


SUPERVISOR_SECTIONS = [
    {
        "title": "Your confidence as a supervisor",
        "description": "Say how far you agree with each statement today.",
        "items": [
            _agree("I can explain the difference between clinic, clinical and educational supervision and what each is for."),
            _agree("I know where to find the supervision requirements for the roles I supervise."),
            _agree(
                "I feel confident agreeing a supervision contract, including how often we meet and the limits of confidentiality."
            ),
            _agree("I can run a short debrief on the day that helps a colleague make safe decisions."),
            _agree("I feel confident giving constructive feedback, including about performance worries."),
            _agree("I can spot a supervisee who is struggling and I know where to escalate concerns."),
            _agree("I feel able to supervise someone from a profession different from my own."),
            _agree("I can make regular protected time for supervision."),
        ],
    },
    {
        "title": "About the course",
        "items": [
            {"kind": AGREEMENT, "text": "The course was relevant to my role.", "asked_at": "post"},
            {
                "kind": RATING,
                "text": "How likely are you to recommend this course to a colleague?",
                "hint": "0 means not at all likely and 10 means extremely likely.",
                "asked_at": "post",
            },
            {
                "kind": SINGLE,
                "text": "Do you intend to take on or continue a supervisory role in the next 6 months?",
                "options": ["Yes", "No", "Not sure"],
                "asked_at": "post",
            },
            {
                "kind": FREE_TEXT,
                "text": "What was the most useful part of the course, and what would you change?",
                "required": False,
                "asked_at": "post",
            },
        ],
    },
]

ALS_SECTIONS = [
    {
        "title": "Support in your role",
        "description": "Say how far you agree with each statement today.",
        "items": [
            _agree("I have access to supervision that meets my needs."),
            _agree("I have a safe place to talk about the difficult or emotionally demanding parts of my work."),
            _agree("I feel confident working with people whose needs are complex."),
            _agree("I feel connected to peers who do similar work."),
            _agree("I feel I belong to a team in my PCN or practice."),
            _agree("I often feel isolated at work.", reverse_scored=True),
        ],
    },
    {
        "title": "Wellbeing and the future",
        "items": [
            {
                "kind": RATING,
                "text": "Overall, how satisfied are you with your work at the moment?",
                "hint": "0 means not at all satisfied and 10 means completely satisfied.",
                "asked_at": "pre,post",
            },
            {
                "kind": SINGLE,
                "text": "Are you currently thinking about leaving your role?",
                "options": ["Yes", "No", "Not sure"],
                "asked_at": "pre,post",
            },
            {
                "kind": MULTIPLE,
                "text": "Which kinds of support would you like in future?",
                "options": ["One-to-one supervision", "Group supervision", "Peer support network", "Training sessions"],
                "required": False,
                "asked_at": "post",
            },
            {
                "kind": FREE_TEXT,
                "text": "What worked well in the sessions, and what would you change?",
                "required": False,
                "asked_at": "post",
            },
        ],
    },
]

COMMENTS = [
    "Practising a debrief with real cases was the most useful part.",
    "More time on supervising pharmacists and paramedics, please.",
    "Hearing how other practices protect time for supervision helped a lot.",
    "The session on difficult conversations was excellent.",
    "I would like a follow-up session after a few months.",
    "Shorter breakout sessions would have kept the energy up.",
    "Good mix of people from different professions.",
    "Clear handouts that I can use with my team.",
    "Knowing I am not the only one finding this hard made a difference.",
    "The ground rules made it feel safe to speak.",
]


def _participants(ctx, hub_id: int) -> list[User]:  # type: ignore[no-untyped-def]
    """Demo participants: existing learners plus eval.participantNN accounts, created once."""
    people = []
    password_hash = ctx.password_hash  # every demo account shares the demo password, hashed once
    pcn_ids = [p.id for p in ctx.objects["hub"].pcns]
    roles = [
        "gp",
        "advanced_practitioner",
        "senior_clinical_pharmacist",
        "nurse",
        "splw",
        "hwbc",
        "care_coordinator",
        "paramedic",
    ]
    for n in range(1, PARTICIPANTS + 1):
        email = f"eval.participant{n:02d}@example.org"
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email,
                name=f"Evaluation Participant {n:02d}",
                professional_role=roles[n % len(roles)],
                hub_id=hub_id,
                hub_role=HubRole.LEARNER.value,
                pcn_id=pcn_ids[n % len(pcn_ids)] if pcn_ids else None,
            )
            user.password_hash = password_hash
            db.session.add(user)
        elif ctx.password_from_env:
            user.password_hash = password_hash
        people.append(user)
    db.session.flush()
    return people


def _answers(rng: random.Random, attachment: Attachment, timepoint: str, uplift: float) -> dict:
    answers: dict = {}
    for item in services.asked_items(attachment, timepoint):
        if item.kind == AGREEMENT:
            base = rng.choice([2, 3, 3, 3])
            if timepoint == POST:
                # After: most people move up a point and nobody stays at "disagree", so the demo
                # charts have no small (suppressed) cells.
                base = max(3, base + (1 if rng.random() < uplift else 0))
            if item.reverse_scored:
                base = 6 - base
            answers[item.id] = max(1, min(5, base))
        elif item.kind == RATING:
            answers[item.id] = rng.choice([5, 6, 7, 7, 8, 8, 9, 10]) if timepoint == POST else rng.choice([4, 5, 6, 6, 7, 8])
        elif item.kind == SINGLE:
            answers[item.id] = rng.choice([1, 1, 1, 2, 3] if timepoint == POST else [1, 2, 3, 3])
        elif item.kind == MULTIPLE:
            answers[item.id] = sorted(rng.sample([1, 2, 3, 4], rng.randint(1, 3)))
        elif item.kind == FREE_TEXT and rng.random() < 0.8:
            answers[item.id] = rng.choice(COMMENTS)
    return answers


def _seed_instrument(ctx, hub_id: int, title: str, description: str, sections: list[dict], people: list[User], seed: int) -> None:  # type: ignore[no-untyped-def]
    instrument = db.session.scalar(select(Instrument).where(Instrument.hub_id == hub_id, Instrument.title == title))
    if instrument is not None:
        return  # already seeded: running seed-demo again adds nothing
    instrument = services.create_instrument(hub_id, title, description, sections)
    now = utcnow()
    attachment = services.attach(
        instrument,
        "hub",
        hub_id,
        f"Demo cohort – {title.split(':')[0]}",
        {
            PRE: (now - timedelta(days=70), now - timedelta(days=40)),
            POST: (now - timedelta(days=10), now + timedelta(days=30)),
        },
    )
    for i, person in enumerate(people):
        db.session.add(Invitee(attachment_id=attachment.id, user_id=person.id, subgroup="Cohort A" if i % 2 else "Cohort B"))
    db.session.commit()

    rng = random.Random(seed)
    pre_window, post_window = attachment.timepoint(PRE), attachment.timepoint(POST)
    for i, person in enumerate(people):
        if not person.email.startswith("eval.participant"):
            continue  # leave real demo logins free to try the survey themselves
        pattern = "both" if i < 44 else ("pre only" if i < 50 else ("post only" if i < 55 else "none"))
        if pattern in ("both", "pre only"):
            when = pre_window.opens_at + timedelta(days=rng.randint(1, 20))
            services.save_response(person, attachment, PRE, _answers(rng, attachment, PRE, 0), submit=True, now=when)
        if pattern in ("both", "post only"):
            when = post_window.opens_at + timedelta(days=rng.randint(0, 8))
            services.save_response(person, attachment, POST, _answers(rng, attachment, POST, 0.6), submit=True, now=when)
    ctx.notes.append(f"Evaluation: '{title}' with demo responses; results at /evaluation/instruments")


def seed(ctx) -> None:  # type: ignore[no-untyped-def]
    """Two default instruments attached to demo cohorts, with pre and post responses."""
    hub = ctx.objects["hub"]
    people = _participants(ctx, hub.id)
    learners = db.session.scalars(
        select(User).where(User.email.in_(["gp.learner@example.org", "splw.member@example.org", "gp.new@example.org"]))
    ).all()
    _seed_instrument(
        ctx,
        hub.id,
        SUPERVISOR_TITLE,
        "About your confidence as a supervisor, before the course and after it.",
        SUPERVISOR_SECTIONS,
        people + list(learners),
        seed=5,
    )
    _seed_instrument(
        ctx,
        hub.id,
        ALS_TITLE,
        "About support, connection and wellbeing in your role, before the Action Learning Set and after it.",
        ALS_SECTIONS,
        people + list(learners),
        seed=7,
    )
    ctx.notes.append(
        f"Evaluation: demo participants eval.participant01@example.org to eval.participant{PARTICIPANTS:02d}@example.org "
        "(same password) have answered; gp.learner@example.org has an 'after' survey to answer."
    )
