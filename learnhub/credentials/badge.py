"""A certificate as an Open Badges 3.0 ``OpenBadgeCredential``, signed as a ``vc+jwt``.

The credential (W3C Verifiable Credentials Data Model 2.0) is the JWS payload itself, as
VC-JOSE-COSE secures it: ``typ`` ``vc+jwt``, ``cty`` ``vc``, ``alg`` ``EdDSA`` (Ed25519),
and ``kid`` the URL of the public key (a JWK the hub publishes). Revocation and
supersession are published in the hub's Bitstring Status List.
"""

import hashlib
import hmac
import json
import uuid
import warnings
from datetime import UTC, date, datetime

from flask import current_app
from joserfc import jws
from joserfc.jwk import OKPKey
from sqlalchemy import select

from learnhub.certificates.models import Certificate
from learnhub.certificates.services import verify_url
from learnhub.credentials import keys, statuslist
from learnhub.credentials.models import IssuerKey
from learnhub.eligibility.rules import ELIGIBILITY_TYPES
from learnhub.extensions import db
from learnhub.roles import PROFESSIONAL_ROLES
from learnhub.urls import external_url, public_base_url

#: RFC 8037 EdDSA: the value every JOSE library knows. (RFC 9864 adds the fully specified
#: ``Ed25519`` and deprecates ``EdDSA``; verifiers that know only the older name are common.)
ALG = "EdDSA"
TYP = "vc+jwt"
CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
#: A namespace for the stable ``urn:uuid`` ids of achievements and result descriptions.
_NAMESPACE = uuid.UUID("6f4c7f0e-2b1e-4d5a-9a57-5d1c0b7e2a10")


def issuer_id(hub_id: int) -> str:
    """The hub's issuer identity: the URL of its Open Badges issuer profile."""
    return external_url("credentials.issuer", hub_id=hub_id)


def key_url(key: IssuerKey) -> str:
    """The ``kid`` of a key: the URL where its public JWK is published."""
    return external_url("credentials.key", hub_id=key.hub_id, kid=key.kid)


def status_list_url(hub_id: int, list_no: int) -> str:
    """Where the hub publishes one of its status lists."""
    return external_url("credentials.status_list", hub_id=hub_id, list_no=list_no)


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _end_of(day: date) -> str:
    return f"{day.isoformat()}T23:59:59Z"


def identity_salt(cert: Certificate) -> str:
    """A salt for the holder's hashed email, the same for every download of this certificate."""
    secret = str(current_app.config.get("SECRET_KEY") or "").encode()
    return hmac.new(secret, f"identity-salt:{cert.code}".encode(), hashlib.sha256).hexdigest()[:32]


