"""Nobody may act on an account with more power than their own (one rank rule for every action)."""

from types import SimpleNamespace

import pytest

from learnhub.accounts.models import User
from learnhub.extensions import db
from learnhub.organisations import services
from learnhub.roles import account_rank, may_act_on, may_grant
from tests.helpers import assert_redirect


def _account(hub_role="learner", site=False):  # type: ignore[no-untyped-def]
    return SimpleNamespace(hub_role=hub_role, is_site_admin=site)


def test_ranks_and_the_rule():
    learner, facilitator, admin, site = _account(), _account("facilitator"), _account("hub_admin"), _account(site=True)
    assert [account_rank(a) for a in (learner, facilitator, admin, site)] == [0, 1, 2, 3]
    assert may_act_on(admin, learner)
    assert may_act_on(admin, facilitator)
    assert may_act_on(admin, admin)
    assert not may_act_on(admin, site)
    assert not may_act_on(facilitator, admin)
    assert may_act_on(site, admin)
    assert may_act_on(site, site)
    assert may_grant(admin, "hub_admin")
    assert not may_grant(facilitator, "hub_admin")


@pytest.fixture
def hub_with_site_admin(make_hub, make_user):  # type: ignore[no-untyped-def]
    hub = make_hub()
    admin = make_user("admin@example.org", hub_id=hub, hub_role="hub_admin")
    site = make_user("site@example.org", hub_id=hub, hub_role="hub_admin", is_site_admin=True)
    return hub, admin, site


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("deactivate", {}),
        ("reactivate", {}),
        ("permission", {"hub_role": "learner"}),
        ("resend-invitation", {}),
        ("erase", {"confirm": "y"}),
    ],
)
def test_a_hub_admin_cannot_act_on_a_site_administrator(client, auth, app, hub_with_site_admin, path, data):
    _, admin, site = hub_with_site_admin
    auth.login_as(admin)
    response = client.post(f"/hub/users/{site}/{path}", data=data)
    assert response.status_code == 403
    with app.app_context():
        person = db.session.get(User, site)
        assert person.active
        assert person.hub_role == "hub_admin"
        assert person.is_site_admin
        assert person.erased_at is None


def test_the_erase_page_is_refused_too(client, auth, hub_with_site_admin):
    _, admin, site = hub_with_site_admin
    auth.login_as(admin)
    assert client.get(f"/hub/users/{site}/erase").status_code == 403


def test_a_hub_admin_still_manages_facilitators_and_fellow_admins(client, auth, app, make_user, hub_with_site_admin):
    hub, admin, _ = hub_with_site_admin
    facilitator = make_user(hub_id=hub, hub_role="facilitator")
    fellow = make_user(hub_id=hub, hub_role="hub_admin")
    auth.login_as(admin)
    assert_redirect(client.post(f"/hub/users/{facilitator}/permission", data={"hub_role": "learner"}))
    assert_redirect(client.post(f"/hub/users/{fellow}/deactivate"))
    with app.app_context():
        assert db.session.get(User, facilitator).hub_role == "learner"
        assert not db.session.get(User, fellow).active


def test_the_services_refuse_too(app, hub_with_site_admin):
    _, admin, site = hub_with_site_admin
    with app.app_context():
        actor, target = db.session.get(User, admin), db.session.get(User, site)
        with pytest.raises(PermissionError):
            services.set_active(actor, target, False)
        with pytest.raises(PermissionError):
            services.set_permission(actor, target, "learner")
        assert target.active


def test_the_person_page_offers_no_actions_on_a_site_administrator(client, auth, hub_with_site_admin):
    _, admin, site = hub_with_site_admin
    auth.login_as(admin)
    page = client.get(f"/hub/users/{site}").get_data(as_text=True)
    assert "Only a site administrator can change their account" in page
    assert "Deactivate account" not in page
    assert client.post(f"/hub/users/{site}/pcn-lead", data={}).status_code == 403
