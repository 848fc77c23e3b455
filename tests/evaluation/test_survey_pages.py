"""Participants: what is due, the survey form (save, submit, edit until close), bad input, access."""

from sqlalchemy import func, select

from learnhub.evaluation.models import Response
from learnhub.extensions import db

CONFIDENT = "I feel confident supervising."
ISOLATED = "I feel isolated at work."
SATISFIED = "How satisfied are you?"


def _url(survey, timepoint="pre"):
    return f"/evaluation/surveys/{survey['attachment_id']}/{timepoint}"


def _form(survey, **values):
    items = survey["items"]
    data = {f"item_{items[CONFIDENT]}": "4", f"item_{items[ISOLATED]}": "2", f"item_{items[SATISFIED]}": "7"}
    data.update(values)
    return data


def test_due_surveys_on_home_and_list(client, auth, make_hub, make_user, make_survey, course_invitees):
    hub = make_hub()
    uid = make_user(hub_id=hub)
    survey = make_survey(hub)
    course_invitees[101] = [(uid, None)]
    auth.login_as(uid)
    assert "2 surveys to answer" in client.get("/").get_data(as_text=True)
    page = client.get("/evaluation/surveys").get_data(as_text=True)
    assert "Course survey" in page
    assert "To do" in page
    assert "Your answers are kept apart from your name" in page
    client.post(_url(survey), data={**_form(survey), "submit_answers": "y"})
    assert "1 survey to answer" in client.get("/").get_data(as_text=True)
    assert "Sent" in client.get("/evaluation/surveys").get_data(as_text=True)


def test_not_invited_people_see_nothing_due(client, auth, make_hub, make_user, make_survey, course_invitees):
    hub = make_hub()
    uid = make_user(hub_id=hub)
    make_survey(hub)
    auth.login_as(uid)
    assert "No surveys to answer" in client.get("/").get_data(as_text=True)


