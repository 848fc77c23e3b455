"""Who may see or change which eligibility object. One helper per object type.

404 when the user may not know the object exists (another hub's course or person, someone in
a PCN they do not lead); 403 for a signed-in user who leads no PCN at all.
"""

from flask import abort
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.courses.models import Course
from learnhub.eligibility.models import EligibilityDeclaration
from learnhub.eligibility.services import led_pcns
from learnhub.extensions import db
from learnhub.organisations.models import Pcn


def get_course_declarations(user: User, course_id: int) -> list[EligibilityDeclaration]:
    """A course's declarations, if the course belongs to the administrator's hub; 404 otherwise."""
    course = db.session.get(Course, course_id)
    if course is None or course.hub_id != user.hub_id or not user.administers(course.hub_id):
        abort(404)
    return list(
        db.session.scalars(
            select(EligibilityDeclaration)
            .where(EligibilityDeclaration.course_id == course_id)
            .order_by(EligibilityDeclaration.id)
        )
    )


def get_declaration_for(user: User, course_id: int, declaration_id: int) -> EligibilityDeclaration:
    """One declaration of a course of the administrator's hub; 404 otherwise."""
    declaration = next((d for d in get_course_declarations(user, course_id) if d.id == declaration_id), None)
    if declaration is None:
        abort(404)
    return declaration


def get_hub_person(user: User, person_id: int) -> User:
    """Someone in the administrator's hub; 404 for anyone else."""
    person = db.session.get(User, person_id)
    if person is None or person.hub_id != user.hub_id:
        abort(404)
    return person


def led_pcns_or_403(user: User) -> list[Pcn]:
    """The PCNs the user leads; 403 for anyone who leads none."""
    pcns = led_pcns(user)
    if not pcns:
        abort(403)
    return pcns


def get_led_person(user: User, person_id: int) -> User:
    """Someone in a PCN the user leads (403 if they lead none); 404 for anyone in another PCN."""
    led = {p.id for p in led_pcns_or_403(user)}
    person = db.session.get(User, person_id)
    if person is None or person.hub_id != user.hub_id or person.pcn_id not in led:
        abort(404)
    return person
