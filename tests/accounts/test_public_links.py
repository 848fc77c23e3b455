"""Links in emails and PDFs come from the configured public base URL, never from the request.

``POST /account/password/forgot`` with ``Host: attacker.example`` used to email
``http://attacker.example/account/password/reset/<live token>``.
"""

import re

import pytest

from learnhub.urls import external_url

BASE = "https://learnhub.example.org"


def _links(message) -> list[str]:  # type: ignore[no-untyped-def]
    return re.findall(r"https?://\S+", message.get_content())


def test_reset_link_ignores_the_host_header(client, make_user, outbox):
    make_user("gp@example.org")
    client.post("/account/password/forgot", data={"email": "gp@example.org"}, headers={"Host": "attacker.example"})
    [link] = _links(outbox[-1])
    assert link.startswith("http://localhost/account/password/reset/")
    assert "attacker" not in outbox[-1].get_content()


def test_invitation_link_ignores_the_host_header(app, client, auth, make_hub, make_user, outbox):
    hub = make_hub()
    auth.login_as(make_user(hub_id=hub, hub_role="hub_admin"))
    cookie = client.get_cookie("session").value
    # The cookie jar keeps the session for "localhost": a jar-less client sends it to the other host.
    app.test_client(use_cookies=False).post(
        "/hub/users/invite",
        data={"name": "Dr New Person", "email": "new@example.org", "professional_role": "gp", "hub_role": "learner"},
        headers={"Host": "attacker.example", "Cookie": f"session={cookie}"},
    )
    [link] = _links(outbox[-1])
    assert link.startswith("http://localhost/account/invitation/")


@pytest.fixture
def public_app(make_app):  # type: ignore[no-untyped-def]
    return make_app(PUBLIC_BASE_URL=BASE + "/", PROXY_FIX_COUNT=1)


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "attacker.example"},
        {"X-Forwarded-Host": "attacker.example"},  # through the proxy: ProxyFix believes it, TRUSTED_HOSTS does not
        {"Host": "attacker.example:8443", "X-Forwarded-Port": "8443"},
    ],
)
def test_with_a_public_base_url_a_request_for_another_host_is_refused(public_app, make_user, headers):
    make_user("gp@example.org")
    client = public_app.test_client()
    response = client.post("/account/password/forgot", data={"email": "gp@example.org"}, headers=headers)
    assert response.status_code == 400
    assert public_app.extensions.get("outbox", []) == []


def test_with_a_public_base_url_every_link_uses_it(public_app, make_user):
    make_user("gp@example.org")
    client = public_app.test_client()
    # "localhost" is one of the default extra trusted hosts (health checks on the machine itself).
    response = client.post("/account/password/forgot", data={"email": "gp@example.org"}, headers={"Host": "localhost"})
    assert response.status_code == 200
    [link] = _links(public_app.extensions["outbox"][-1])
    assert link.startswith(BASE + "/account/password/reset/")


def test_external_url_never_reads_the_request(public_app):
    with public_app.test_request_context("/", headers={"Host": "localhost"}):
        assert external_url("certificates.verify", code="7KQ2-M9XD") == f"{BASE}/verify/7KQ2-M9XD"
        assert external_url("als.feed", token="abc") == f"{BASE}/als/calendar/abc.ics"
    with public_app.app_context():  # outside a request: a CLI command or the queue worker
        assert external_url("accounts.accept_invite", token="t") == f"{BASE}/account/invitation/t"


def test_a_base_url_with_a_path_keeps_it(make_app):
    app = make_app(PUBLIC_BASE_URL="https://nhs.example.org/learnhub")
    with app.app_context():
        assert external_url("certificates.verify", code="AB") == "https://nhs.example.org/learnhub/verify/AB"
