"""Who may see or act on which certificate object. One helper per object type.

404 when the user may not know the object exists (another hub's certificate, cohort or job,
someone else's certificate).
"""

from flask import abort

from learnhub.accounts.models import User
from learnhub.certificates.models import BulkJob, Certificate
from learnhub.courses.models import Cohort
from learnhub.extensions import db


def get_certificate_for(user: User, certificate_id: int, *, admin: bool = False) -> Certificate:
    """A certificate the user may see: their own, or (as hub admin) one their hub issued; else 404.

    ``admin=True`` (the administration pages) allows only the issuing hub's administrators.
    """
    cert = db.session.get(Certificate, certificate_id)
    if cert is None:
        abort(404)
    if admin:
        if not user.administers(cert.hub_id):
            abort(404)
    elif cert.user_id != user.id and not user.administers(cert.hub_id):
        abort(404)
    return cert


def get_cohort_for(user: User, cohort_id: int) -> Cohort:
    """A cohort of a course of the administrator's hub; 404 for anyone else's."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not user.administers(cohort.course.hub_id):
        abort(404)
    return cohort


def get_job_for(user: User, job_id: int) -> BulkJob:
    """A bulk job of the administrator's hub; 404 for anyone else's."""
    job = db.session.get(BulkJob, job_id)
    if job is None or not user.administers(job.hub_id):
        abort(404)
    return job
