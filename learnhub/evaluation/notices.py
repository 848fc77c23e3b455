"""Survey emails: an invitation when a wave opens, one reminder before it closes, none after answering.

Waves open and close by the clock, so a cron job (``flask --app learnhub evaluation
send-survey-emails``, e.g. hourly) looks for them; each email has a deterministic key per wave
and person, so running it again (or after a crash) sends nothing twice. The emails carry the
survey's name, the closing date and a link: never questions, answers or results.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import exists, select

from learnhub.accounts.models import User
from learnhub.evaluation.models import AttachmentTimepoint, Completion
from learnhub.evaluation.services.answering import invited
from learnhub.extensions import db
from learnhub.notifications.categories import SURVEYS
from learnhub.notifications.models import OutboxMessage
from learnhub.notifications.services import notify
from learnhub.timeutil import uk_time, utcnow
from learnhub.urls import external_url

#: The reminder goes this long before a wave closes (once).
REMINDER_BEFORE = timedelta(days=3)


def _closes(tp: AttachmentTimepoint) -> str:
    return uk_time(tp.closes_at, "%-d %B %Y at %H:%M")


def send_survey_emails(commit: Callable[[], None], now: datetime | None = None) -> tuple[int, int]:
    """Queue the due invitations and reminders, committing once per wave; ``(invitations, reminders)``."""
    now = now or utcnow()
    waves = db.session.scalars(
        select(AttachmentTimepoint)
        .where(AttachmentTimepoint.opens_at <= now, AttachmentTimepoint.closes_at > now)
        .order_by(AttachmentTimepoint.id)
    ).all()
    invitations = reminders = 0
    for tp in waves:
        attachment = tp.attachment
        answered = set(
            db.session.scalars(
                select(Completion.user_id).where(Completion.attachment_id == attachment.id, Completion.timepoint == tp.timepoint)
            )
        )
        people = [uid for uid in invited(attachment) if uid not in answered]
        if not people:
            continue
        users = db.session.scalars(select(User).where(User.id.in_(people), User.active.is_(True))).all()
        context = {
            "survey": attachment.label,
            "wave": tp.label,
            "closes": _closes(tp),
            "link": external_url("evaluation.answer", attachment_id=attachment.id, timepoint=tp.timepoint),
        }
        closing_soon = tp.closes_at - now <= REMINDER_BEFORE
        for user in users:
            invite_key = f"survey-invitation:timepoint-{tp.id}:user-{user.id}"
            already_invited = db.session.scalar(select(exists().where(OutboxMessage.idempotency_key == invite_key)))
            if not already_invited:
                if notify(invite_key, category=SURVEYS, user=user, template="survey_invitation", context=context):
                    invitations += 1
            elif closing_soon:
                reminder_key = f"survey-reminder:timepoint-{tp.id}:user-{user.id}"
                if not db.session.scalar(select(exists().where(OutboxMessage.idempotency_key == reminder_key))):
                    if notify(reminder_key, category=SURVEYS, user=user, template="survey_reminder", context=context):
                        reminders += 1
        commit()
    return invitations, reminders