def test_save_come_back_submit_and_edit(client, auth, make_hub, make_user, make_survey, course_invitees, app):
    hub = make_hub()
    uid = make_user(hub_id=hub)
    survey = make_survey(hub)
    course_invitees[101] = [(uid, None)]
    auth.login_as(uid)
    page = client.get(_url(survey)).get_data(as_text=True)
    assert "Who will see your answers" in page
    assert "stored under a code, not your name" in page
    items = survey["items"]
    response = client.post(_url(survey), data={f"item_{items[CONFIDENT]}": "3", "save_draft": "y"})
    assert response.headers["Location"].endswith(_url(survey))
    page = client.get(_url(survey)).get_data(as_text=True)
    assert "saved some answers" in page
    assert 'value="3" checked' in page
    # Submitting with required answers missing keeps what was entered and says what to fix.
    page = client.post(_url(survey), data={f"item_{items[CONFIDENT]}": "5", "submit_answers": "y"}).get_data(as_text=True)
    assert "There is a problem" in page
    assert "Select an answer" in page
    assert 'value="5" checked' in page
    # The error summary names each unanswered question and links to it.
    summary = page.split('class="nhsuk-error-summary', 1)[1].split("</div>", 1)[0]
    assert f'href="#item_{items["I feel isolated at work."]}"' in summary
    assert "Select an answer: I feel isolated at work." in summary
    assert "Select an answer: How satisfied are you?" in summary
    assert CONFIDENT not in summary
    response = client.post(_url(survey), data={**_form(survey), "submit_answers": "y"})
    assert response.headers["Location"].endswith("/evaluation/surveys")
    # Edit after submitting (still open): same response, changed answer.
    client.post(_url(survey), data={**_form(survey, **{f"item_{items[CONFIDENT]}": "5"}), "submit_answers": "y"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    page = client.get(_url(survey)).get_data(as_text=True)
    assert "You sent your answers" in page
    assert 'value="5" checked' in page


def test_out_of_range_value_gets_a_clear_message(client, auth, make_hub, make_user, make_survey, course_invitees, app):
    hub = make_hub()
    uid = make_user(hub_id=hub)
    survey = make_survey(hub)
    course_invitees[101] = [(uid, None)]
    auth.login_as(uid)
    items = survey["items"]
    for bad, message in (("9", "Select an answer from 1 to 5"), ("abc", "Select an answer from 1 to 5")):
        page = client.post(
            _url(survey), data={**_form(survey, **{f"item_{items[CONFIDENT]}": bad}), "submit_answers": "y"}
        ).get_data(as_text=True)
        assert message in page
        # The other answers are still filled in.
        assert 'value="7" checked' in page
    page = client.post(
        _url(survey, "post"), data={**_form(survey), f"item_{items['Will you supervise?']}": "7", "submit_answers": "y"}
    ).get_data(as_text=True)
    assert "Select one of the options given" in page
    page = client.post(_url(survey, "post"), data={f"item_{items['Support wanted']}": ["1", "8"], "save_draft": "y"}).get_data(
        as_text=True
    )
    assert "Select only from the options given" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_closed_survey_keeps_answers_on_screen_and_saves_nothing(
    client, auth, make_hub, make_user, make_survey, course_invitees, app
):
    hub = make_hub()
    uid = make_user(hub_id=hub)
    survey = make_survey(hub, pre_open=False)
    course_invitees[101] = [(uid, None)]
    auth.login_as(uid)
    page = client.get(_url(survey)).get_data(as_text=True)
    assert "This survey closed on" in page
    assert "Submit your answers" not in page
    page = client.post(_url(survey), data={**_form(survey), "submit_answers": "y"}).get_data(as_text=True)
    assert "closed on" in page
    assert 'value="4" checked' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_not_invited_and_other_hub(client, auth, make_hub, make_user, make_survey, course_invitees):
    hub = make_hub()
    invited = make_user(hub_id=hub)
    stranger = make_user(hub_id=hub)
    elsewhere = make_user(hub_id=make_hub())
    survey = make_survey(hub)
    course_invitees[101] = [(invited, None)]
    auth.login_as(stranger)
    response = client.get(_url(survey))
    assert response.status_code == 403
    assert "You have not been asked to answer this survey" in response.get_data(as_text=True)
    assert client.post(_url(survey), data={**_form(survey), "submit_answers": "y"}).status_code == 403
    auth.login_as(invited)
    assert client.get(_url(survey, "follow_up")).status_code == 403
    auth.login_as(elsewhere)
    assert client.get(_url(survey)).status_code == 404


def test_admin_can_retire_but_not_delete_answered_items(client, auth, make_hub, make_user, make_survey, course_invitees, app):
    from learnhub.evaluation.models import Item
    from learnhub.roles import HubRole

    hub = make_hub()
    uid = make_user(hub_id=hub)
    admin = make_user(hub_id=hub, hub_role=HubRole.HUB_ADMIN.value)
    survey = make_survey(hub)
    course_invitees[101] = [(uid, None)]
    auth.login_as(uid)
    client.post(_url(survey), data={**_form(survey), "save_draft": "y"})
    auth.login_as(admin)
    item_id = survey["items"][CONFIDENT]
    response = client.post(f"/evaluation/items/{item_id}/delete", follow_redirects=True)
    assert "cannot be deleted" in response.get_data(as_text=True)
    client.post(f"/evaluation/items/{item_id}/retire")
    with app.app_context():
        assert db.session.get(Item, item_id).retired
    response = client.post(f"/evaluation/instruments/{survey['instrument_id']}/copy")
    assert "/evaluation/instruments/" in response.headers["Location"]
    other_admin = make_user(hub_id=make_hub(), hub_role=HubRole.HUB_ADMIN.value)
    auth.login_as(other_admin)
    assert client.post(f"/evaluation/items/{item_id}/restore").status_code == 404


def test_admin_adds_a_question_and_bad_input_is_explained(client, auth, make_hub, make_user, make_survey, app):
    from learnhub.evaluation.models import Instrument
    from learnhub.roles import HubRole

    hub = make_hub()
    admin = make_user(hub_id=hub, hub_role=HubRole.HUB_ADMIN.value)
    survey = make_survey(hub)
    auth.login_as(admin)
    url = f"/evaluation/instruments/{survey['instrument_id']}"
    with app.app_context():
        section_id = db.session.get(Instrument, survey["instrument_id"]).sections[0].id
    page = client.post(
        url,
        data={
            "item-section": str(section_id),
            "item-kind": "single",
            "item-text": "Which day suits you?",
            "item-asked_at": "post",
            "item-flags": "core",
        },
    ).get_data(as_text=True)
    assert "Enter at least 2 options, one on each line" in page
    assert "Only agreement and 0 to 10 questions can be part of the overall score" in page
    assert "Which day suits you?" in page  # what was typed is kept
    response = client.post(
        url,
        data={
            "item-section": str(section_id),
            "item-kind": "single",
            "item-text": "Which day suits you?",
            "item-options": "Monday\n\nFriday\n",
            "item-asked_at": ["pre", "post"],
            "item-flags": "required",
        },
    )
    assert response.headers["Location"].endswith(url)
    with app.app_context():
        item = next(i for i in db.session.get(Instrument, survey["instrument_id"]).items if i.text == "Which day suits you?")
        assert item.options == ["Monday", "Friday"]
        assert item.asked_at == "pre,post"
        assert item.required
        assert not item.core
