"""Eligibility declarations, register queries and renewal reminders."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from learnhub.accounts.models import User
from learnhub.audit import Action, audit
from learnhub.eligibility.certification import Status, window_opens
from learnhub.eligibility.models import EligibilityDeclaration, EligibilityEvent, EligibilityRecord, PcnLead
from learnhub.eligibility.rules import ELIGIBILITY_TYPES, label, types_covering
from learnhub.extensions import db
from learnhub.idempotent import insert_or_get
from learnhub.notifications.categories import RENEWAL
from learnhub.notifications.services import notify
from learnhub.organisations.models import Pcn
from learnhub.roles import PROFESSIONAL_ROLES
from learnhub.urls import external_url

#: Days before expiry for the second reminder.
EXPIRY_REMINDER_DAYS = 30


class DeclarationError(ValueError):
    """A declaration that cannot be saved; the message is for the user."""


def declare(
    actor: User, hub_id: int, course_id: int, eligibility_type: str, validity_months: int | None, window_days: int
) -> EligibilityDeclaration:
    """Declare that a course grants an eligibility for a period."""
    if eligibility_type not in ELIGIBILITY_TYPES:
        raise DeclarationError("Select the eligibility this course grants")
    if not validity_months or validity_months < 1:
        raise DeclarationError("Enter how long the eligibility lasts, in months")
    declaration, created = insert_or_get(
        EligibilityDeclaration,
        key={"course_id": course_id, "eligibility_type": eligibility_type},
        values={"hub_id": hub_id, "validity_months": validity_months, "renewal_window_days": window_days},
    )
    if not created:  # declared before, or by the same form sent twice at once
        raise DeclarationError(f"This course already grants {label(eligibility_type)}")
    audit(actor, Action.ELIGIBILITY_DECLARED, course=course_id, type=eligibility_type, months=validity_months)
    return declaration


def remove_declaration(actor: User, declaration: EligibilityDeclaration) -> None:
    """Stop a course granting an eligibility (records already granted are kept)."""
    db.session.delete(declaration)
    db.session.flush()
    audit(actor, Action.ELIGIBILITY_DECLARATION_REMOVED, course=declaration.course_id, type=declaration.eligibility_type)


@dataclass
class RegisterFilter:
    """What the register page or CSV export asks for."""

    eligibility_type: str = ""
    role: str = ""
    pcn_id: int | None = None
    #: active, due, expired, revoked, or "current" (active or due)
    status: str = ""
    expiring_within_days: int | None = None


def led_pcns(user: User) -> list[Pcn]:
    """The PCNs of the user's own hub that the user leads (PCN-lead access to the register)."""
    if user.hub_id is None:
        return []
    return list(
        db.session.scalars(
            select(Pcn)
            .join(PcnLead, PcnLead.pcn_id == Pcn.id)
            .where(PcnLead.user_id == user.id, Pcn.hub_id == user.hub_id)
            .order_by(Pcn.name)
        )
    )


def set_pcn_leads(actor: User, user: User, pcn_ids: list[int]) -> None:
    """Make the user lead exactly these PCNs of their hub (an empty list removes the access)."""
    allowed = set(db.session.scalars(select(Pcn.id).where(Pcn.hub_id == user.hub_id, Pcn.id.in_(pcn_ids))))
    current = {row.pcn_id: row for row in db.session.scalars(select(PcnLead).where(PcnLead.user_id == user.id))}
    for pcn_id, row in current.items():
        if pcn_id not in allowed:
            db.session.delete(row)
    for pcn_id in sorted(allowed - current.keys()):
        insert_or_get(PcnLead, key={"user_id": user.id, "pcn_id": pcn_id}, values={"granted_by_id": actor.id})
    db.session.flush()
    audit(actor, Action.HUB_PCN_LEAD_CHANGED, user=user.id, pcns=sorted(allowed), before=sorted(current))


def register_rows(
    hub_id: int, wanted: RegisterFilter, today: date, pcn_ids: list[int] | None = None
) -> list[tuple[EligibilityRecord, Status]]:
    """Register entries of a hub matching the filter, soonest expiry first.

    ``pcn_ids`` limits the entries to holders whose PCN is one of these (a PCN lead's view),
    in the query itself.
    """
    stmt = (
        select(EligibilityRecord)
        .join(User, EligibilityRecord.user_id == User.id)
        .where(EligibilityRecord.hub_id == hub_id)
        .order_by(EligibilityRecord.expires_on, User.name)
        # The page and the CSV show each holder's PCN, practice and certificate: load them
        # with the records rather than once per row.
        .options(
            contains_eager(EligibilityRecord.user).selectinload(User.pcn),
            contains_eager(EligibilityRecord.user).selectinload(User.practice),
            selectinload(EligibilityRecord.certificate),
        )
    )
    if wanted.eligibility_type:
        stmt = stmt.where(EligibilityRecord.eligibility_type == wanted.eligibility_type)
    if wanted.role:
        stmt = stmt.where(EligibilityRecord.eligibility_type.in_(types_covering(wanted.role)))
    if pcn_ids is not None:
        stmt = stmt.where(User.pcn_id.in_(pcn_ids), User.hub_id == hub_id)
    if wanted.pcn_id:
        stmt = stmt.where(User.pcn_id == wanted.pcn_id)
    if wanted.expiring_within_days is not None:
        stmt = stmt.where(
            EligibilityRecord.expires_on > today,
            EligibilityRecord.expires_on <= today + timedelta(days=wanted.expiring_within_days),
            EligibilityRecord.revoked_at.is_(None),
        )
    rows = []
    for record in db.session.scalars(stmt):
        status = record.status_on(today)
        if wanted.status == "current" and status not in (Status.ACTIVE, Status.DUE):
            continue
        if wanted.status and wanted.status != "current" and status.value != wanted.status:
            continue
        rows.append((record, status))
    return rows


