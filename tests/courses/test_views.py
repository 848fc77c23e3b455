"""Course pages: authorisation, learner journey, authoring, bad input, reports and query counts."""

import io

import pytest
from sqlalchemy import func, select

from learnhub.courses.models import Course, CourseCompletion, Enrolment, Module, Question, QuizAttempt
from learnhub.extensions import db
from learnhub.roles import HubRole
from tests.helpers import assert_redirect


def _with_app(app, fn):
    with app.app_context():
        return fn()


# --- authorisation ---------------------------------------------------------------------------


def test_learners_see_only_published_courses_of_their_hub(client, auth, app, hub_setup, make_hub, make_course):
    ids = hub_setup
    draft = make_course(ids.hub, published=False)
    other = make_course(make_hub())
    with app.app_context():
        db.session.get(Course, draft.course).title = "Draft course"
        db.session.get(Course, other.course).title = "Other hub course"
        db.session.commit()
    auth.login_as(ids.learner)
    page = client.get("/courses").get_data(as_text=True)
    assert "Supervising ARRS roles" in page
    assert "Draft course" not in page
    assert "Other hub course" not in page
    assert client.get(f"/courses/{ids.course}").status_code == 200
    assert client.get(f"/courses/{draft.course}").status_code == 404
    assert client.get(f"/courses/{other.course}").status_code == 404
    assert client.get(f"/courses/{other.course}/modules/{other.reading}").status_code == 404


def test_only_hub_admins_author(client, auth, hub_setup):
    ids = hub_setup
    auth.login_as(ids.learner)
    assert client.get("/hub/courses").status_code == 403
    assert client.get(f"/hub/courses/{ids.course}").status_code == 403
    assert client.post("/hub/courses/new", data={"title": "X", "cpd_hours": "1"}).status_code == 403
    auth.login_as(ids.facilitator)
    assert client.get(f"/hub/courses/{ids.course}/edit").status_code == 403


