"""Telling PCN leads when a supervisor's arrangements stop counting.

Revoking a supervisor's eligibility, deactivating or erasing their account flags every current
arrangement they give that needed it (the dashboard shows it as missing). The services that make
those changes call :func:`flagged_by` before the change and :func:`tell_leads` after it: each
arrangement that became flagged is emailed to the lead(s) of the staff member's PCN, in the same
transaction, once per arrangement and reason. An eligibility that simply expires is not an event:
the dashboard shows it (and warns 90 days ahead).

The email names the staff member's role, the kind of supervision and the supervisor (not after
an erasure: then "a supervisor whose account was erased"); never a free-text reason.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.eligibility.models import PcnLead
from learnhub.extensions import db
from learnhub.supervision import rules
from learnhub.supervision.models import StaffMember, SupervisionArrangement

REVOKED = "eligibility-revoked"
DEACTIVATED = "deactivated"
ERASED = "erased"
_WHY = {
    REVOKED: "their supervisor eligibility was revoked",
    DEACTIVATED: "their LearnHub account was deactivated",
    ERASED: "their LearnHub account was erased",
}


def flagged_by(supervisor_id: int, today: date | None = None) -> set[int]:
    """Ids of the supervisor's current arrangements whose supervisor no longer qualifies."""
    from learnhub.supervision.services import _supervisors

    today = today or date.today()
    rows = db.session.execute(
        select(SupervisionArrangement, StaffMember.role, StaffMember.hub_id)
        .join(StaffMember, SupervisionArrangement.staff_id == StaffMember.id)
        .where(SupervisionArrangement.supervisor_id == supervisor_id)
    ).all()
    found: set[int] = set()
    for hub_id in {hub for _, _, hub in rows}:
        supervisor = _supervisors(hub_id, {supervisor_id}).get(supervisor_id)
        for arrangement, role, hub in rows:
            need = rules.need_for(role, arrangement.kind)
            if hub != hub_id or need is None or not _current(arrangement, today):
                continue
            if not rules._still_qualifies(supervisor, need, today):
                found.add(arrangement.id)
    return found


def _current(arrangement: SupervisionArrangement, today: date) -> bool:
    return arrangement.start_date <= today and (arrangement.end_date is None or arrangement.end_date >= today)


def tell_leads(supervisor_id: int, before: set[int], reason: str, today: date | None = None) -> int:
    """Email the PCN lead(s) about each arrangement flagged now and not ``before``; the number queued."""
    from learnhub.notifications.categories import SUPERVISION
    from learnhub.notifications.services import notify
    from learnhub.urls import external_url

    newly = flagged_by(supervisor_id, today) - before
    if not newly:
        return 0
    supervisor = db.session.get(User, supervisor_id)
    name = "a supervisor whose account was erased" if reason == ERASED or supervisor is None else supervisor.name
    queued = 0
    for arrangement in db.session.scalars(
        select(SupervisionArrangement).where(SupervisionArrangement.id.in_(newly)).order_by(SupervisionArrangement.id)
    ):
        staff = arrangement.staff
        leads = db.session.scalars(
            select(User)
            .join(PcnLead, PcnLead.user_id == User.id)
            .where(PcnLead.pcn_id == staff.pcn_id, User.active.is_(True), User.id != supervisor_id)
            .order_by(User.id)
        ).all()
        for lead in leads:
            row = notify(
                f"supervision-flagged:arrangement-{arrangement.id}:{reason}:user-{lead.id}",
                category=SUPERVISION,
                user=lead,
                template="supervision_flagged",
                context={
                    "pcn": staff.pcn.name,
                    "role": staff.role_label,
                    "kind": rules.kind_label(arrangement.kind),
                    "supervisor": name,
                    "why": _WHY[reason],
                    "dashboard": external_url("supervision.dashboard", pcn_id=staff.pcn_id),
                },
            )
            queued += row is not None
    return queued
