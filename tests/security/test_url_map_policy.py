"""Policy tests generated from ``app.url_map``: every route must be classified here.

``ANONYMOUS`` is the policy table for a visitor who is not signed in: for each endpoint the
expected GET outcome, ``"public"`` (any status except a sign-in redirect or 500) or ``"login"``
(302 to the sign-in page). Ids in URLs are filled with a number no object has, so a public
route answers 404 there and a protected route must send the visitor to sign in before it even
looks the object up. A new route makes ``test_every_route_is_classified`` fail until it is
added to the table (see docs/development.md, "Adding a route").

The CSRF test posts, with CSRF enabled and a signed-in site administrator, to every rule that
accepts POST/PUT/PATCH/DELETE, without a token: each must be refused with our 400 page and
leave every table unchanged. Sign-out is the documented exception: it is exempt from the token
and checks the Origin/Referer instead (``learnhub.security.same_origin_post``); so is one-click
unsubscribe (RFC 8058), whose signed link is its authorisation.
"""

import pytest
from sqlalchemy import func, select

from learnhub.extensions import db

PUBLIC, LOGIN = "public", "login"

#: Endpoint -> expected outcome of an anonymous GET (POST-only rules are covered by the CSRF
#: test and by their views' login checks).
ANONYMOUS: dict[str, str] = {
    "main.index": PUBLIC,
    "main.accessibility": PUBLIC,
    "main.privacy": PUBLIC,
    "main.contact": PUBLIC,
    "main.healthz": PUBLIC,
    "main.hub_admin": LOGIN,
    "main.mail_waiting": LOGIN,
    "notifications.preferences": LOGIN,
    "notifications.unsubscribe": PUBLIC,  # signed one-click link from an email (RFC 8058); 404 here
    "accounts.accept_invite": PUBLIC,
    "accounts.change_password": LOGIN,
    "accounts.forgot_password": PUBLIC,
    "accounts.reset_password": PUBLIC,
    "accounts.profile": LOGIN,
    "accounts.download_my_data": LOGIN,
    "accounts.register": PUBLIC,
    "accounts.login": PUBLIC,
    "accounts.logout": PUBLIC,  # no Origin header: refused with 400 (same_origin_post)
    "organisations.hubs": LOGIN,
    "organisations.audit_log": LOGIN,
    "als.note_access_log": LOGIN,
    "als.cohort_report": LOGIN,
    "organisations.hub_detail": LOGIN,
    "organisations.structure": LOGIN,
    "organisations.add_pcn": LOGIN,
    "organisations.add_practice": LOGIN,
    "organisations.users": LOGIN,
    "organisations.user_detail": LOGIN,
    "organisations.change_active": LOGIN,
    "organisations.change_permission": LOGIN,
    "organisations.resend_invite": LOGIN,
    "organisations.erase_user": LOGIN,
    "organisations.site_erase_user": LOGIN,
    "organisations.import_users": LOGIN,
    "organisations.invite": LOGIN,
    "als.mine": LOGIN,
    "als.feed": PUBLIC,  # secret-token calendar feed for calendar apps
    "als.reset_feed": LOGIN,
    "als.facilitating": LOGIN,
    "als.my_unavailable": LOGIN,
    "als.programmes": LOGIN,
    "als.programme": LOGIN,
    "als.add_member": LOGIN,
    "als.add_group": LOGIN,
    "als.auto_groups": LOGIN,
    "als.make_schedule": LOGIN,
    "als.plan": LOGIN,
    "als.remove_member": LOGIN,
    "als.cancel_session": LOGIN,
    "als.dashboard": LOGIN,
    "als.dashboard_csv": LOGIN,
    "als.facilitators": LOGIN,
    "als.unavailable": LOGIN,
    "als.withdraw": LOGIN,
    "als.undo_withdrawal": LOGIN,
    "als.member_group": LOGIN,
    "als.import_members": LOGIN,
    "als.new_programme": LOGIN,
    "als.session_detail": LOGIN,
    "als.apologies": LOGIN,
    "als.bid": LOGIN,
    "als.session_ics": LOGIN,
    "als.manage_session": LOGIN,
    "als.record": LOGIN,
    "als.themes": LOGIN,
    "als.settings": LOGIN,
    "certificates.mine": LOGIN,
    "certificates.record": LOGIN,
    "certificates.record_pdf": LOGIN,
    "certificates.download": LOGIN,
    "certificates.admin_list": LOGIN,
    "certificates.admin_detail": LOGIN,
    "certificates.reissue": LOGIN,
    "certificates.revoke": LOGIN,
    "certificates.reinstate": LOGIN,
    "certificates.bulk": LOGIN,
    "certificates.cohort_bulk": LOGIN,
    "certificates.job": LOGIN,
    "certificates.failed_jobs": LOGIN,
    "certificates.job_cancel": LOGIN,
    "certificates.job_resume": LOGIN,
    "certificates.verify_form": PUBLIC,
    "certificates.verify": PUBLIC,
    "credentials.download": LOGIN,
    "credentials.issuer": PUBLIC,
    "credentials.jwks": PUBLIC,
    "credentials.key": PUBLIC,
    "credentials.status_list": PUBLIC,
    "credentials.verify": PUBLIC,
    "courses.course_list": LOGIN,
    "courses.course_page": LOGIN,
    "courses.self_enrol": LOGIN,
    "courses.course_image": LOGIN,
    "courses.module_page": LOGIN,
    "courses.check_page": LOGIN,
    "courses.submit_check": LOGIN,
    "courses.attempt_result": LOGIN,
    "courses.start_check": LOGIN,
    "courses.complete_module": LOGIN,
    "courses.live_sessions": LOGIN,
    "courses.my_learning": LOGIN,
    "courses.admin_courses": LOGIN,
    "courses.admin_course": LOGIN,
    "courses.admin_cohort": LOGIN,
    "courses.attendance": LOGIN,
    "courses.edit_cohort": LOGIN,
    "courses.enrol_csv": LOGIN,
    "courses.allow_another_attempt": LOGIN,
    "courses.record_completion": LOGIN,
    "courses.withdraw_completion": LOGIN,
    "courses.reset_attempts": LOGIN,
    "courses.preview_module": LOGIN,
    "courses.admin_learner": LOGIN,
    "courses.promote_waiting": LOGIN,
    "courses.cohort_csv": LOGIN,
    "courses.new_cohort": LOGIN,
    "courses.edit_course": LOGIN,
    "courses.course_images": LOGIN,
    "courses.edit_module": LOGIN,
    "courses.move_module": LOGIN,
    "courses.admin_questions": LOGIN,
    "courses.delete_question": LOGIN,
    "courses.restore_question": LOGIN,
    "courses.edit_question": LOGIN,
    "courses.new_module": LOGIN,
    "courses.new_course": LOGIN,
    "eligibility.declarations": LOGIN,
    "eligibility.remove_declaration": LOGIN,
    "eligibility.register": LOGIN,
    "eligibility.rules": LOGIN,
    "eligibility.pcn_rules": LOGIN,
    "eligibility.person": LOGIN,
    "eligibility.pcn_register": LOGIN,
    "eligibility.pcn_person": LOGIN,
    "eligibility.pcn_lead": LOGIN,
    "evaluation.instruments": LOGIN,
    "evaluation.instrument": LOGIN,
    "evaluation.copy": LOGIN,
    "evaluation.free_text": LOGIN,
    "evaluation.report": LOGIN,
    "evaluation.results": LOGIN,
    "evaluation.export": LOGIN,
    "evaluation.item_action": LOGIN,
    "evaluation.settings": LOGIN,
    "evaluation.my_surveys": LOGIN,
    "evaluation.answer": LOGIN,
    "evaluation.new_instrument": LOGIN,
    "evaluation.edit_instrument": LOGIN,
    "evaluation.new_section": LOGIN,
    "evaluation.edit_section": LOGIN,
    "evaluation.move_section": LOGIN,
    "evaluation.delete_section": LOGIN,
    "evaluation.move_item": LOGIN,
    "evaluation.edit_item": LOGIN,
    "evaluation.attach": LOGIN,
    "evaluation.attachment": LOGIN,
    "evaluation.detach": LOGIN,
    "supervision.pcns": LOGIN,
    "supervision.dashboard": LOGIN,
    "supervision.staff": LOGIN,
    "supervision.import_staff": LOGIN,
    "supervision.staff_member": LOGIN,
    "supervision.assign": LOGIN,
    "supervision.end_arrangement": LOGIN,
    "supervision.arrangement": LOGIN,
    "supervision.mine": LOGIN,
    "supervision.hub": LOGIN,
}