def test_another_hubs_admin_gets_404(client, auth, hub_setup, make_hub, make_user):
    ids = hub_setup
    outsider = make_user(hub_id=make_hub(), hub_role=HubRole.HUB_ADMIN.value)
    auth.login_as(outsider)
    for path in (
        f"/hub/courses/{ids.course}",
        f"/hub/courses/{ids.course}/edit",
        f"/hub/courses/{ids.course}/modules/{ids.check}/questions",
        f"/hub/courses/{ids.course}/cohorts/{ids.cohort}",
        f"/hub/courses/{ids.course}/cohorts/{ids.cohort}/report.csv",
        f"/hub/courses/{ids.course}/cohorts/{ids.cohort}/attendance/{ids.live}",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/hub/courses/{ids.course}/modules/{ids.check}/move/up").status_code == 404


def test_learner_cannot_record_attendance_but_facilitator_can(client, auth, app, hub_setup):
    ids = hub_setup
    auth.login_as(ids.learner)
    client.post(f"/courses/{ids.course}/cohorts/{ids.cohort}/enrol")
    path = f"/hub/courses/{ids.course}/cohorts/{ids.cohort}/attendance/{ids.live}"
    assert client.get(path).status_code == 403
    auth.login_as(ids.facilitator)
    assert client.get(path).status_code == 200
    enrolment_id = _with_app(app, lambda: db.session.scalar(select(Enrolment.id)))
    response = client.post(path, data={"attended": str(enrolment_id)})
    assert_redirect(response)
    page = client.get(path).get_data(as_text=True)
    assert f'value="{enrolment_id}" checked' in page


# --- learner journey ---------------------------------------------------------------------------


def test_learner_enrols_reads_fails_then_passes(client, auth, app, hub_setup):
    ids = hub_setup
    auth.login_as(ids.learner)
    page = client.get(f"/courses/{ids.course}").get_data(as_text=True)
    assert "Enrol in Spring cohort" in page
    assert client.get(f"/courses/{ids.course}/modules/{ids.reading}").headers["Location"].endswith(f"/courses/{ids.course}")

    client.post(f"/courses/{ids.course}/cohorts/{ids.cohort}/enrol")
    page = client.get(f"/courses/{ids.course}").get_data(as_text=True)
    assert 'value="0"' in page
    assert "Start the course" in page

    page = client.get(f"/courses/{ids.course}/modules/{ids.reading}").get_data(as_text=True)
    assert "<strong>patients</strong>" in page
    assert "In progress" in page
    response = client.post(f"/courses/{ids.course}/modules/{ids.reading}/complete")
    assert response.headers["Location"].endswith(f"/courses/{ids.course}/modules/{ids.check}")
    assert 'value="33"' in client.get(f"/courses/{ids.course}").get_data(as_text=True)

    client.post(f"/courses/{ids.course}/modules/{ids.check}/check/start")
    attempt_id = _with_app(app, lambda: db.session.scalar(select(QuizAttempt.id)))
    page = client.get(f"/courses/{ids.course}/modules/{ids.check}/check").get_data(as_text=True)
    assert "Who can provide group supervision?" in page

    data = {f"q{q}": [str(o) for o in opts] for q, opts in ids.wrong.items()}
    response = client.post(f"/courses/{ids.course}/modules/{ids.check}/check/attempts/{attempt_id}", data=data)
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You did not pass this time" in result
    # Attempts are left, so the right answers are not shown (the next attempt would be copying).
    assert "Any trained facilitator." not in result
    assert "The right answer:" not in result
    assert "shown once you pass" in result
    assert "Try again" in result

    client.post(f"/courses/{ids.course}/modules/{ids.check}/check/start")
    second = _with_app(app, lambda: db.session.scalar(select(func.max(QuizAttempt.id))))
    assert second != attempt_id
    data = {f"q{q}": [str(o) for o in opts] for q, opts in ids.right.items()}
    response = client.post(f"/courses/{ids.course}/modules/{ids.check}/check/attempts/{second}", data=data)
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You passed" in result
    assert "Any trained facilitator." in result  # explanations once passed
    # The failed first attempt's page now shows them too.
    first = client.get(f"/courses/{ids.course}/modules/{ids.check}/check/attempts/{attempt_id}").get_data(as_text=True)
    assert "The right answer: A trained facilitator" in first
    page = client.get(f"/courses/{ids.course}").get_data(as_text=True)
    assert 'value="66"' in page
    assert "Attend Live workshop" in page

    page = client.get("/my-learning").get_data(as_text=True)
    assert "Supervising ARRS roles" in page
    assert 'value="66"' in page


def test_double_submit_and_stray_answers(client, auth, app, hub_setup):
    ids = hub_setup
    auth.login_as(ids.learner)
    client.post(f"/courses/{ids.course}/cohorts/{ids.cohort}/enrol")
    client.post(f"/courses/{ids.course}/modules/{ids.check}/check/start")
    attempt_id = _with_app(app, lambda: db.session.scalar(select(QuizAttempt.id)))
    url = f"/courses/{ids.course}/modules/{ids.check}/check/attempts/{attempt_id}"
    right = {f"q{q}": [str(o) for o in opts] for q, opts in ids.right.items()}

    response = client.post(url, data={**right, "q99999": "1"})
    assert response.status_code == 400
    assert "not in this attempt" in response.get_data(as_text=True)
    response = client.post(url, data={"q1": "abc"})
    assert response.status_code == 400
    response = client.post(url, data={})
    page = response.get_data(as_text=True)
    # One summary link and one inline error per unanswered question, not one for the form.
    assert "Answer every question" not in page
    assert page.count('class="nhsuk-error-message"') == len(ids.right)
    summary = " ".join(page[page.index("nhsuk-error-summary__list") :].split())
    assert "answer for question 1 </a>" in summary
    assert f"answer for question {len(ids.right)} </a>" in summary
    assert _with_app(app, lambda: db.session.get(QuizAttempt, attempt_id).submitted_at) is None

    wrong = {f"q{q}": [str(o) for o in opts] for q, opts in ids.wrong.items()}
    assert_redirect(client.post(url, data=wrong))
    assert_redirect(client.post(url, data=right))  # second submit: no change
    attempt = _with_app(app, lambda: db.session.get(QuizAttempt, attempt_id))
    assert attempt.score == 0
    assert not attempt.passed


def test_self_enrol_past_capacity_joins_waiting_list(client, auth, app, make_hub, make_user, make_course):
    hub = make_hub()
    ids = make_course(hub, capacity=1)
    first, second = make_user(hub_id=hub), make_user(hub_id=hub)
    auth.login_as(first)
    client.post(f"/courses/{ids.course}/cohorts/{ids.cohort}/enrol")
    auth.login_as(second)
    assert "Join the waiting list for Spring cohort" in client.get(f"/courses/{ids.course}").get_data(as_text=True)
    client.post(f"/courses/{ids.course}/cohorts/{ids.cohort}/enrol")
    page = client.get(f"/courses/{ids.course}").get_data(as_text=True)
    assert "You are on the waiting list" in page
    assert_redirect(client.get(f"/courses/{ids.course}/modules/{ids.reading}"), f"/courses/{ids.course}$", refused=True)
    statuses = _with_app(app, lambda: sorted(db.session.scalars(select(Enrolment.status))))
    assert statuses == ["enrolled", "waiting"]


def test_closed_cohort_refuses_self_enrolment(client, auth, app, hub_setup):
    ids = hub_setup
    from learnhub.courses.models import Cohort

    with app.app_context():
        db.session.get(Cohort, ids.cohort).self_enrolment_open = False
        db.session.commit()
    auth.login_as(ids.learner)
    client.post(f"/courses/{ids.course}/cohorts/{ids.cohort}/enrol")
    assert _with_app(app, lambda: db.session.scalar(select(func.count()).select_from(Enrolment))) == 0


# --- authoring and bad input -----------------------------------------------------------------------


def test_admin_creates_course_module_question_and_cohort(client, auth, app, hub_setup):
    ids = hub_setup
    auth.login_as(ids.admin)
    response = client.post(
        "/hub/courses/new",
        data={"title": "New course", "summary": "S", "cpd_hours": "2.5", "audience": ["gp", "nurse"], "published": "y"},
    )
    course_id = int(response.headers["Location"].rsplit("/", 1)[1])
    response = client.post(
        f"/hub/courses/{course_id}/modules/new",
        data={
            "title": "Quiz",
            "kind": "check",
            "pass_mark": "70",
            "attempts_allowed": "",
            "review_answers": "never",
            "published": "y",
            "required": "y",
        },
    )
    module_id = _with_app(app, lambda: db.session.scalar(select(Module.id).where(Module.course_id == course_id)))
    assert response.headers["Location"].endswith(f"/modules/{module_id}/questions")
    response = client.post(
        f"/hub/courses/{course_id}/modules/{module_id}/questions",
        data={"text": "Pick", "kind": "single", "options": "Wrong\n* Right", "explanation": "Because"},
    )
    assert_redirect(response)
    page = client.get(f"/hub/courses/{course_id}/modules/{module_id}/questions").get_data(as_text=True)
    assert "Right" in page
    response = client.post(
        f"/hub/courses/{course_id}/cohorts/new", data={"name": "Autumn", "starts_on": "2027-09-01", "capacity": "12"}
    )
    assert_redirect(response)
    with app.app_context():
        course = db.session.get(Course, course_id)
        assert course.audience == ["gp", "nurse"]
        assert str(course.cpd_hours) == "2.5"
        assert course.modules[0].attempts_allowed is None
        assert course.modules[0].review_answers == "never"
        assert course.cohorts[0].capacity == 12
    # A decimal comma is read as a decimal point.
    response = client.post(f"/hub/courses/{course_id}/edit", data={"title": "New course", "cpd_hours": "1,5"})
    assert_redirect(response)
    assert _with_app(app, lambda: str(db.session.get(Course, course_id).cpd_hours)) == "1.5"


def test_module_content_is_sanitised_when_saved(client, auth, app, hub_setup):
    ids = hub_setup
    auth.login_as(ids.admin)
    client.post(
        f"/hub/courses/{ids.course}/modules/{ids.reading}/edit",
        data={
            "title": "Why",
            "kind": "content",
            "body_markdown": "Hi <script>x()</script><a href='#' onclick='x()'>l</a>",
            "published": "y",
        },
    )
    html = _with_app(app, lambda: db.session.get(Module, ids.reading).body_html)
    assert "<script" not in html
    assert "onclick" not in html


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("/hub/courses/new", {"title": "   ", "cpd_hours": "1"}, "Enter a title"),
        ("/hub/courses/new", {"title": "T", "cpd_hours": "-1"}, "CPD hours must be between 0 and 500"),
        # Not numbers: one clear message, never a 500 (Decimal accepts these words).
        *[
            ("/hub/courses/new", {"title": "T", "cpd_hours": odd}, "Enter CPD hours as a number, for example 3.5")
            for odd in ("sNaN", "NaN", "Infinity", "-inf", "1e3", "²", "1.5.5", "3 hours")
        ],
        (
            "/hub/courses/{course}/modules/new",
            {"title": "Q", "kind": "check", "pass_mark": "150"},
            "Pass mark must be between 0 and 100",
        ),
        (
            "/hub/courses/{course}/modules/new",
            {"title": "Q", "kind": "check", "pass_mark": "-5"},
            "Pass mark must be between 0 and 100",
        ),
        ("/hub/courses/{course}/modules/new", {"title": "", "kind": "content"}, "Enter a title"),
        ("/hub/courses/{course}/modules/new", {"title": "L", "kind": "live"}, "Enter the date and time of the live session"),
        (
            "/hub/courses/{course}/modules/{check}/questions",
            {"text": "Q", "kind": "single", "options": "a\nb"},
            "Mark at least one correct option with an asterisk (*)",
        ),
        (
            "/hub/courses/{course}/modules/{check}/questions",
            {"text": "Q", "kind": "single", "options": "*a\n*b"},
            "exactly one option marked",
        ),
        (
            "/hub/courses/{course}/modules/{check}/questions",
            {"text": "Q", "kind": "multiple", "options": "*a"},
            "Enter at least 2 options",
        ),
        (
            "/hub/courses/{course}/cohorts/new",
            {"name": "C", "starts_on": "2027-05-01", "ends_on": "2027-04-01"},
            "End date must be",
        ),
        (
            "/hub/courses/{course}/cohorts/new",
            {"name": "C", "starts_on": "2027-05-01", "capacity": "0"},
            "Places must be 1 or more",
        ),
    ],
)
def test_bad_authoring_input_gets_a_message_and_changes_nothing(client, auth, app, hub_setup, path, data, message):
    ids = hub_setup
    auth.login_as(ids.admin)

    def snapshot():
        from learnhub.courses.models import Cohort, Question

        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Course, Module, Question, Cohort))

    before = _with_app(app, snapshot)
    response = client.post(path.format(course=ids.course, check=ids.check), data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _with_app(app, snapshot) == before


def test_reorder_and_unpublish_module(client, auth, app, hub_setup):
    ids = hub_setup
    auth.login_as(ids.admin)
    client.post(f"/hub/courses/{ids.course}/modules/{ids.check}/move/up")
    order = _with_app(app, lambda: [m.id for m in db.session.get(Course, ids.course).modules])
    assert order == [ids.check, ids.reading, ids.live]
    client.post(
        f"/hub/courses/{ids.course}/modules/{ids.check}/edit", data={"title": "Hidden check", "kind": "check", "pass_mark": "80"}
    )
    assert "Hidden check has been saved" in client.get(f"/hub/courses/{ids.course}").get_data(as_text=True)
    assert _with_app(app, lambda: db.session.get(Module, ids.check).published) is False
    auth.login_as(ids.learner)
    assert "Hidden check" not in client.get(f"/courses/{ids.course}").get_data(as_text=True)


def test_enrol_by_email_and_csv(client, auth, app, hub_setup, make_user, make_hub):
    ids = hub_setup
    other = make_user(email="someone@other.org", hub_id=make_hub())
    assert other
    make_user(email="b@example.org", hub_id=ids.hub)
    learner_email = _with_app(
        app, lambda: db.session.get(__import__("learnhub.accounts.models").accounts.models.User, ids.learner).email
    )
    auth.login_as(ids.admin)
    base = f"/hub/courses/{ids.course}/cohorts/{ids.cohort}"
    response = client.post(base, data={"email": "someone@other.org"})
    assert response.status_code == 400
    assert "Nobody in your hub has this email address" in response.get_data(as_text=True)

    bad = "email\nb@example.org\nnobody@example.org\nsomeone@other.org\n"
    response = client.post(f"{base}/import", data={"csv_file": (io.BytesIO(bad.encode()), "people.csv")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nobody has been enrolled" in page
    assert "Nobody in this hub has the email address nobody@example.org" in page
    assert "someone@other.org" in page
    assert _with_app(app, lambda: db.session.scalar(select(func.count()).select_from(Enrolment))) == 0

    good = f"email\nb@example.org\n{learner_email}\n"
    response = client.post(f"{base}/import", data={"csv_file": (io.BytesIO(good.encode()), "people.csv")})
    assert_redirect(response)
    assert _with_app(app, lambda: db.session.scalar(select(func.count()).select_from(Enrolment))) == 2


def test_cohort_report_and_csv(client, auth, app, hub_setup):
    ids = hub_setup
    auth.login_as(ids.learner)
    client.post(f"/courses/{ids.course}/cohorts/{ids.cohort}/enrol")
    client.post(f"/courses/{ids.course}/modules/{ids.reading}/complete")
    client.post(f"/courses/{ids.course}/modules/{ids.check}/check/start")
    attempt_id = _with_app(app, lambda: db.session.scalar(select(QuizAttempt.id)))
    data = {f"q{q}": [str(o) for o in opts] for q, opts in ids.right.items()}
    client.post(f"/courses/{ids.course}/modules/{ids.check}/check/attempts/{attempt_id}", data=data)
    auth.login_as(ids.facilitator)
    enrolment_id = _with_app(app, lambda: db.session.scalar(select(Enrolment.id)))
    client.post(f"/hub/courses/{ids.course}/cohorts/{ids.cohort}/attendance/{ids.live}", data={"attended": str(enrolment_id)})
    assert _with_app(app, lambda: db.session.scalar(select(func.count()).select_from(CourseCompletion))) == 1

    auth.login_as(ids.admin)
    page = client.get(f"/hub/courses/{ids.course}/cohorts/{ids.cohort}").get_data(as_text=True)
    assert "Completion rate" in page
    assert "100%" in page
    response = client.get(f"/hub/courses/{ids.course}/cohorts/{ids.cohort}/report.csv")
    assert response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")  # UTF-8 with a byte-order mark, so Excel keeps accents
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("name,email,attempt")
    assert lines[1].endswith(",100,completed,passed,attended")
    assert client.get(f"/hub/courses/{ids.course}/cohorts/{ids.cohort}/learners/{enrolment_id}").status_code == 200


# --- query counts -----------------------------------------------------------------------------------


def _populate(app, ids, make_user, n):
    from learnhub.accounts.models import User
    from learnhub.courses import services
    from learnhub.courses.models import Cohort

    user_ids = [make_user(hub_id=ids.hub) for _ in range(n)]
    with app.app_context():
        cohort = db.session.get(Cohort, ids.cohort)
        cohort.capacity = 50  # so the larger run has a waiting list too
        course = services.load_course(ids.course, questions=True)
        modules = {m.id: m for m in course.modules}
        for i, uid in enumerate(user_ids):
            user = db.session.get(User, uid)
            enrolment = services.enrol(user, cohort, user).enrolment
            if i % 2:
                services.complete_module(enrolment, modules[ids.reading])
                attempt = services.start_attempt(enrolment, modules[ids.check])
                services.submit_attempt(enrolment, modules[ids.check], attempt, ids.right if i % 4 == 1 else ids.wrong)
    return user_ids


@pytest.mark.parametrize("page", ["course", "report"])
def test_query_counts_do_not_grow_with_learners(client, auth, app, hub_setup, make_user, count_queries, page):
    ids = hub_setup
    counts = []
    for n in (10, 90):
        _populate(app, ids, make_user, n)
        if page == "course":
            auth.login_as(ids.learner)
            path = f"/courses/{ids.course}"
            client.post(f"/courses/{ids.course}/cohorts/{ids.cohort}/enrol")
        else:
            auth.login_as(ids.admin)
            path = f"/hub/courses/{ids.course}/cohorts/{ids.cohort}"
        client.get(path)  # warm up
        with count_queries() as queries:
            assert client.get(path).status_code == 200
        counts.append(queries())
    assert counts[0] == counts[1]


def test_facilitator_finds_live_sessions(client, auth, hub_setup):
    ids = hub_setup
    auth.login_as(ids.learner)
    assert client.get("/facilitate/live-sessions").status_code == 403
    auth.login_as(ids.facilitator)
    page = client.get("/facilitate/live-sessions").get_data(as_text=True)
    assert f"/hub/courses/{ids.course}/cohorts/{ids.cohort}/attendance/{ids.live}" in page


def test_admin_edits_cohort(client, auth, app, hub_setup):
    from learnhub.courses.models import Cohort

    ids = hub_setup
    auth.login_as(ids.admin)
    url = f"/hub/courses/{ids.course}/cohorts/{ids.cohort}/edit"
    assert 'value="Spring cohort"' in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"name": "Spring 2027", "starts_on": "2027-03-01", "capacity": "8"})
    assert_redirect(response)
    cohort = _with_app(app, lambda: db.session.get(Cohort, ids.cohort))
    assert (cohort.name, cohort.capacity, cohort.self_enrolment_open) == ("Spring 2027", 8, False)


def test_edit_question_options_only_until_answered(client, auth, app, hub_setup):
    from learnhub.courses.models import Question

    ids = hub_setup
    auth.login_as(ids.admin)
    url = f"/hub/courses/{ids.course}/modules/{ids.check}/questions/{ids.q1}/edit"
    assert "* A trained facilitator" in client.get(url).get_data(as_text=True)
    data = {
        "text": "Who runs group supervision?",
        "kind": "single",
        "options": "Only GPs\n* A facilitator\nNobody",
        "explanation": "E",
    }
    assert_redirect(client.post(url, data=data))
    question = _with_app(app, lambda: db.session.get(Question, ids.q1))
    assert question.text == "Who runs group supervision?"
    assert [o.text for o in _with_app(app, lambda: db.session.get(Question, ids.q1).options)] == [
        "Only GPs",
        "A facilitator",
        "Nobody",
    ]

    auth.login_as(ids.learner)
    client.post(f"/courses/{ids.course}/cohorts/{ids.cohort}/enrol")
    client.post(f"/courses/{ids.course}/modules/{ids.check}/check/start")
    attempt_id = _with_app(app, lambda: db.session.scalar(select(QuizAttempt.id)))
    option_ids = _with_app(app, lambda: [o.id for o in db.session.get(Question, ids.q1).options])
    answers = {f"q{ids.q1}": str(option_ids[1]), f"q{ids.q2}": [str(o) for o in ids.right[ids.q2]]}
    assert_redirect(client.post(f"/courses/{ids.course}/modules/{ids.check}/check/attempts/{attempt_id}", data=answers))

    auth.login_as(ids.admin)
    response = client.post(url, data={**data, "options": "* Only GPs\nA facilitator"})
    assert response.status_code == 400
    assert "Learners have answered this question" in response.get_data(as_text=True)
    assert_redirect(client.post(url, data={**data, "text": "Reworded"}))
    assert _with_app(app, lambda: db.session.get(Question, ids.q1).text) == "Reworded"


def test_an_answered_question_is_retired_not_deleted_and_can_be_asked_again(client, auth, app, hub_setup):
    from learnhub.courses.models import QuizAnswer

    ids = hub_setup
    questions = f"/hub/courses/{ids.course}/modules/{ids.check}/questions"
    auth.login_as(ids.learner)
    client.post(f"/courses/{ids.course}/cohorts/{ids.cohort}/enrol")
    client.post(f"/courses/{ids.course}/modules/{ids.check}/check/start")
    attempt_id = _with_app(app, lambda: db.session.scalar(select(QuizAttempt.id)))
    wrong = {f"q{ids.q1}": str(next(iter(ids.wrong[ids.q1]))), f"q{ids.q2}": [str(o) for o in ids.right[ids.q2]]}
    client.post(f"/courses/{ids.course}/modules/{ids.check}/check/attempts/{attempt_id}", data=wrong)
    answers_before = _with_app(app, lambda: db.session.scalar(select(func.count()).select_from(QuizAnswer)))
    assert answers_before == 2

    auth.login_as(ids.admin)
    response = client.post(f"{questions}/{ids.q1}/delete", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "retired rather than deleted" in page
    assert "Retired" in page
    assert "Ask question 1 again" in page
    question = _with_app(app, lambda: db.session.get(Question, ids.q1))
    assert question is not None
    assert question.retired
    # The learner's answers, and so their past attempt and the cohort report, are untouched.
    assert _with_app(app, lambda: db.session.scalar(select(func.count()).select_from(QuizAnswer))) == answers_before

    # A new attempt asks only the questions still in use.
    auth.login_as(ids.learner)
    client.post(f"/courses/{ids.course}/modules/{ids.check}/check/start")
    newest = _with_app(app, lambda: db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.id.desc())).first())
    assert newest.submitted_at is None
    assert newest.question_order == [ids.q2]

    auth.login_as(ids.admin)
    client.post(f"{questions}/{ids.q1}/restore")
    assert not _with_app(app, lambda: db.session.get(Question, ids.q1).retired)


def test_an_unanswered_question_is_deleted(client, auth, app, hub_setup):
    ids = hub_setup
    auth.login_as(ids.admin)
    response = client.post(f"/hub/courses/{ids.course}/modules/{ids.check}/questions/{ids.q1}/delete", follow_redirects=True)
    assert "The question has been removed." in response.get_data(as_text=True)
    assert _with_app(app, lambda: db.session.get(Question, ids.q1)) is None
