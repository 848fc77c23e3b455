"""What every certificate service shares: its error, codes, verify links, facts for the PDF, lookups."""

from sqlalchemy import case, select

from learnhub.certificates.codes import format_code, new_code
from learnhub.certificates.models import Certificate
from learnhub.certificates.pdf import CertificateFacts
from learnhub.eligibility.rules import label
from learnhub.extensions import db
from learnhub.urls import external_url


class CertificateError(ValueError):
    """A certificate action that cannot be done; the message is for the user."""


def verify_url(code: str) -> str:
    """The public verify URL for a code, from ``PUBLIC_BASE_URL`` (never from the request)."""
    return external_url("certificates.verify", code=format_code(code))


def _unique_code() -> str:
    while True:
        code = new_code()
        if db.session.scalar(select(Certificate.id).where(Certificate.code == code)) is None:
            return code


def facts_with_mark(cert: Certificate) -> CertificateFacts:
    """The certificate's facts, marked REVOKED or SUPERSEDED when it no longer stands (holder downloads)."""
    from dataclasses import replace

    marks = {Certificate.REVOKED: "REVOKED", Certificate.SUPERSEDED: "SUPERSEDED"}
    return replace(_facts(cert), mark=marks.get(cert.status))


def _facts(cert: Certificate) -> CertificateFacts:
    return CertificateFacts(
        holder_name=cert.holder_name,
        course_title=cert.course_title,
        completed_on=cert.completed_on,
        cpd_hours=cert.cpd_hours,
        outcomes=list(cert.outcomes or []),
        hub_name=cert.hub_name,
        signatory=cert.signatory,
        code=cert.code,
        verify_url=verify_url(cert.code),
        version=cert.version,
        valid_until=cert.valid_until,
        eligibilities=list(cert.eligibilities or []),
    )


def find_issued(user_id: int, course_id: int, completion_id: int | None) -> Certificate | None:
    """The current certificate for a completion, if one was issued: the valid one, else the latest revoked one."""
    stmt = select(Certificate).where(
        Certificate.user_id == user_id,
        Certificate.course_id == course_id,
        Certificate.status != Certificate.SUPERSEDED,
    )
    if completion_id is None:
        stmt = stmt.where(Certificate.completion_id.is_(None))
    else:
        stmt = stmt.where(Certificate.completion_id == completion_id)
    valid_first = case((Certificate.status == Certificate.VALID, 0), else_=1)
    return db.session.scalar(stmt.order_by(valid_first, Certificate.version.desc(), Certificate.id.desc()).limit(1))


def eligibility_label(code: str) -> str:
    """Readable name of an eligibility type (for templates)."""
    return label(code)
