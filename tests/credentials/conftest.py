"""Credential tests use the certificate fixtures (real courses, completions and certificates)."""

from tests.certificates.fixtures import OUTCOMES, completion_for, course_for, declare, issue

__all__ = ["OUTCOMES", "completion_for", "course_for", "declare", "issue"]
