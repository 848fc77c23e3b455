"""Emails about certificates: course completed (with the certificate), revoked, reinstated, superseded.

Queued in the transaction of the change (``learnhub.notifications``), sent after it commits.
A revocation is a service message (it cannot be turned off); the others are "certificates" or
"courses" messages each person can turn off.
"""

from learnhub.certificates.models import Certificate
from learnhub.certificates.services.common import verify_url
from learnhub.notifications.categories import CERTIFICATE_REVOKED, CERTIFICATES, COURSES
from learnhub.notifications.services import notify
from learnhub.urls import external_url


def _context(cert: Certificate) -> dict:
    return {
        "course_title": cert.course_title,
        "code": cert.display_code,
        "verify": verify_url(cert.code),
        "mine": external_url("certificates.mine"),
    }


def course_completed(cert: Certificate) -> None:
    notify(
        f"course-completed:certificate-{cert.id}",
        category=COURSES,
        user=cert.user,
        template="course_completed",
        context=_context(cert),
    )


def revoked(cert: Certificate, reason: str) -> None:
    stamp = cert.revoked_at.isoformat() if cert.revoked_at else ""
    notify(
        f"certificate-revoked:{cert.id}:{stamp}",
        category=CERTIFICATE_REVOKED,
        user=cert.user,
        template="certificate_revoked",
        context={**_context(cert), "reason": reason},
    )


def reinstated(cert: Certificate, reason: str, event_id: int) -> None:
    notify(
        f"certificate-reinstated:{cert.id}:event-{event_id}",
        category=CERTIFICATES,
        user=cert.user,
        template="certificate_reinstated",
        context={**_context(cert), "reason": reason},
    )


def superseded(old: Certificate, new: Certificate) -> None:
    notify(
        f"certificate-superseded:{old.id}",
        category=CERTIFICATES,
        user=new.user,
        template="certificate_superseded",
        context={**_context(new), "old_code": old.display_code, "version": new.version},
    )
