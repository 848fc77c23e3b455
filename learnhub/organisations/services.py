"""Hub, PCN and practice changes, and hub user management. One transaction per call."""

from flask import current_app
from sqlalchemy import select

from learnhub.accounts.models import PasswordToken, User
from learnhub.accounts.services import issue_token
from learnhub.audit import Action, audit
from learnhub.extensions import db
from learnhub.mail import send_mail
from learnhub.organisations.csv_import import ImportResult, PcnInfo, check_rows
from learnhub.organisations.models import Hub, Pcn, Practice
from learnhub.roles import HubRole, may_act_on, may_grant
from learnhub.urls import external_url


def create_hub(actor: User, name: str, signatory: str | None) -> Hub:
    """Create a training hub (site administrators)."""
    hub = Hub(name=name.strip(), signatory=(signatory or "").strip() or None)
    db.session.add(hub)
    db.session.flush()
    audit(actor, Action.HUB_CREATED, hub=hub.id)
    db.session.commit()
    return hub


def add_pcn(actor: User, hub: Hub, name: str) -> Pcn | None:
    """Add a PCN; None if the hub already has one of that name."""
    if any(p.name.lower() == name.strip().lower() for p in hub.pcns):
        return None
    pcn = Pcn(hub=hub, name=name.strip())
    db.session.add(pcn)
    db.session.flush()
    audit(actor, Action.HUB_PCN_ADDED, hub=hub.id, pcn=pcn.id)
    db.session.commit()
    return pcn


def add_practice(actor: User, pcn: Pcn, name: str, ods_code: str | None) -> Practice | None:
    """Add a practice to a PCN; None if the PCN already has one of that name."""
    if any(p.name.lower() == name.strip().lower() for p in pcn.practices):
        return None
    practice = Practice(pcn=pcn, name=name.strip(), ods_code=(ods_code or "").strip().upper() or None)
    db.session.add(practice)
    db.session.flush()
    audit(actor, Action.HUB_PRACTICE_ADDED, pcn=pcn.id, practice=practice.id)
    db.session.commit()
    return practice


def _send_invite(user: User, hub: Hub, inviter: User) -> None:
    raw = issue_token(user, PasswordToken.INVITE)
    link = external_url("accounts.accept_invite", token=raw)
    days = int(current_app.config["INVITE_TTL_DAYS"])
    send_mail(
        user.email,
        f"You have been invited to LearnHub by {hub.name}",
        f"Hello {user.name},\n\n{inviter.name} has invited you to LearnHub, {hub.name}'s site for "
        f"supervision training and Action Learning Sets.\n\nSet your password here:\n\n{link}\n\n"
        f"The link works once and expires in {days} day{'' if days == 1 else 's'}.\n",
    )


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
    commit: bool = True,
) -> User:
    """Create an account without a password in the hub and email an invitation link."""
    user = User(
        name=name.strip(),
        email=email.strip().lower(),
        professional_role=professional_role,
        hub_id=hub.id,
        hub_role=HubRole(hub_role).value,
        pcn_id=pcn_id,
        practice_id=practice_id,
    )
    db.session.add(user)
    db.session.flush()
    audit(actor, Action.USER_INVITED, hub=hub.id, user=user.id, permission=user.hub_role)
    if commit:
        db.session.commit()
        _send_invite(user, hub, actor)
    return user


def pcn_lookup(hub: Hub) -> dict[str, PcnInfo]:
    """The hub's PCNs and practices by lower-case name, for the CSV checker."""
    return {pcn.name.lower(): PcnInfo(pcn.id, {p.name.lower(): p.id for p in pcn.practices}) for pcn in hub.pcns}


def check_import(hub: Hub, text: str) -> ImportResult:
    """Check a CSV of people against the hub and existing accounts."""
    existing = set(db.session.scalars(select(User.email)))
    return check_rows(text, existing_emails=existing, pcns=pcn_lookup(hub))


def import_users(actor: User, hub: Hub, text: str) -> tuple[ImportResult, list[User]]:
    """Invite everyone in a CSV, or nobody if any row has a problem."""
    result = check_import(hub, text)
    if not result.ok:
        return result, []
    users = [
        invite_user(
            actor,
            hub,
            name=row.name,
            email=row.email,
            professional_role=row.professional_role,
            hub_role=row.hub_role,
            pcn_id=row.pcn_id,
            practice_id=row.practice_id,
            commit=False,
        )
        for row in result.rows
    ]
    db.session.commit()
    for user in users:
        _send_invite(user, hub, actor)
    audit(actor, Action.USERS_IMPORTED, hub=hub.id, count=len(users))
    db.session.commit()
    return result, users


def set_permission(actor: User, user: User, hub_role: str) -> None:
    """Change a user's permission in their hub (never above the actor's own, never on someone with more)."""
    if not may_act_on(actor, user) or not may_grant(actor, hub_role):
        raise PermissionError("Nobody may act on an account with more power than their own")
    old = user.hub_role
    user.hub_role = HubRole(hub_role).value
    db.session.flush()
    audit(actor, Action.USER_PERMISSION_CHANGED, user=user.id, old=old, new=user.hub_role, hub=user.hub_id)
    db.session.commit()


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate (signs them out everywhere) or reactivate an account."""
    if not may_act_on(actor, user):
        raise PermissionError("Nobody may act on an account with more power than their own")
    user.active = active
    if not active:
        user.session_version += 1
    db.session.flush()
    audit(actor, Action.USER_ACTIVATED if active else Action.USER_DEACTIVATED, user=user.id, hub=user.hub_id)
    db.session.commit()


def resend_invite(actor: User, user: User) -> None:
    """Send a fresh invitation link to someone who has not set a password yet."""
    assert user.hub is not None
    if not may_act_on(actor, user):
        raise PermissionError("Nobody may act on an account with more power than their own")
    _send_invite(user, user.hub, actor)
    audit(actor, Action.USER_INVITATION_RESENT, user=user.id)
    db.session.commit()
