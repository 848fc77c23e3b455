"""Impatient users (issue 13): identical requests at once give one row and no error, and GETs write nothing twice.

Requests are fired at a live threaded server on loopback, ten (or sixteen) at once, each with
the same signed-in cookie, as a double click or several tabs would.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from learnhub.als.models import AlsAttendance, AlsBid, AlsCalendarFeed, AlsFacilitator, AlsGroup, AlsTheme
from learnhub.audit import Action, AuditEvent
from learnhub.extensions import db

N = 10


@pytest.fixture
def server(make_app):  # type: ignore[no-untyped-def]
    live = make_app(SERVER_NAME=None)
    srv = make_server("127.0.0.1", 0, live, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def cookie_of(client, auth):  # type: ignore[no-untyped-def]
    def signed_in(user_id: int) -> str:
        auth.login_as(user_id)
        return client.get_cookie("session").value

    return signed_in


def fire(n: int, method: str, url: str, cookie: str, data: dict | None = None) -> list[int]:
    def one(_: int) -> int:
        with requests.Session() as s:
            s.cookies.set("session", cookie)
            return s.request(method, url, data=data, allow_redirects=False, timeout=60).status_code

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def count(app, model, *where) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_sixteen_first_visits_to_als_share_one_calendar_token(world, app, server, cookie_of):
    member = world.members[world.groups[0]][0]
    statuses = fire(16, "GET", f"{server}/als/", cookie_of(member))
    assert statuses == [200] * 16
    assert count(app, AlsCalendarFeed, AlsCalendarFeed.user_id == member) == 1


def test_ten_identical_bids_and_apologies_make_one_row_each(world, app, server, cookie_of):
    group = world.groups[0]
    member, session_id = world.members[group][0], world.sessions[group][2]
    cookie = cookie_of(member)
    assert fire(N, "POST", f"{server}/als/sessions/{session_id}/bid", cookie, {"wanted": "yes"}) == [302] * N
    assert count(app, AlsBid, AlsBid.user_id == member) == 1
    assert count(app, AuditEvent, AuditEvent.action == Action.ALS_BID) == 1
    other = world.members[group][1]
    cookie = cookie_of(other)
    assert fire(N, "POST", f"{server}/als/sessions/{session_id}/apologies", cookie, {"wanted": "yes"}) == [302] * N
    assert count(app, AlsAttendance, AlsAttendance.user_id == other) == 1
    # A second "send" after the first is not a toggle: the apologies stay sent.
    assert fire(1, "POST", f"{server}/als/sessions/{session_id}/apologies", cookie, {"wanted": "yes"}) == [302]
    assert count(app, AlsAttendance, AlsAttendance.user_id == other) == 1


def test_ten_identical_admin_posts_add_one_facilitator_group_and_theme(world, app, server, cookie_of, make_user):
    newcomer = make_user(hub_id=world.hub, hub_role="facilitator", name="New Fac", email="new.fac@example.org")
    cookie = cookie_of(world.admin)
    url = f"{server}/als/programmes/{world.programme}"
    statuses = fire(N, "POST", f"{url}/facilitators", cookie, {"facilitator-email": "new.fac@example.org"})
    assert all(s < 500 for s in statuses), statuses
    assert 302 in statuses
    assert count(app, AlsFacilitator, AlsFacilitator.user_id == newcomer) == 1
    statuses = fire(N, "POST", f"{url}/groups", cookie, {"group-group_name": "Set Z"})
    assert all(s < 500 for s in statuses), statuses
    assert count(app, AlsGroup, AlsGroup.name == "Set Z") == 1
    statuses = fire(N, "POST", f"{server}/als/themes", cookie, {"theme_name": "Digital tools"})
    assert all(s < 500 for s in statuses), statuses
    assert count(app, AlsTheme, AlsTheme.name == "Digital tools") == 1
    assert count(app, AuditEvent, AuditEvent.action == Action.ALS_THEME_ADDED) == 1
    assert count(app, AuditEvent, AuditEvent.action == Action.ALS_GROUP_CREATED) == 1
    assert count(app, AuditEvent, AuditEvent.action == Action.ALS_FACILITATOR_ADDED) == 4  # 3 in the world + 1


def test_calendar_feed_with_odd_bytes_is_not_found(world, client):
    for token in ("%00", "a%00b", "x" * 500, "%C0%AF"):
        assert client.get(f"/als/calendar/{token}.ics").status_code == 404
