"""A fixture world for the authorisation matrix: the "target" objects live in hub A (group A)."""

from tests.als.conftest import build_world, world  # noqa: F401
from tests.certificates.fixtures import declare, issue  # noqa: F401
from tests.courses.conftest import make_course  # noqa: F401
from tests.evaluation.conftest import make_survey  # noqa: F401