def not_granted(hub_id: int, limit: int = 200, pcn_ids: list[int] | None = None) -> list[EligibilityEvent]:
    """Completions that gave no eligibility because the profession did not qualify, newest first.

    ``pcn_ids`` limits them to people of these PCNs (a PCN lead's view).
    """
    stmt = select(EligibilityEvent).where(
        EligibilityEvent.hub_id == hub_id, EligibilityEvent.kind == EligibilityEvent.NOT_GRANTED
    )
    if pcn_ids is not None:
        stmt = stmt.join(User, EligibilityEvent.user_id == User.id).where(User.pcn_id.in_(pcn_ids), User.hub_id == hub_id)
    stmt = stmt.options(selectinload(EligibilityEvent.user))
    return list(db.session.scalars(stmt.order_by(EligibilityEvent.created_at.desc(), EligibilityEvent.id.desc()).limit(limit)))


REGISTER_HEADER = [
    "Name",
    "Email",
    "Profession",
    "Registration body",
    "Registration number",
    "PCN",
    "Practice",
    "Eligibility",
    "Can supervise",
    "Status",
    "First granted",
    "Last completed",
    "Expires",
    "Renewal opens",
    "Certificate code",
]


def register_table(rows: list[tuple[EligibilityRecord, Status]]) -> list[list[object]]:
    """The register's rows as table cells (for :func:`learnhub.exports.csv_response`)."""
    table: list[list[object]] = []
    for record, status in rows:
        user = record.user
        cert = record.certificate
        covers = ELIGIBILITY_TYPES[record.eligibility_type].covers if record.eligibility_type in ELIGIBILITY_TYPES else ()
        table.append(
            [
                user.name,
                user.email,
                PROFESSIONAL_ROLES.get(user.professional_role, user.professional_role),
                user.registration_body or "",
                user.registration_number or "",
                user.pcn.name if user.pcn else "",
                user.practice.name if user.practice else "",
                record.label,
                "; ".join(PROFESSIONAL_ROLES.get(r, r) for r in sorted(covers)),
                status.label,
                record.first_granted_on.isoformat(),
                record.certified_on.isoformat(),
                record.expires_on.isoformat(),
                window_opens(record.expires_on, record.renewal_window_days).isoformat(),
                cert.display_code if cert else "",
            ]
        )
    return table


def send_reminders(today: date, commit: Callable[[], None]) -> int:
    """Email holders whose renewal window has opened, and again 30 days before expiry; once each.

    Each sent reminder is recorded against the expiry date it was about and ``commit`` (the CLI
    command's unit of work, :func:`learnhub.transactions.commit`) is called after each one, so
    running the command again — or after a crash — sends nothing twice; a renewal moves the
    expiry date and so makes both reminders due again for the new period.
    """
    sent = 0
    records = db.session.scalars(
        select(EligibilityRecord).where(EligibilityRecord.revoked_at.is_(None), EligibilityRecord.expires_on > today)
    ).all()
    link = external_url("certificates.mine")
    for record in records:
        expires = f"{record.expires_on.day} {record.expires_on:%B %Y}"
        if (
            today >= window_opens(record.expires_on, record.renewal_window_days)
            and record.window_reminder_for != record.expires_on
        ):
            notify(
                f"renewal-window:record-{record.id}:{record.expires_on.isoformat()}",
                category=RENEWAL,
                user=record.user,
                subject=f"Time to renew: {record.label}",
                body=f"Hello {record.user.name},\n\nYour eligibility as {record.label} expires on {expires}. "
                "Renewal is now open: complete the course again, or its refresher, to keep it.\n\n"
                f"Your certificates: {link}\n",
            )
            record.window_reminder_for = record.expires_on
            commit()
            sent += 1
        if (record.expires_on - today).days <= EXPIRY_REMINDER_DAYS and record.expiry_reminder_for != record.expires_on:
            notify(
                f"expiry-soon:record-{record.id}:{record.expires_on.isoformat()}",
                category=RENEWAL,
                user=record.user,
                subject=f"{record.label}: expires on {expires}",
                body=f"Hello {record.user.name},\n\nYour eligibility as {record.label} expires on {expires}, "
                f"in {(record.expires_on - today).days} days. Complete the renewal course before then to keep it "
                "on the supervisor register.\n\n"
                f"Your certificates: {link}\n",
            )
            record.expiry_reminder_for = record.expires_on
            commit()
            sent += 1
    return sent
