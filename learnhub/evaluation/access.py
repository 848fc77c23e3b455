"""Who may see or change which evaluation object: one helper per kind of user.

Every object of a hub (instrument, section, question, attachment) is loaded through
:func:`get_for_admin`: it aborts 404 (not 403) when the object is in another hub, so another
hub's administrator cannot even learn that it exists. Participants load survey attachments
through :func:`get_attachment_for_participant` (their own hub only).
"""

from typing import TypeVar

from flask import abort
from flask_login import current_user

from learnhub.evaluation.models import Attachment, Instrument, Item, Section
from learnhub.extensions import db

M = TypeVar("M", Instrument, Section, Item, Attachment)


def hub_of(obj: Instrument | Section | Item | Attachment) -> int:
    """The hub an evaluation object belongs to (sections and questions through their instrument)."""
    if isinstance(obj, Section | Item):
        return obj.instrument.hub_id
    return obj.hub_id


def get_for_admin(model: type[M], object_id: int) -> M:
    """An object of the current administrator's hub; 404 when missing or in any other hub."""
    obj = db.session.get(model, object_id)
    if obj is None or not current_user.administers(hub_of(obj)):
        abort(404)
    return obj


def get_instrument_for_admin(instrument_id: int) -> Instrument:
    """An instrument of the administrator's hub; 404 otherwise."""
    return get_for_admin(Instrument, instrument_id)


def get_section_for_admin(section_id: int) -> Section:
    """A section of one of the administrator's instruments; 404 otherwise."""
    return get_for_admin(Section, section_id)


def get_item_for_admin(item_id: int) -> Item:
    """A question of one of the administrator's instruments; 404 otherwise."""
    return get_for_admin(Item, item_id)


def get_attachment_for_admin(attachment_id: int) -> Attachment:
    """An attachment of the administrator's hub; 404 otherwise."""
    return get_for_admin(Attachment, attachment_id)


def get_attachment_for_participant(attachment_id: int) -> Attachment:
    """A survey attachment in the person's own hub; 404 for another hub's."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.hub_id != current_user.hub_id:
        abort(404)
    return attachment
