"""Issue a certificate the moment a learner completes a course.

Registered with ``learnhub.courses.hooks.on_completed`` when this module is imported (via
``learnhub.wiring``). The certificate is added in the same transaction as the completion, so
there is never a completion without its certificate. This module is the only place the
certificates feature reacts to course completion events; its public functions stay stable.
"""

from learnhub.certificates.services import issue_for_completion as _issue
from learnhub.courses import hooks


@hooks.on_completed
def issue_for_completion(completion) -> None:  # type: ignore[no-untyped-def]
    """Issue (and grant eligibility for) the certificate of a course completion."""
    _issue(completion)
