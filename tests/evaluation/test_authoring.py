"""Hub administrators build surveys: create, sections, questions, order, and where a survey is used."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.audit import AuditEvent
from learnhub.evaluation import services
from learnhub.evaluation.models import POST, PRE, Attachment, AttachmentTimepoint, Instrument, Item, Response, Section
from learnhub.extensions import db
from learnhub.roles import HubRole
from learnhub.timeutil import utcnow
from tests.helpers import assert_redirect

CONFIDENT = "I feel confident supervising."


@pytest.fixture
def admin_hub(make_hub, make_user):
    hub = make_hub()
    admin = make_user(hub_id=hub, hub_role=HubRole.HUB_ADMIN.value)
    return hub, admin


def _instrument(app, survey) -> Instrument:
    return db.session.get(Instrument, survey["instrument_id"])


def _dates(**days: tuple[date, date] | None) -> dict:
    """Form data for the before/after/follow-up dates: ``pre=(opens, last_day)``."""
    data = {}
    for tp in ("pre", "post", "follow_up"):
        pair = days.get(tp)
        data[f"{tp}_opens"] = pair[0].isoformat() if pair else ""
        data[f"{tp}_closes"] = pair[1].isoformat() if pair else ""
    return data


TODAY = date.today()
OPEN_NOW = (TODAY - timedelta(days=1), TODAY + timedelta(days=10))
LATER = (TODAY + timedelta(days=30), TODAY + timedelta(days=40))


# --- instruments and sections -------------------------------------------------------------------------


def test_create_a_survey_from_the_list_then_sections_and_questions(client, auth, app, admin_hub):
    hub, admin = admin_hub
    auth.login_as(admin)
    page = client.get("/evaluation/instruments").get_data(as_text=True)
    assert 'href="/evaluation/instruments/new"' in page
    # Nothing typed: a clear message, nothing created.
    page = client.post("/evaluation/instruments/new", data={"title": "   ", "description": ""}).get_data(as_text=True)
    assert "There is a problem" in page
    assert "Enter a title for the survey" in page
    response = client.post("/evaluation/instruments/new", data={"title": "Wellbeing survey", "description": "About you"})
    assert_redirect(response)
    with app.app_context():
        inst = db.session.scalar(select(Instrument).where(Instrument.title == "Wellbeing survey"))
        assert inst.hub_id == hub
        assert inst.description == "About you"
        assert len(inst.key_secret) == 64
        inst_id = inst.id
    assert response.headers["Location"].endswith(f"/evaluation/instruments/{inst_id}")
    page = client.get(f"/evaluation/instruments/{inst_id}").get_data(as_text=True)
    assert "This survey has no sections yet" in page
    assert "Add a section first" in page

    page = client.post(f"/evaluation/instruments/{inst_id}/sections/new", data={"title": ""}).get_data(as_text=True)
    assert "Enter a title for the section" in page
    client.post(f"/evaluation/instruments/{inst_id}/sections/new", data={"title": "Support", "description": "Say how far"})
    client.post(f"/evaluation/instruments/{inst_id}/sections/new", data={"title": "Wellbeing"})
    with app.app_context():
        sections = db.session.get(Instrument, inst_id).sections
        assert [s.title for s in sections] == ["Support", "Wellbeing"]
        support = sections[0].id
    response = client.post(
        f"/evaluation/instruments/{inst_id}",
        data={
            "item-section": str(support),
            "item-kind": "agreement",
            "item-text": "I have support",
            "item-asked_at": ["pre", "post"],
            "item-flags": ["required", "core"],
        },
    )
    assert_redirect(response)
    with app.app_context():
        item = db.session.scalar(select(Item).where(Item.instrument_id == inst_id))
        assert (item.text, item.section_id, item.core, item.asked_at) == ("I have support", support, True, "pre,post")


def test_edit_title_and_rename_a_section(client, auth, app, admin_hub, make_survey):
    hub, admin = admin_hub
    survey = make_survey(hub)
    auth.login_as(admin)
    url = f"/evaluation/instruments/{survey['instrument_id']}/edit"
    assert 'value="Course survey"' in client.get(url).get_data(as_text=True)
    assert "Enter a title for the survey" in client.post(url, data={"title": ""}).get_data(as_text=True)
    too_long = client.post(url, data={"title": "x" * 201}).get_data(as_text=True)
    assert "The title must be 200 characters or fewer" in too_long
    client.post(url, data={"title": "Renamed survey", "description": ""})
    with app.app_context():
        inst = _instrument(app, survey)
        assert (inst.title, inst.description) == ("Renamed survey", None)
        section_id = inst.sections[0].id
    client.post(f"/evaluation/sections/{section_id}", data={"title": "Confidence now", "description": "Today"})
    with app.app_context():
        section = db.session.get(Section, section_id)
        assert (section.title, section.description) == ("Confidence now", "Today")
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "evaluation.section_changed")) == 1


def test_sections_move_up_and_down_and_only_empty_ones_are_removed(client, auth, app, admin_hub, make_survey):
    hub, admin = admin_hub
    survey = make_survey(hub)
    auth.login_as(admin)
    inst_id = survey["instrument_id"]
    client.post(f"/evaluation/instruments/{inst_id}/sections/new", data={"title": "Empty"})
    with app.app_context():
        ids = [s.id for s in db.session.get(Instrument, inst_id).sections]
    titles = lambda: [s.title for s in db.session.get(Instrument, inst_id).sections]  # noqa: E731
    client.post(f"/evaluation/sections/{ids[2]}/move/up")
    with app.app_context():
        assert titles() == ["Confidence", "Empty", "About the course"]
    client.post(f"/evaluation/sections/{ids[0]}/move/down")
    client.post(f"/evaluation/sections/{ids[0]}/move/down")
    # Moving the last one down again changes nothing.
    client.post(f"/evaluation/sections/{ids[0]}/move/down")
    with app.app_context():
        assert titles() == ["Empty", "About the course", "Confidence"]
    # A section with questions stays, with the reason.
    response = client.post(f"/evaluation/sections/{ids[0]}/delete", follow_redirects=True)
    assert "still has questions, so it cannot be removed" in response.get_data(as_text=True)
    client.post(f"/evaluation/sections/{ids[2]}/delete")
    with app.app_context():
        assert titles() == ["About the course", "Confidence"]
    # The page offers "Remove" only for an empty section.
    page = client.get(f"/evaluation/instruments/{inst_id}").get_data(as_text=True)
    assert f"/evaluation/sections/{ids[0]}/delete" not in page
    assert "Move up<span" in page


def test_questions_move_within_their_section(client, auth, app, admin_hub, make_survey):
    hub, admin = admin_hub
    survey = make_survey(hub)
    auth.login_as(admin)
    with app.app_context():
        first = _instrument(app, survey).sections[0]
        ids = [i.id for i in first.items]
        section_id = first.id

    def order() -> list[int]:
        return [i.id for i in db.session.get(Section, section_id).items]

    client.post(f"/evaluation/items/{ids[2]}/move/up")
    with app.app_context():
        assert order() == [ids[0], ids[2], ids[1]]
    client.post(f"/evaluation/items/{ids[0]}/move/up")  # already first
    client.post(f"/evaluation/items/{ids[0]}/move/down")
    with app.app_context():
        assert order() == [ids[2], ids[0], ids[1]]
        # The other section is untouched, and the survey shows the new order.
        attachment = db.session.get(Attachment, survey["attachment_id"])
        asked = [i.id for i in services.asked_items(attachment, PRE)]
        assert asked == [ids[2], ids[0], ids[1]]


def test_a_question_without_answers_can_change_type_and_options(client, auth, app, admin_hub, make_survey):
    hub, admin = admin_hub
    survey = make_survey(hub)
    auth.login_as(admin)
    item_id = survey["items"]["Will you supervise?"]
    url = f"/evaluation/items/{item_id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Yes\nNo\nNot sure" in page
    assert "Type of answer" in page
    base = {"text": "Will you supervise soon?", "hint": "", "required": "y", "asked_at": ["post"], "kind": "single"}
    page = client.post(url, data={**base, "options": "Only one"}).get_data(as_text=True)
    assert "Enter at least 2 options, one on each line" in page
    page = client.post(url, data={**base, "options": "Yes\nNo", "core": "y"}).get_data(as_text=True)
    assert "Only agreement and 0 to 10 questions can be part of the overall score" in page
    page = client.post(url, data={**base, "asked_at": []}).get_data(as_text=True)
    assert "Select when the question is asked" in page
    client.post(url, data={**base, "options": "Yes\n\nNo\nMaybe later\n", "hint": "Think ahead"})
    with app.app_context():
        item = db.session.get(Item, item_id)
        assert (item.text, item.hint, item.options, item.required) == (
            "Will you supervise soon?",
            "Think ahead",
            ["Yes", "No", "Maybe later"],
            True,
        )
    # Becomes an agreement question: options go.
    client.post(url, data={**base, "kind": "agreement", "options": "", "core": "y"})
    with app.app_context():
        item = db.session.get(Item, item_id)
        assert (item.kind, item.options, item.core) == ("agreement", None, True)


def test_a_question_with_answers_keeps_its_type_and_options(
    client, auth, app, admin_hub, make_survey, make_user, course_invitees
):
    hub, admin = admin_hub
    survey = make_survey(hub)
    person = make_user(hub_id=hub)
    course_invitees[101] = [(person, None)]
    item_id = survey["items"][CONFIDENT]
    with app.app_context():
        attachment = db.session.get(Attachment, survey["attachment_id"])
        services.save_response(db.session.get(User, person), attachment, PRE, {item_id: 4}, submit=False)
        db.session.commit()
    auth.login_as(admin)
    url = f"/evaluation/items/{item_id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "People have already answered this question" in page
    assert "are fixed" in page
    assert 'name="kind"' not in page
    # A crafted post cannot change the fixed parts: they are not read.
    client.post(
        url,
        data={"text": "I feel confident as a supervisor.", "required": "", "asked_at": ["pre", "post"], "kind": "text"},
    )
    with app.app_context():
        item = db.session.get(Item, item_id)
        assert (item.text, item.kind, item.required, item.core) == ("I feel confident as a supervisor.", "agreement", False, True)
        with pytest.raises(services.AuthoringProblem, match="has answers"):
            services.update_item(db.session.get(User, admin), item, kind="text")


# --- attaching to courses and programmes --------------------------------------------------------------


def test_attach_to_a_course_invites_its_learners(client, auth, app, admin_hub, make_survey, make_course, make_user):
    from learnhub.courses import services as course_services
    from learnhub.courses.models import Cohort

    hub, admin = admin_hub
    course = make_course(hub)
    learner = make_user(hub_id=hub)
    with app.app_context():
        course_services.enrol(db.session.get(User, admin), db.session.get(Cohort, course.cohort), db.session.get(User, learner))
        db.session.commit()  # course services do not commit
    survey = make_survey(hub, course_id=999999, title="Reusable survey")
    auth.login_as(admin)
    url = f"/evaluation/instruments/{survey['instrument_id']}/attach"
    page = client.get(url).get_data(as_text=True)
    assert f'value="course:{course.course}"' in page
    assert "Course: Supervising ARRS roles" in page
    # Nothing chosen, no dates: clear messages.
    page = client.post(url, data={"subject": "", **_dates()}).get_data(as_text=True)
    assert "Select a course or programme" in page
    assert "Enter the dates of at least one survey" in page
    # Closing before opening; one date of a pair missing; a date that is not a date.
    bad = {
        "subject": f"course:{course.course}",
        **_dates(pre=(TODAY, TODAY - timedelta(days=1))),
        "post_opens": TODAY.isoformat(),
        "follow_up_opens": "2027-02-30",
        "follow_up_closes": "2027-03-30",
    }
    page = client.post(url, data=bad).get_data(as_text=True)
    assert "The last day to answer the before survey must be the same as or after the day it opens" in page
    assert "Enter the last day to answer the after survey" in page
    assert "Enter a real date for when the follow-up survey opens" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attachment).where(Attachment.subject_id == course.course)) == 0
    # Kept what was typed (shown again as day, month and year).
    assert re.search(rf'id="post_opens-year"[^>]*value="{TODAY.year}"', page)
    assert re.search(rf'id="post_opens-day"[^>]*value="0?{TODAY.day}"', page)

    response = client.post(url, data={"subject": f"course:{course.course}", **_dates(pre=OPEN_NOW, post=LATER)})
    assert_redirect(response)
    with app.app_context():
        attachment = db.session.scalar(select(Attachment).where(Attachment.subject_id == course.course))
        assert (attachment.subject_type, attachment.label, attachment.hub_id) == ("course", "Supervising ARRS roles", hub)
        pre = attachment.timepoint(PRE)
        assert pre.opens_at == datetime.combine(OPEN_NOW[0], datetime.min.time(), UTC)
        assert pre.closes_at.date() == OPEN_NOW[1]
        assert pre.closes_at.hour == 23
        assert attachment.timepoint("follow_up") is None
        # Invited like any course survey: the enrolled learner, by cohort.
        assert services.invited(attachment) == {learner: str(course.cohort)}
        due = services.surveys_for(db.session.get(User, learner))
        assert [(d.attachment.id, d.timepoint.timepoint) for d in due] == [(attachment.id, PRE)]
    # The same survey again for the same course: refused, with what to do instead.
    page = client.post(url, data={"subject": f"course:{course.course}", **_dates(pre=OPEN_NOW)}).get_data(as_text=True)
    assert "already attached to Supervising ARRS roles" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attachment).where(Attachment.subject_id == course.course)) == 1


def test_a_required_course_survey_attached_on_the_page_holds_completion(
    client, auth, app, admin_hub, make_survey, make_course, make_user
):
    from learnhub.courses.models import Course
    from learnhub.evaluation import interface

    hub, admin = admin_hub
    course = make_course(hub)
    learner = make_user(hub_id=hub)
    with app.app_context():
        db.session.get(Course, course.course).requires_post_survey = True
        db.session.commit()
    survey = make_survey(hub, course_id=999999)
    auth.login_as(admin)
    client.post(
        f"/evaluation/instruments/{survey['instrument_id']}/attach",
        data={"subject": f"course:{course.course}", **_dates(pre=OPEN_NOW, post=OPEN_NOW)},
    )
    with app.app_context():
        message = interface.survey_requirement_message(learner, "course", course.course, POST)
        assert message == "Complete the 'Course survey' survey (after)"


def test_attach_to_an_als_programme(client, auth, app, admin_hub, make_survey, make_user):
    from learnhub.als.models import AlsMember, AlsProgramme

    hub, admin = admin_hub
    member = make_user(hub_id=hub)
    with app.app_context():
        programme = AlsProgramme(hub_id=hub, name="Care coordinators ALS", start_date=TODAY, end_date=TODAY + timedelta(days=90))
        db.session.add(programme)
        db.session.flush()
        db.session.add(AlsMember(programme_id=programme.id, user_id=member))
        db.session.commit()
        programme_id = programme.id
    survey = make_survey(hub, course_id=999999)
    auth.login_as(admin)
    url = f"/evaluation/instruments/{survey['instrument_id']}/attach"
    assert "ALS programme: Care coordinators ALS" in client.get(url).get_data(as_text=True)
    client.post(url, data={"subject": f"als_programme:{programme_id}", **_dates(pre=OPEN_NOW, post=LATER, follow_up=LATER)})
    with app.app_context():
        attachment = db.session.scalar(select(Attachment).where(Attachment.subject_type == "als_programme"))
        assert attachment.label == "Care coordinators ALS"
        assert sorted(t.timepoint for t in attachment.timepoints) == ["follow_up", "post", "pre"]
        assert services.invited(attachment) == {member: None}


def test_attach_to_another_hubs_course_is_not_found(client, auth, app, admin_hub, make_survey, make_course, make_hub):
    hub, admin = admin_hub
    other_course = make_course(make_hub())
    survey = make_survey(hub, course_id=999999)
    auth.login_as(admin)
    url = f"/evaluation/instruments/{survey['instrument_id']}/attach"
    for value in (f"course:{other_course.course}", "course:987654", "als_programme:987654"):
        assert client.post(url, data={"subject": value, **_dates(pre=OPEN_NOW)}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 1
    # A value that is not a course or programme at all is a form error, not a 404 or a 500.
    page = client.post(url, data={"subject": "hub:1", **_dates(pre=OPEN_NOW)}).get_data(as_text=True)
    assert "Select a course or programme" in page


def test_change_dates_add_follow_up_and_keep_answered_waves(
    client, auth, app, admin_hub, make_survey, make_user, course_invitees
):
    hub, admin = admin_hub
    survey = make_survey(hub)
    person = make_user(hub_id=hub)
    course_invitees[101] = [(person, None)]
    with app.app_context():
        attachment = db.session.get(Attachment, survey["attachment_id"])
        original_pre = (attachment.timepoint(PRE).opens_at, attachment.timepoint(PRE).closes_at)
        services.save_response(db.session.get(User, person), attachment, PRE, {survey["items"][CONFIDENT]: 4}, submit=False)
        db.session.commit()
    auth.login_as(admin)
    url = f"/evaluation/attachments/{survey['attachment_id']}"
    page = client.get(url).get_data(as_text=True)
    opened = original_pre[0].date()
    for part, value in (("day", opened.day), ("month", opened.month), ("year", opened.year)):
        assert re.search(rf'id="pre_opens-{part}"[^>]*value="{value}"', page), part
    assert "1 person has started or sent this survey" in page
    assert "This survey cannot be removed" in page
    form = {
        "pre_opens": original_pre[0].date().isoformat(),
        "pre_closes": original_pre[1].date().isoformat(),
        **{k: v for k, v in _dates(post=LATER, follow_up=(LATER[1], LATER[1] + timedelta(days=14))).items() if "pre" not in k},
    }
    assert_redirect(client.post(url, data=form))
    with app.app_context():
        attachment = db.session.get(Attachment, survey["attachment_id"])
        # Unchanged dates keep their exact times; the others are whole days.
        assert (attachment.timepoint(PRE).opens_at, attachment.timepoint(PRE).closes_at) == original_pre
        assert attachment.timepoint(POST).opens_at.date() == LATER[0]
        assert attachment.timepoint("follow_up").closes_at.date() == LATER[1] + timedelta(days=14)
    # The before survey has a response, so it cannot be dropped; the follow-up can.
    page = client.post(url, data=_dates(post=LATER)).get_data(as_text=True)
    assert "People have answered the before survey, so it cannot be removed" in page
    client.post(url, data={**form, "follow_up_opens": "", "follow_up_closes": ""})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttachmentTimepoint)) == 2
    # Closing before opening is refused here too.
    page = client.post(url, data={**form, "post_closes": (LATER[0] - timedelta(days=1)).isoformat()}).get_data(as_text=True)
    assert "The last day to answer the after survey must be the same as or after the day it opens" in page


def test_detach_only_when_nobody_has_answered(client, auth, app, admin_hub, make_survey, make_user, course_invitees):
    hub, admin = admin_hub
    unused = make_survey(hub, course_id=201)
    used = make_survey(hub, course_id=202)
    person = make_user(hub_id=hub)
    course_invitees[202] = [(person, None)]
    with app.app_context():
        attachment = db.session.get(Attachment, used["attachment_id"])
        answers = {
            used["items"][CONFIDENT]: 4,
            used["items"]["I feel isolated at work."]: 2,
            used["items"]["How satisfied are you?"]: 7,
        }
        services.save_response(db.session.get(User, person), attachment, PRE, answers, submit=True)
        db.session.commit()
    auth.login_as(admin)
    response = client.post(f"/evaluation/attachments/{used['attachment_id']}/detach", follow_redirects=True)
    assert "People have already answered this survey for Supervisor course, March, so it cannot be removed" in response.get_data(
        as_text=True
    )
    page = client.get(f"/evaluation/attachments/{unused['attachment_id']}").get_data(as_text=True)
    assert "Nobody has answered this survey" in page
    response = client.post(f"/evaluation/attachments/{unused['attachment_id']}/detach")
    assert response.headers["Location"].endswith(f"/evaluation/instruments/{unused['instrument_id']}#where-used")
    with app.app_context():
        assert db.session.get(Attachment, unused["attachment_id"]) is None
        assert db.session.get(Instrument, unused["instrument_id"]) is not None
        assert db.session.get(Attachment, used["attachment_id"]) is not None
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_another_hubs_admin_reaches_none_of_the_authoring_pages(client, auth, app, admin_hub, make_survey, make_hub, make_user):
    hub, _ = admin_hub
    survey = make_survey(hub)
    other_admin = make_user(hub_id=make_hub(), hub_role=HubRole.HUB_ADMIN.value)
    with app.app_context():
        inst = _instrument(app, survey)
        section_id, item_id = inst.sections[0].id, inst.items[0].id
        before = (inst.title, [s.title for s in inst.sections], [(i.id, i.position, i.text) for i in inst.items])
    auth.login_as(other_admin)
    gets = [
        f"/evaluation/instruments/{survey['instrument_id']}/edit",
        f"/evaluation/instruments/{survey['instrument_id']}/sections/new",
        f"/evaluation/instruments/{survey['instrument_id']}/attach",
        f"/evaluation/sections/{section_id}",
        f"/evaluation/items/{item_id}/edit",
        f"/evaluation/attachments/{survey['attachment_id']}",
    ]
    posts = gets + [
        f"/evaluation/sections/{section_id}/move/down",
        f"/evaluation/sections/{section_id}/delete",
        f"/evaluation/items/{item_id}/move/down",
        f"/evaluation/attachments/{survey['attachment_id']}/detach",
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, data={"title": "Hijacked", "text": "Hijacked"}).status_code == 404, url
    with app.app_context():
        inst = _instrument(app, survey)
        assert (inst.title, [s.title for s in inst.sections], [(i.id, i.position, i.text) for i in inst.items]) == before
        assert db.session.get(Attachment, survey["attachment_id"]) is not None


def test_windows_close_at_the_end_of_the_last_day(app):
    from learnhub.evaluation.forms import closes_at, opens_at

    day = date(2027, 3, 1)
    assert opens_at(day) == datetime(2027, 3, 1, tzinfo=UTC)
    assert closes_at(day) == datetime(2027, 3, 1, 23, 59, 59, tzinfo=UTC)
    # A one-day survey is open all that day.
    assert opens_at(day) < closes_at(day)
    assert utcnow().tzinfo is not None


def test_dates_of_a_directly_invited_survey_can_change(client, auth, app, admin_hub, make_user):
    """The demo's surveys invite hub members directly ("hub" attachments): their dates change the same way."""
    from learnhub.evaluation.models import Invitee

    hub, admin = admin_hub
    person = make_user(hub_id=hub)
    with app.app_context():
        inst = services.create_instrument(hub, "Demo-style", "", [{"title": "S", "items": [{"kind": "text", "text": "Q"}]}])
        now = utcnow()
        attachment = services.attach(inst, "hub", hub, "Demo cohort", {PRE: (now - timedelta(days=3), now + timedelta(days=3))})
        db.session.add(Invitee(attachment_id=attachment.id, user_id=person, subgroup="A"))
        db.session.commit()
        attachment_id = attachment.id
    auth.login_as(admin)
    assert "Invited directly" in client.get(f"/evaluation/attachments/{attachment_id}").get_data(as_text=True)
    client.post(f"/evaluation/attachments/{attachment_id}", data=_dates(pre=OPEN_NOW, post=LATER))
    with app.app_context():
        attachment = db.session.get(Attachment, attachment_id)
        assert attachment.timepoint(POST).opens_at.date() == LATER[0]
        assert services.invited(attachment) == {person: "A"}
    # Nobody has answered: it can be removed, and its invitations go with it.
    client.post(f"/evaluation/attachments/{attachment_id}/detach")
    with app.app_context():
        assert db.session.get(Attachment, attachment_id) is None
        assert db.session.scalar(select(func.count()).select_from(Invitee)) == 0