def _rules(app, methods: set[str]):  # type: ignore[no-untyped-def]
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static" and r.methods & methods]


def _url(rule) -> str:  # type: ignore[no-untyped-def]
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__
        if kind == "IntegerConverter":
            values[name] = 987654
        elif kind == "AnyConverter":
            values[name] = sorted(converter.items)[0] if hasattr(converter, "items") else "up"
        else:
            values[name] = "unknown-value"
    if rule.endpoint == "evaluation.export":
        values["fmt"] = "csv"
    return rule.build(values, append_unknown=False)[1]


def test_every_route_is_classified(app) -> None:
    endpoints = {r.endpoint for r in app.url_map.iter_rules()} - {"static"}
    assert sorted(endpoints - ANONYMOUS.keys()) == [], "classify these routes in ANONYMOUS"
    assert sorted(ANONYMOUS.keys() - endpoints) == [], "these endpoints no longer exist"


def test_anonymous_policy(app, client) -> None:
    mismatches = []
    for rule in _rules(app, {"GET", "POST"}):
        expected = ANONYMOUS[rule.endpoint]
        url = _url(rule)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        to_login = response.status_code == 302 and "/account/sign-in" in response.headers.get("Location", "")
        if response.status_code >= 500 or (expected == LOGIN) != to_login:
            mismatches.append(f"{method} {url} ({rule.endpoint}): expected {expected}, got {response.status_code}")
    assert mismatches == []


