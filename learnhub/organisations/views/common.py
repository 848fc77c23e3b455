"""Finding the hub and the people an administrator may act on (authorisation in :mod:`..access`)."""

from flask import abort, current_app, flash
from flask_login import current_user

from learnhub.accounts.models import User
from learnhub.organisations import access
from learnhub.organisations.models import Hub
from learnhub.roles import may_act_on


def get_hub_user(user_id: int) -> User:
    """A user of the current administrator's hub; 404 for anyone else (see :mod:`.access`)."""
    return access.get_hub_user(current_user, user_id)


def get_manageable_user(user_id: int) -> User:
    """A user of the administrator's hub whom they may act on.

    404 outside the hub; 403 for anyone with more power than the administrator (a site
    administrator), whatever the action: permission, deactivation, invitation or erasure.
    """
    user = get_hub_user(user_id)
    if not may_act_on(current_user, user):
        abort(403)
    return user


def _current_hub() -> Hub:
    return access.current_hub(current_user)


#: Shown when an administrator tries to change an erased account.
ERASED_UNCHANGEABLE = "This person's personal data has been erased. The account cannot be changed or used again."


def flash_invitation_sent(email: str, *, again: bool = False) -> None:
    """Say an invitation went, or, with no mail server set up, that it is waiting (never a false "sent")."""
    if not current_app.config.get("MAIL_SERVER"):
        flash(
            f"No mail server is set up, so the invitation to {email} is waiting to be sent "
            "(see Emails not sent on the hub administration page).",
            "warning",
        )
    else:
        flash(f"A{' new' if again else 'n'} invitation has been sent to {email}.", "success")


def _flash_invited(email: str, created: bool) -> None:
    if created:
        flash_invitation_sent(email)
    else:  # the same form sent twice at once: the first request invited them
        flash(f"An account for {email} already exists. No new invitation was sent.", "warning")
