"""Fixtures from the feature suites, shared by the cross-feature tests."""

from tests.certificates.fixtures import completion_for, course_for, declare
from tests.courses.conftest import make_course
from tests.evaluation.conftest import make_survey

__all__ = ["completion_for", "course_for", "declare", "make_course", "make_survey"]
