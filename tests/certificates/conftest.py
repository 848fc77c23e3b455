"""Certificate fixtures (shared with the eligibility tests)."""

from tests.certificates.fixtures import OUTCOMES, completion_for, course_for, declare, issue

__all__ = ["OUTCOMES", "completion_for", "course_for", "declare", "issue"]
