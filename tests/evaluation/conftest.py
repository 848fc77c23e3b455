"""Evaluation fixtures: an instrument attached to a fake course whose invitees the test controls."""

from datetime import timedelta

import pytest

from learnhub.evaluation import interface, services
from learnhub.evaluation.models import AGREEMENT, FREE_TEXT, MULTIPLE, POST, PRE, RATING, SINGLE
from learnhub.extensions import db
from learnhub.timeutil import utcnow
from tests.courses.conftest import make_course  # noqa: F401  (real courses for the attach pages)

SECTIONS = [
    {
        "title": "Confidence",
        "items": [
            {"kind": AGREEMENT, "text": "I feel confident supervising.", "core": True, "asked_at": "pre,post"},
            {"kind": AGREEMENT, "text": "I feel isolated at work.", "core": True, "reverse_scored": True, "asked_at": "pre,post"},
            {"kind": RATING, "text": "How satisfied are you?", "asked_at": "pre,post"},
        ],
    },
    {
        "title": "About the course",
        "items": [
            {"kind": SINGLE, "text": "Will you supervise?", "options": ["Yes", "No", "Not sure"], "asked_at": "post"},
            {
                "kind": MULTIPLE,
                "text": "Support wanted",
                "options": ["1:1", "Group", "Peer"],
                "required": False,
                "asked_at": "post",
            },
            {"kind": FREE_TEXT, "text": "Any comments?", "required": False, "asked_at": "post"},
        ],
    },
]


@pytest.fixture
def course_invitees():
    """The fake courses feature: ``course_invitees[course_id] = [(user_id, cohort), ...]``."""
    from learnhub.evaluation import links

    roster: dict[int, list[tuple[int, str | None]]] = {}
    real = links.RECEIVERS[("invitees", "course")]

    def fake(_subject_type: str, *, subject_id: int) -> list[tuple[int, str | None]]:
        return roster.get(subject_id, [])

    interface.invitees_wanted.disconnect(real, sender="course")
    interface.invitees_wanted.connect(fake, sender="course", weak=False)
    yield roster
    interface.invitees_wanted.disconnect(fake, sender="course")
    interface.invitees_wanted.connect(real, sender="course", weak=False)


@pytest.fixture
def make_survey(app):
    """Create an instrument in a hub, attached to course 101 with pre (open) and post (open) windows."""

    def factory(hub_id: int, *, pre_open=True, post_open=True, course_id: int = 101, title: str = "Course survey") -> dict:
        now = utcnow()
        open_window = (now - timedelta(days=1), now + timedelta(days=10))
        closed_window = (now - timedelta(days=20), now - timedelta(days=10))
        with app.app_context():
            instrument = services.create_instrument(hub_id, title, "About the course", SECTIONS)
            attachment = services.attach(
                instrument,
                "course",
                course_id,
                "Supervisor course, March",
                {PRE: open_window if pre_open else closed_window, POST: open_window if post_open else closed_window},
            )
            db.session.commit()
            items = {i.text: i.id for i in instrument.items}
            return {
                "instrument_id": instrument.id,
                "attachment_id": attachment.id,
                "items": items,
                "section_id": instrument.sections[0].id,
            }

    return factory
