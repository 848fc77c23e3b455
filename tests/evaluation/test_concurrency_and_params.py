"""Issue 13 in evaluation: identical submissions at once never 500 or duplicate; bad parameters never 500."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from learnhub.evaluation.models import PRE, Answer, Completion, Response
from learnhub.extensions import db
from learnhub.roles import HubRole
from tests.conftest import PASSWORD
from tests.evaluation.test_services import full

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _signed_in(base: str, email: str) -> requests.Session:
    session = requests.Session()
    token = CSRF.search(session.get(f"{base}/account/sign-in").text).group(1)
    response = session.post(f"{base}/account/sign-in", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code == 200
    return session


@pytest.mark.parametrize("submit", [True, False], ids=["submit", "save-draft"])
def test_identical_submissions_at_once_make_one_response(
    live_server_url, app, make_hub, make_user, make_survey, course_invitees, submit
):
    hub = make_hub()
    learner = make_user("double.click@example.org", hub_id=hub)
    survey = make_survey(hub)
    course_invitees[101] = [(learner, None)]
    session = _signed_in(live_server_url, "double.click@example.org")
    url = f"{live_server_url}/evaluation/surveys/{survey['attachment_id']}/pre"
    token = CSRF.search(session.get(url).text).group(1)
    data = {"csrf_token": token, **{f"item_{k}": str(v) for k, v in full(survey["items"], PRE).items()}}
    data["submit_answers" if submit else "save_draft"] = "1"

    def post(_: int) -> requests.Response:
        # One browser's cookies, ten clicks: each thread sends the same request.
        return requests.post(url, data=data, cookies=session.cookies.get_dict(), allow_redirects=False, timeout=60)

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(post, range(10)))
    assert [r.status_code for r in results if r.status_code >= 500] == []
    assert {r.status_code for r in results} <= {302, 303}
    assert {r.headers["Location"].rsplit("/", 1)[-1] for r in results} == {"surveys" if submit else "pre"}
    with app.app_context():
        attachment_responses = select(Response.id).where(Response.attachment_id == survey["attachment_id"])
        assert db.session.scalar(select(func.count()).select_from(attachment_responses.subquery())) == 1
        # The answers of one save, not ten saves' answers side by side.
        assert (
            db.session.scalar(select(func.count()).select_from(Answer).where(Answer.response_id.in_(attachment_responses))) == 3
        )
        completions = db.session.scalar(
            select(func.count()).select_from(Completion).where(Completion.attachment_id == survey["attachment_id"])
        )
        assert completions == (1 if submit else 0)


BAD_VALUES = ["9999-12-31", "0000-00-00", "²", "99999999999999999999", "-1", "\x00", "x" * 10_000, "2026-13", "2026-Q9"]


@pytest.mark.parametrize("path", ["/results", "/results.csv", "/results.xlsx", "/free-text", "/report.pdf"])
def test_bad_query_parameters_never_500(client, auth, make_hub, make_user, make_survey, path):
    hub = make_hub()
    admin = make_user(hub_id=hub, hub_role=HubRole.HUB_ADMIN.value)
    survey = make_survey(hub)
    auth.login_as(admin)
    base = f"/evaluation/instruments/{survey['instrument_id']}{path}"
    for name in ("date_to", "date_from", "period", "pcn", "role", "subgroup", "attachment", "item"):
        for value in BAD_VALUES:
            response = client.get(base, query_string={name: value})
            assert response.status_code == 200, (name, value, response.status_code)
