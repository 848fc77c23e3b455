"""Certificate fixtures (shared with the eligibility tests)."""

from tests.certificates.fixtures import OUTCOMES, declare, issue

__all__ = ["OUTCOMES", "declare", "issue"]
