"""Who may see or change which supervision object.

* A PCN lead manages the PCNs they lead; a hub administrator any PCN of their own hub.
* A supervisee or supervisor sees (and logs sessions for) only their own arrangements.
* Nobody sees another hub's objects: 404, as if they did not exist. A signed-in user who
  manages no PCN at all gets 403 on the PCN pages.
"""

from flask import abort
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.eligibility.services import led_pcns
from learnhub.extensions import db
from learnhub.organisations.models import Pcn
from learnhub.supervision.models import StaffMember, SupervisionArrangement


def managed_pcns(user: User) -> list[Pcn]:
    """PCNs the user may manage: all of their hub's for its administrator, else those they lead."""
    if user.hub_id is None:
        return []
    if user.administers(user.hub_id):
        return list(db.session.scalars(select(Pcn).where(Pcn.hub_id == user.hub_id).order_by(Pcn.name)))
    return led_pcns(user)


def managed_pcns_or_403(user: User) -> list[Pcn]:
    """The PCNs the user manages; 403 for anyone who manages none."""
    pcns = managed_pcns(user)
    if not pcns:
        abort(403)
    return pcns


def get_pcn(user: User, pcn_id: int) -> Pcn:
    """A PCN the user manages (403 if they manage none; 404 for any other PCN)."""
    pcn = next((p for p in managed_pcns_or_403(user) if p.id == pcn_id), None)
    if pcn is None:
        abort(404)
    return pcn


def get_staff(user: User, staff_id: int) -> StaffMember:
    """A staff member of a PCN the user manages; 404 otherwise."""
    pcns = {p.id for p in managed_pcns_or_403(user)}
    staff = db.session.get(StaffMember, staff_id)
    if staff is None or staff.pcn_id not in pcns or staff.hub_id != user.hub_id:
        abort(404)
    return staff


def get_managed_arrangement(user: User, arrangement_id: int) -> SupervisionArrangement:
    """An arrangement of a staff member of a PCN the user manages; 404 otherwise."""
    arrangement = db.session.get(SupervisionArrangement, arrangement_id)
    if arrangement is None:
        abort(404)
    get_staff(user, arrangement.staff_id)
    return arrangement


def may_manage(user: User, arrangement: SupervisionArrangement) -> bool:
    """True if the user manages the arrangement's PCN."""
    return arrangement.staff.hub_id == user.hub_id and arrangement.staff.pcn_id in {p.id for p in managed_pcns(user)}


def get_own_arrangement(user: User, arrangement_id: int) -> SupervisionArrangement:
    """An arrangement where the user is the supervisee or the supervisor (or manages its PCN); 404 otherwise."""
    arrangement = db.session.get(SupervisionArrangement, arrangement_id)
    if arrangement is None:
        abort(404)
    staff = arrangement.staff
    if staff.user_id == user.id or arrangement.supervisor_id == user.id:
        return arrangement
    if may_manage(user, arrangement):
        return arrangement
    abort(404)
