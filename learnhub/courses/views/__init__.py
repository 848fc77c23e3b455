"""Course pages, on one blueprint ``courses``, split by who uses them.

- ``learn``: learners (course list, course, module, knowledge check, my learning);
- ``author``: hub administrators writing courses (details, modules, questions, images);
- ``cohorts``: running a course (cohorts, enrolment, waiting list, attendance, reports).

Authorisation for every object is in ``learnhub.courses.access``.
"""

from flask import Blueprint

bp = Blueprint("courses", __name__, template_folder="../templates")

from learnhub.courses.views import author, cohorts, learn  # noqa: E402,F401  (register routes on bp)
