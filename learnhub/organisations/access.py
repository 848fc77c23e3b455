"""Who may see or change which organisation object. One helper per object type.

404 when the administrator may not know the object exists (someone in another hub, another
hub's PCN).
"""

from flask import abort

from learnhub.accounts.models import User
from learnhub.extensions import db
from learnhub.organisations.models import Hub, Pcn


def get_hub_user(admin: User, user_id: int) -> User:
    """A user of the administrator's hub; 404 for anyone else (no hint they exist)."""
    user = db.session.get(User, user_id)
    if user is None or user.hub_id != admin.hub_id:
        abort(404)
    return user


def current_hub(admin: User) -> Hub:
    """The administrator's own hub; 404 if they have none."""
    hub = db.session.get(Hub, admin.hub_id) if admin.hub_id is not None else None
    if hub is None:
        abort(404)
    return hub


def get_pcn_for(admin: User, pcn_id: int | str | None) -> Pcn:
    """A PCN of the administrator's hub; 404 for another hub's (or none)."""
    try:
        pcn = db.session.get(Pcn, int(pcn_id)) if pcn_id is not None else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        pcn = None
    if pcn is None or pcn.hub_id != admin.hub_id:
        abort(404)
    return pcn
