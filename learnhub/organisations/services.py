"""Hub, PCN and practice changes, and hub user management.

Services never commit: the request (or CLI command) commits once, so a change and its audit
row are one unit; invitation emails are sent only after that commit
(:func:`learnhub.transactions.after_commit`). Every insert guarded by a unique constraint goes
through :func:`learnhub.idempotent.insert_or_get`, so a double click or ten identical POSTs at
once create one row and audit it once.
"""

from flask import current_app
from sqlalchemy import select

from learnhub.accounts.models import PasswordToken, User
from learnhub.accounts.services import issue_token
from learnhub.audit import Action, audit
from learnhub.extensions import db
from learnhub.idempotent import insert_or_get
from learnhub.notifications.categories import ACCOUNT
from learnhub.notifications.services import notify
from learnhub.organisations.csv_import import ImportResult, PcnInfo, check_table
from learnhub.organisations.models import Hub, Pcn, Practice
from learnhub.roles import HubRole, may_act_on, may_grant
from learnhub.urls import external_url


def create_hub(actor: User, name: str, signatory: str | None) -> tuple[Hub, bool]:
    """Create a training hub (site administrators): ``(hub, created)``; an existing hub of that name is returned."""
    hub, created = insert_or_get(Hub, key={"name": name.strip()}, values={"signatory": (signatory or "").strip() or None})
    if created:
        audit(actor, Action.HUB_CREATED, hub=hub.id)
    return hub, created


def add_pcn(actor: User, hub: Hub, name: str) -> Pcn | None:
    """Add a PCN; None if the hub already has one of that name (in any letter case)."""
    name = name.strip()
    if any(p.name.lower() == name.lower() for p in hub.pcns):
        return None
    pcn, created = insert_or_get(Pcn, key={"hub_id": hub.id, "name": name})
    if not created:
        return None
    db.session.expire(hub, ["pcns"])
    audit(actor, Action.HUB_PCN_ADDED, hub=hub.id, pcn=pcn.id)
    return pcn


def add_practice(actor: User, pcn: Pcn, name: str, ods_code: str | None) -> Practice | None:
    """Add a practice to a PCN; None if the PCN already has one of that name (in any letter case)."""
    name = name.strip()
    if any(p.name.lower() == name.lower() for p in pcn.practices):
        return None
    practice, created = insert_or_get(
        Practice, key={"pcn_id": pcn.id, "name": name}, values={"ods_code": (ods_code or "").strip().upper() or None}
    )
    if not created:
        return None
    db.session.expire(pcn, ["practices"])
    audit(actor, Action.HUB_PRACTICE_ADDED, pcn=pcn.id, practice=practice.id)
    return practice


def _send_invite(user: User, hub: Hub, inviter: User) -> None:
    """Issue the invitation link now (in the transaction); email it once the transaction commits."""
    raw = issue_token(user, PasswordToken.INVITE)
    link = external_url("accounts.accept_invite", token=raw)
    days = int(current_app.config["INVITE_TTL_DAYS"])
    to, subject = user.email, f"You have been invited to LearnHub by {hub.name}"
    body = (
        f"Hello {user.name},\n\n{inviter.name} has invited you to LearnHub, {hub.name}'s site for "
        f"supervision training and Action Learning Sets.\n\nSet your password here:\n\n{link}\n\n"
        f"The link works once and expires in {days} day{'' if days == 1 else 's'}.\n"
    )
    notify(f"invitation:{PasswordToken.hash(raw)}", category=ACCOUNT, user=user, to=to, subject=subject, body=body)


def invite_user(
    actor: User,
    hub: Hub,
    *,
    name: str,
    email: str,
    professional_role: str,
    hub_role: str,
    pcn_id: int | None = None,
    practice_id: int | None = None,
) -> tuple[User, bool]:
    """Create an account without a password in the hub and email an invitation link after commit.

    Returns ``(user, created)``: when an account with the email already exists (another
    request created it a moment ago) nothing is changed, audited or sent.
    """
    user, created = insert_or_get(
        User,
        key={"email": email.strip().lower()},
        values={
            "name": name.strip(),
            "professional_role": professional_role,
            "hub_id": hub.id,
            "hub_role": HubRole(hub_role).value,
            "pcn_id": pcn_id,
            "practice_id": practice_id,
        },
    )
    if created:
        audit(actor, Action.USER_INVITED, hub=hub.id, user=user.id, permission=user.hub_role)
        _send_invite(user, hub, actor)
    return user, created


def pcn_lookup(hub: Hub) -> dict[str, PcnInfo]:
    """The hub's PCNs and practices by lower-case name, for the CSV checker."""
    return {pcn.name.lower(): PcnInfo(pcn.id, {p.name.lower(): p.id for p in pcn.practices}) for pcn in hub.pcns}


def check_import(hub: Hub, data: bytes | str) -> ImportResult:
    """Check a CSV of people (the uploaded bytes, any encoding Excel writes) against the hub and existing accounts."""
    existing = set(db.session.scalars(select(User.email)))
    return check_table(data, existing_emails=existing, pcns=pcn_lookup(hub))


def import_users(actor: User, hub: Hub, data: bytes | str) -> tuple[ImportResult, list[User]]:
    """Invite everyone in a CSV, or nobody if any row has a problem.

    The accounts and the audit rows are one transaction; the invitation emails go out only
    once it has committed.
    """
    result = check_import(hub, data)
    if not result.ok:
        return result, []
    users = []
    for row in result.rows:
        user, created = invite_user(
            actor,
            hub,
            name=row.name,
            email=row.email,
            professional_role=row.professional_role,
            hub_role=row.hub_role,
            pcn_id=row.pcn_id,
            practice_id=row.practice_id,
        )
        if created:
            users.append(user)
    audit(actor, Action.USERS_IMPORTED, hub=hub.id, count=len(users))
    return result, users


def set_permission(actor: User, user: User, hub_role: str) -> None:
    """Change a user's permission in their hub (never above the actor's own, never on someone with more)."""
    if not may_act_on(actor, user) or not may_grant(actor, hub_role):
        raise PermissionError("Nobody may act on an account with more power than their own")
    old = user.hub_role
    user.hub_role = HubRole(hub_role).value
    db.session.flush()
    audit(actor, Action.USER_PERMISSION_CHANGED, user=user.id, old=old, new=user.hub_role, hub=user.hub_id)


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate (signs them out everywhere) or reactivate an account."""
    if not may_act_on(actor, user):
        raise PermissionError("Nobody may act on an account with more power than their own")
    from learnhub.supervision import notices as supervision_notices

    before = supervision_notices.flagged_by(user.id) if not active else set()
    user.active = active
    if not active:
        user.session_version += 1
    db.session.flush()
    audit(actor, Action.USER_ACTIVATED if active else Action.USER_DEACTIVATED, user=user.id, hub=user.hub_id)
    if not active:  # PCN leads are told about each supervision arrangement this stops counting
        supervision_notices.tell_leads(user.id, before, supervision_notices.DEACTIVATED)


def resend_invite(actor: User, user: User) -> None:
    """Send a fresh invitation link to someone who has not set a password yet."""
    assert user.hub is not None
    if not may_act_on(actor, user):
        raise PermissionError("Nobody may act on an account with more power than their own")
    _send_invite(user, user.hub, actor)
    audit(actor, Action.USER_INVITATION_RESENT, user=user.id)