def test_results_filter_names_the_course_cohort(client, auth, app, admin_hub, make_survey, make_course, make_user):
    from learnhub.courses import services as course_services
    from learnhub.courses.models import Cohort

    hub, admin = admin_hub
    course = make_course(hub)
    learner = make_user(hub_id=hub)
    with app.app_context():
        course_services.enrol(db.session.get(User, admin), db.session.get(Cohort, course.cohort), db.session.get(User, learner))
        db.session.commit()  # course services do not commit
    survey = make_survey(hub, course_id=999999)
    auth.login_as(admin)
    client.post(
        f"/evaluation/instruments/{survey['instrument_id']}/attach",
        data={"subject": f"course:{course.course}", **_dates(pre=OPEN_NOW)},
    )
    with app.app_context():
        attachment = db.session.scalar(select(Attachment).where(Attachment.subject_id == course.course))
        items = survey["items"]
        answers = {items[CONFIDENT]: 4, items["I feel isolated at work."]: 2, items["How satisfied are you?"]: 7}
        services.save_response(db.session.get(User, learner), attachment, PRE, answers, submit=True)
        db.session.commit()
    page = client.get(f"/evaluation/instruments/{survey['instrument_id']}/results").get_data(as_text=True)
    assert re.search(rf'<option value="{course.cohort}"[^>]*>\s*Spring cohort\s*</option>', page)
