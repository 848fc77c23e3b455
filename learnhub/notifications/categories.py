"""Kinds of email a person can receive, and which of them they may turn off."""

#: Service messages: always sent (password, account and security, certificate revoked).
ACCOUNT = "account"
SECURITY = "security"
CERTIFICATE_REVOKED = "certificate_revoked"
SERVICE = frozenset({ACCOUNT, SECURITY, CERTIFICATE_REVOKED})

#: Optional categories, in the order the preferences page lists them: (name, label, hint).
COURSES = "courses"
CERTIFICATES = "certificates"
ALS = "als"
SURVEYS = "surveys"
RENEWAL = "renewal"
SUPERVISION = "supervision"
OPTIONAL: dict[str, tuple[str, str]] = {
    COURSES: ("Courses", "Enrolment confirmed, waiting list, a place coming up, course completed."),
    CERTIFICATES: ("Certificates", "A certificate reinstated or replaced by a new version."),
    ALS: ("Action Learning Sets", "Sessions moved or cancelled, facilitators assigned or withdrawn."),
    SURVEYS: ("Surveys", "An invitation when a survey opens and one reminder before it closes."),
    RENEWAL: ("Renewal reminders", "When your renewal window opens and when an eligibility is about to expire."),
    SUPERVISION: (
        "Supervision",
        "For PCN leads: a supervisor's arrangements stop counting (eligibility revoked, account closed).",
    ),
}


def is_optional(category: str) -> bool:
    return category in OPTIONAL
