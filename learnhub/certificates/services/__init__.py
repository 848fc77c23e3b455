"""Issuing, revoking, re-issuing and reinstating certificates.

- ``issuing``: a certificate for a completion and the eligibilities it grants; re-issue;
- ``corrections``: revoke (with the eligibility it granted) and reinstate;
- ``common``: the error type, codes, verify links, the facts a PDF shows, lookups.

Services never commit: each call adds its changes and audit rows to the caller's unit of work
(the request, CLI command or job commits once, see :mod:`learnhub.transactions`).
"""

from learnhub.certificates.services.common import CertificateError, eligibility_label, facts_with_mark, find_issued, verify_url
from learnhub.certificates.services.corrections import mark_revoked, reinstate_certificate, revoke_certificate, revoke_eligibility
from learnhub.certificates.services.issuing import issue_certificate, issue_for_completion, reissue_certificate

__all__ = [
    "CertificateError",
    "eligibility_label",
    "facts_with_mark",
    "find_issued",
    "issue_certificate",
    "issue_for_completion",
    "mark_revoked",
    "reinstate_certificate",
    "reissue_certificate",
    "revoke_certificate",
    "revoke_eligibility",
    "verify_url",
]
