"""Course state changes and the queries behind course pages.

Services never commit: the request (or CLI command, or job) commits once
(``learnhub.transactions``); mail goes out only after that commit. The package is split by
concern; every public name is importable from here:

- ``common``: errors, Markdown, loading, the rules bridge and completion (``recheck_completion``);
- ``authoring``: courses, modules, questions and cohorts;
- ``enrolment``: places, the waiting list and re-takes (under a lock on the cohort);
- ``learning``: reading, knowledge checks and attendance;
- ``overrides``: completions recorded or withdrawn by hand (hub administrators);
- ``reports``: cohort reports.
"""

from learnhub.courses.services.authoring import (
    add_cohort,
    add_module,
    add_question,
    create_course,
    delete_question,
    move_module,
    question_answered,
    set_question_retired,
    update_cohort,
    update_course,
    update_module,
    update_question,
)
from learnhub.courses.services.common import (
    CourseError,
    course_state,
    current_enrolment,
    enrolment_options,
    load_course,
    module_facts,
    module_facts_for,
    my_enrolments,
    recheck_completion,
    recheck_course,
    render_markdown,
    withdraw_completion,
)
from learnhub.courses.services.enrolment import (
    EnrolOutcome,
    enrol,
    enrol_many,
    hub_contacts,
    lock_cohort,
    places_taken,
    promote_waiting,
)
from learnhub.courses.services.learning import (
    AttendanceSaved,
    allow_another_attempt,
    complete_module,
    open_module,
    record_attendance,
    reset_attempts,
    start_attempt,
    submit_attempt,
)
from learnhub.courses.services.overrides import record_completion, withdraw_completion_by_hand
from learnhub.courses.services.reports import CohortReport, cohort_enrolments, cohort_report

__all__ = [
    "AttendanceSaved",
    "allow_another_attempt",
    "withdraw_completion",
    "CohortReport",
    "CourseError",
    "EnrolOutcome",
    "add_cohort",
    "add_module",
    "add_question",
    "cohort_enrolments",
    "cohort_report",
    "complete_module",
    "course_state",
    "create_course",
    "current_enrolment",
    "delete_question",
    "enrol",
    "enrol_many",
    "enrolment_options",
    "hub_contacts",
    "load_course",
    "lock_cohort",
    "module_facts",
    "module_facts_for",
    "move_module",
    "my_enrolments",
    "open_module",
    "places_taken",
    "promote_waiting",
    "question_answered",
    "recheck_completion",
    "record_completion",
    "withdraw_completion_by_hand",
    "recheck_course",
    "record_attendance",
    "reset_attempts",
    "render_markdown",
    "set_question_retired",
    "start_attempt",
    "submit_attempt",
    "update_cohort",
    "update_course",
    "update_module",
    "update_question",
]
