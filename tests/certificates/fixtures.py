"""Fixtures shared by the certificate and eligibility tests: issue certificates through the real service."""

from collections.abc import Callable
from datetime import date

import pytest

from learnhub.extensions import db

OUTCOMES = ["Plan supervision for a new ARRS practitioner", "Run a safe daily debrief"]


@pytest.fixture
def declare(app) -> Callable[..., None]:  # type: ignore[no-untyped-def]
    """Make a course grant an eligibility: declare(hub_id, course_id, type, months=36, window=90)."""
    from learnhub.eligibility.models import EligibilityDeclaration

    def factory(hub_id: int, course_id: int, kind: str, months: int = 36, window: int = 90) -> None:
        with app.app_context():
            db.session.add(
                EligibilityDeclaration(
                    course_id=course_id, hub_id=hub_id, eligibility_type=kind, validity_months=months, renewal_window_days=window
                )
            )
            db.session.commit()

    return factory


@pytest.fixture
def issue(app) -> Callable[..., int]:  # type: ignore[no-untyped-def]
    """Issue a certificate for a user through the service; returns the certificate id."""
    from learnhub.accounts.models import User
    from learnhub.certificates.services import issue_certificate
    from learnhub.organisations.models import Hub

    def factory(user_id: int, course_id: int = 7, completion_id: int | None = None, **overrides: object) -> int:
        with app.test_request_context():
            user = db.session.get(User, user_id)
            hub = db.session.get(Hub, overrides.pop("hub_id", user.hub_id))
            cert = issue_certificate(
                user=user,
                hub=hub,
                course_id=course_id,
                completion_id=completion_id if completion_id is not None else user_id * 1000 + course_id,
                course_title=overrides.pop("course_title", "Supervising ARRS roles in primary care"),
                cpd_hours=overrides.pop("cpd_hours", "6.5"),
                outcomes=overrides.pop("outcomes", OUTCOMES),
                completed_at=overrides.pop("completed_at", date.today()),
            )
            return cert.id

    return factory