def _row_counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


@pytest.fixture
def csrf_app(make_app):  # type: ignore[no-untyped-def]
    return make_app(WTF_CSRF_ENABLED=True)


def test_every_state_changing_rule_needs_a_csrf_token(csrf_app, make_user, make_hub) -> None:
    from learnhub.accounts.models import User

    admin = make_user("site-admin@example.org", hub_id=make_hub(), hub_role="hub_admin", is_site_admin=True)
    client = csrf_app.test_client()
    with csrf_app.app_context():
        session_id = db.session.get(User, admin).get_id()
        before = _row_counts()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
    refused = []
    for rule in _rules(csrf_app, {"POST", "PUT", "PATCH", "DELETE"}):
        if rule.endpoint == "accounts.logout":
            continue  # same-origin check instead of a token (documented exception)
        if rule.endpoint == "notifications.unsubscribe":
            # RFC 8058 one-click unsubscribe: mail clients POST without a token; the signed link
            # is the authorisation and can only turn one optional category off. Unsigned: 404.
            response = client.post(_url(rule))
            if response.status_code != 404:
                refused.append(f"POST {rule.rule}: {response.status_code}")
            continue
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            response = client.open(_url(rule), method=method, data={"name": "x"})
            if response.status_code != 400 or b"The form had expired or was sent from another site" not in response.data:
                refused.append(f"{method} {rule.rule}: {response.status_code}")
    assert refused == []
    with csrf_app.app_context():
        assert _row_counts() == before


def test_sign_out_refuses_a_cross_site_post(client, auth, make_user) -> None:
    make_user("gp@example.org")
    auth.login("gp@example.org")
    response = client.post("/account/sign-out", headers={"Origin": "https://evil.example"})
    assert client.get("/account/profile").status_code == 200
    assert response.status_code in (400, 403)
