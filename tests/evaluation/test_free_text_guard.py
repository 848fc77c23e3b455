"""Free-text survey answers are screened for identifiers (patients' and the respondent's own)."""

import pytest
from sqlalchemy import func, select

from learnhub.evaluation.models import Answer, Response
from learnhub.extensions import db
from tests.evaluation.test_survey_pages import _form, _url
from tests.helpers import assert_redirect

COMMENTS = "Any comments?"


def _post_answers(survey, comment):
    items = survey["items"]
    return {
        **_form(survey),
        f"item_{items['Will you supervise?']}": "1",
        f"item_{items[COMMENTS]}": comment,
    }


@pytest.mark.parametrize(
    ("comment", "named"),
    [
        ("Call me on 07700 900123 to discuss", "a phone number"),
        ("Happy to talk: jo.bloggs@nhs.net", "an email address"),
        ("My patient 943.476.5919 was mentioned", "an NHS number"),
        ("I work at LS1\u00a04AP", "a full postcode"),
        ("DOB 12-Mar-1980", "a date of birth"),
    ],
)
@pytest.mark.parametrize("button", ["submit_answers", "save_draft"])
def test_identifiers_in_free_text_are_refused_at_entry(
    client, auth, make_hub, make_user, make_survey, course_invitees, app, comment, named, button
):
    hub = make_hub()
    uid = make_user(hub_id=hub)
    survey = make_survey(hub)
    course_invitees[101] = [(uid, None)]
    auth.login_as(uid)
    response = client.post(_url(survey, "post"), data={**_post_answers(survey, comment), button: "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f"Your answer looks like it contains {named}" in page
    assert "cannot identify you or anyone else" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_ordinary_comments_are_saved(client, auth, make_hub, make_user, make_survey, course_invitees, app):
    hub = make_hub()
    uid = make_user(hub_id=hub)
    survey = make_survey(hub)
    course_invitees[101] = [(uid, None)]
    auth.login_as(uid)
    comment = "The session on 12/03/2026 was useful; 3 of us met for 2.5 hours."
    response = client.post(_url(survey, "post"), data={**_post_answers(survey, comment), "submit_answers": "y"})
    assert_redirect(response)
    with app.app_context():
        assert comment in db.session.scalars(select(Answer.text)).all()
