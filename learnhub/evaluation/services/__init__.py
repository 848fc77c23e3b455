"""Evaluation state changes, by concern. Services flush, audit and never commit.

- :mod:`.common`: plain-words errors, pseudonymous respondent keys, the hub's threshold;
- :mod:`.answering`: who is invited, what is due, saving drafts and submissions;
- :mod:`.authoring`: instruments, sections, questions and attachments;
- :mod:`.aggregates`: the results' counts, kept in step with every saved response (and rebuilt).

Everything is re-exported here, so callers write ``services.save_response(...)``.
"""

from learnhub.evaluation.services.answering import (
    AnswerValue,
    DueSurvey,
    asked_items,
    check_answers,
    find_response,
    invitation,
    invited,
    save_response,
    stored_answers,
    surveys_due_count,
    surveys_for,
)
from learnhub.evaluation.services.authoring import (
    EDITABLE_WITH_ANSWERS,
    Windows,
    add_item,
    add_section,
    attach,
    attach_to_subject,
    copy_instrument,
    create_instrument,
    delete_item,
    delete_section,
    detach,
    item_has_answers,
    move_item,
    move_section,
    new_instrument,
    responses_by_timepoint,
    retire_item,
    update_attachment,
    update_instrument,
    update_item,
    update_section,
)
from learnhub.evaluation.services.common import (
    MAX_TEXT,
    AuthoringProblem,
    ItemHasAnswers,
    SurveyProblem,
    new_key_secret,
    respondent_key,
    set_threshold,
    threshold_for,
)

__all__ = [
    "EDITABLE_WITH_ANSWERS",
    "MAX_TEXT",
    "AnswerValue",
    "AuthoringProblem",
    "DueSurvey",
    "ItemHasAnswers",
    "SurveyProblem",
    "Windows",
    "add_item",
    "add_section",
    "asked_items",
    "attach",
    "attach_to_subject",
    "check_answers",
    "copy_instrument",
    "create_instrument",
    "delete_item",
    "delete_section",
    "detach",
    "find_response",
    "invitation",
    "invited",
    "item_has_answers",
    "move_item",
    "move_section",
    "new_instrument",
    "new_key_secret",
    "respondent_key",
    "responses_by_timepoint",
    "retire_item",
    "save_response",
    "set_threshold",
    "stored_answers",
    "surveys_due_count",
    "surveys_for",
    "threshold_for",
    "update_attachment",
    "update_instrument",
    "update_item",
    "update_section",
]
