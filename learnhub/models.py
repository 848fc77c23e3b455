"""Imports every feature's models so the metadata is complete (used by the factory and Alembic)."""

from learnhub.accounts.models import PasswordToken, User
from learnhub.als import models as als_models  # noqa: F401
from learnhub.audit import AuditEvent  # noqa: F401
from learnhub.certificates.models import BulkJob, Certificate  # noqa: F401
from learnhub.courses.models import Course  # noqa: F401  (imports every course table)
from learnhub.credentials.models import IssuerKey  # noqa: F401
from learnhub.eligibility.models import EligibilityDeclaration, EligibilityEvent, EligibilityRecord, PcnLead  # noqa: F401
from learnhub.evaluation import models as evaluation_models  # noqa: F401
from learnhub.locks import JobLock  # noqa: F401
from learnhub.notifications.models import NotificationPreference, OutboxMessage  # noqa: F401
from learnhub.organisations.models import Hub, Pcn, Practice
from learnhub.submissions import FormSubmission  # noqa: F401
from learnhub.supervision import models as supervision_models  # noqa: F401

__all__ = ["Hub", "PasswordToken", "Pcn", "Practice", "User"]
