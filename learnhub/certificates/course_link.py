"""Issue a certificate the moment a learner completes a course.

Connected to ``learnhub.courses.signals.course_completed`` when this module is imported (by
``learnhub.wiring``). The certificate is added in the same transaction as the
completion, so there is never a completion without its certificate.
"""

from learnhub.certificates.services import issue_certificate
from learnhub.courses import signals
from learnhub.extensions import db
from learnhub.organisations.models import Hub


@signals.course_completed.connect
def issue_for_completion(completion, **_: object) -> None:  # type: ignore[no-untyped-def]
    """Issue (and grant eligibility for) the certificate of a course completion."""
    db.session.flush()
    if completion.user.erased_at is not None:
        return  # nobody to certify: the holder's personal data has been erased
    course = completion.course
    hub = db.session.get(Hub, course.hub_id)
    issue_certificate(
        user=completion.user,
        hub=hub,
        course_id=course.id,
        completion_id=completion.id,
        course_title=course.title,
        cpd_hours=completion.cpd_hours,
        outcomes=course.outcomes,
        completed_at=completion.completed_at,
        commit=False,
    )