def hashed_email(email: str, salt: str) -> str:
    """Open Badges ``identityHash``: ``sha256$`` and the hex SHA-256 of the email and the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def _criteria(cert: Certificate) -> str:
    from learnhub.courses.models import Course

    course = db.session.get(Course, cert.course_id)
    lines = [f"Complete the course {cert.course_title!r} run by {cert.hub_name}."]
    if course is not None:
        required = [m for m in course.published_modules if m.required]
        if required:
            lines.append("")
            lines.append("Complete every required module:")
            lines += [f"- {module.title} ({module.kind.replace('_', ' ')})" for module in required]
        surveys = [
            name
            for name, needed in (("pre-course", course.requires_pre_survey), ("post-course", course.requires_post_survey))
            if needed
        ]
        if surveys:
            lines.append("")
            lines.append(f"Complete the {' and '.join(surveys)} evaluation survey{'s' if len(surveys) > 1 else ''}.")
    if cert.outcomes:
        lines.append("")
        lines.append("Learning outcomes:")
        lines += [f"- {outcome}" for outcome in cert.outcomes]
    return "\n".join(lines)


def _description(cert: Certificate) -> str:
    from learnhub.courses.models import Course

    course = db.session.get(Course, cert.course_id)
    summary = (course.summary or "").strip() if course is not None else ""
    return summary or f"Supervisor training course {cert.course_title} from {cert.hub_name}."


def eligibilities(cert: Certificate) -> list[tuple[str, date]]:
    """(eligibility type, last day) for each supervisor eligibility the certificate granted."""
    from learnhub.eligibility.models import EligibilityEvent, EligibilityRecord

    found: dict[str, date] = {}
    chain = [cert.id]
    # A re-issued version carries the eligibility granted with the first one.
    older = cert
    while True:
        previous = db.session.scalar(select(Certificate).where(Certificate.superseded_by_id == older.id))
        if previous is None or previous.id in chain:
            break
        chain.append(previous.id)
        older = previous
    for event in db.session.scalars(
        select(EligibilityEvent)
        .where(EligibilityEvent.certificate_id.in_(chain), EligibilityEvent.kind.in_(("granted", "renewed")))
        .order_by(EligibilityEvent.id)
    ):
        if event.expires_on is not None:
            found[event.eligibility_type] = event.expires_on
    for record in db.session.scalars(select(EligibilityRecord).where(EligibilityRecord.certificate_id == cert.id)):
        if record.expires_on is not None:
            found[record.eligibility_type] = record.expires_on
    return sorted(found.items())


def _eligibility_parts(cert: Certificate) -> tuple[list, list, list]:
    descriptions, results, alignments = [], [], []
    for code, until in eligibilities(cert):
        kind = ELIGIBILITY_TYPES.get(code)
        name = kind.label if kind else code
        roles = sorted(PROFESSIONAL_ROLES.get(role, role) for role in (kind.covers if kind else ()))
        covers = ", ".join(roles) if roles else "none listed"
        description_id = f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'eligibility:{code}')}"
        descriptions.append(
            {
                "id": description_id,
                "type": ["ResultDescription"],
                "name": f"{name} eligibility",
                "resultType": "Status",
            }
        )
        results.append(
            {
                "type": ["Result"],
                "resultDescription": description_id,
                "status": "Completed",
                "value": f"Eligible until {until.isoformat()}; covers ARRS roles: {covers}",
            }
        )
        alignments.append(
            {
                "type": ["Alignment"],
                "targetName": name,
                "targetCode": code,
                "targetType": "ext:SupervisorEligibility",
                "targetDescription": f"Eligible to supervise these ARRS roles until {until.isoformat()}: {covers}.",
                "targetUrl": verify_url(cert.code),
            }
        )
    return descriptions, results, alignments


def credential_for(cert: Certificate) -> dict:
    """The unsigned Open Badges 3.0 credential of a certificate."""
    list_no, index = statuslist.position(cert.id)
    list_url = status_list_url(cert.hub_id, list_no)
    salt = identity_salt(cert)
    descriptions, results, alignments = _eligibility_parts(cert)
    hours = float(cert.cpd_hours)
    achievement: dict = {
        "id": f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{public_base_url()}/course/{cert.course_id}')}",
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": cert.course_title,
        "description": _description(cert),
        "criteria": {"narrative": _criteria(cert)},
        "creditsAvailable": hours,
    }
    if descriptions:
        achievement["resultDescription"] = descriptions
        achievement["alignment"] = alignments
    subject: dict = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": hashed_email(cert.user.email or "", salt),
                "salt": salt,
            },
            {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": cert.holder_name},
        ],
        "achievement": achievement,
        "creditsEarned": hours,
        "activityEndDate": _end_of(cert.completed_on),
    }
    if results:
        subject["result"] = results
    credential: dict = {
        "@context": CONTEXT,
        "id": verify_url(cert.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": cert.course_title,
        "issuer": {"id": issuer_id(cert.hub_id), "type": ["Profile"], "name": cert.hub_name, "url": public_base_url()},
        "validFrom": _instant(cert.issued_at),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": f"{list_url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": list_url,
        },
    }
    if cert.valid_until is not None:
        credential["validUntil"] = _end_of(cert.valid_until)
    return credential


def sign(payload: dict, key: IssuerKey, private: OKPKey | None = None) -> str:
    """The payload as a compact JWS (``vc+jwt``) signed with the key."""
    header = {"alg": ALG, "typ": TYP, "cty": "vc", "kid": key_url(key)}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    with warnings.catch_warnings():
        # joserfc flags EdDSA as deprecated by RFC 9864 (see ALG); the signature is Ed25519 either way.
        warnings.filterwarnings("ignore", message="EdDSA is deprecated")
        return jws.serialize_compact(header, body, private or keys.signing_key(key), algorithms=[ALG])


def signed_credential(cert: Certificate) -> str:
    """The certificate's credential, signed with its hub's active key (created on first use)."""
    payload = credential_for(cert)
    return sign(payload, *keys.usable_key(cert.hub_id))


def enveloped(token: str) -> dict:
    """A signed credential as JSON: the VC 2.0 ``EnvelopedVerifiableCredential`` of a ``vc+jwt``."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"data:application/vc+jwt,{token}",
        "type": "EnvelopedVerifiableCredential",
    }


def revoked_numbers(hub_id: int, list_no: int) -> set[int]:
    """Indexes set in a hub's status list: its revoked and superseded certificates in that range."""
    low, high = list_no * statuslist.LIST_SIZE, (list_no + 1) * statuslist.LIST_SIZE
    ids = db.session.scalars(
        select(Certificate.id).where(
            Certificate.hub_id == hub_id,
            Certificate.id >= low,
            Certificate.id < high,
            Certificate.status.in_((Certificate.REVOKED, Certificate.SUPERSEDED)),
        )
    )
    return {number - low for number in ids}


def status_list_credential(hub_id: int, list_no: int, now: datetime) -> dict:
    """The unsigned ``BitstringStatusListCredential`` of one of a hub's lists."""
    url = status_list_url(hub_id, list_no)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(hub_id),
        "validFrom": _instant(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": statuslist.encode(revoked_numbers(hub_id, list_no)),
        },
    }


def signed_status_list(hub_id: int, list_no: int, now: datetime) -> str:
    """The status list credential, signed with the hub's active key."""
    return sign(status_list_credential(hub_id, list_no, now), *keys.usable_key(hub_id))
