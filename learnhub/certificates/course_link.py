"""Certificates follow course completions: issued on completion, revoked on withdrawal.

Connected to ``learnhub.courses.signals`` when this module is imported (by
``learnhub.wiring``). Both happen in the same transaction as the change to the completion, so
there is never a completion without its certificate, nor a valid certificate for a withdrawn
completion. This module is the only place the certificates feature reacts to course events.
"""

from learnhub.certificates.models import Certificate
from learnhub.certificates.services import find_issued, revoke_certificate
from learnhub.certificates.services import issue_for_completion as _issue
from learnhub.courses import signals


@signals.course_completed.connect
def issue_for_completion(completion, *, actor=None, **_: object) -> None:  # type: ignore[no-untyped-def]
    """Issue (and grant eligibility for) the certificate of a course completion.

    The completion has just come into force (first recorded, or recorded again after it was
    withdrawn), so a certificate revoked with the withdrawal is replaced by a new one.
    """
    _issue(completion, actor, replace_revoked=True)


@signals.completion_withdrawn.connect
def revoke_for_withdrawn_completion(completion, *, reason: str, actor=None, **_: object) -> None:  # type: ignore[no-untyped-def]
    """Revoke the current certificate of a completion that has been withdrawn ("completion withdrawn")."""
    cert: Certificate | None = find_issued(completion.user_id, completion.course_id, completion.id)
    if cert is not None and cert.status not in (Certificate.REVOKED, Certificate.SUPERSEDED):
        revoke_certificate(actor, cert, f"Completion withdrawn: {reason}")
