"""Every POST route, sent five times at once: no 5xx and nothing created twice.

Generated from ``app.url_map`` like the authorisation matrix. For each rule that takes POST,
``REGISTRY`` says who sends it and where its form lives; the form is read from that page and
filled in as a person would (the values the page shows, the first choice of each list, a
plausible value for each empty box, ``overrides`` where a page needs a particular answer).

For each rule the database is put back to the same starting point twice: once to send the
form once, and once to send it five times at the same moment from five threads with the same
signed-in session (a double click, or an impatient person). Then:

* no response is a 5xx (and no exception escapes: the test app propagates them);
* every table has exactly as many rows after the five as after the one.

A POST rule without a registry entry fails the test, so a new form cannot skip the sweep.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from learnhub.extensions import db
from tests.security.test_authorisation_matrix import _url
from tests.security.test_parameter_sweep import _client_for

BURST = 5
pytestmark = pytest.mark.sweep


@dataclass(frozen=True)
class Entry:
    """How to send one POST rule: as whom, from which page's form, with which answers."""

    user: str = "admin"
    #: URL template of the page holding the form (``{session_id}`` etc. from the targets);
    #: None: the rule's own URL when it takes GET, else no form (``overrides`` only).
    page: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    #: Why the rule is not swept (it cannot be repeated meaningfully); None: swept.
    skip: str | None = None
    #: Tables that may grow with each request, and why: a download is served (and audited)
    #: every time it is asked for; nothing is created twice.
    each_time: frozenset[str] = frozenset()


#: A download served again is audited again: each request really did hand over the data.
DOWNLOAD = frozenset({"audit_event"})


TOMORROW = (date.today() + timedelta(days=30)).isoformat()

#: One entry per POST endpoint. ``Entry()``: hub A's administrator fills the rule's own page.
REGISTRY: dict[str, Entry] = {
    "accounts.accept_invite": Entry(
        overrides={"password": "sweep-password-long-enough", "confirm": "sweep-password-long-enough"}
    ),
    "accounts.change_password": Entry(user="learner"),
    "accounts.download_my_data": Entry(user="learner", each_time=DOWNLOAD),
    "accounts.forgot_password": Entry(user="anonymous", overrides={"email": "sweep-nobody@example.org"}),
    "accounts.login": Entry(user="anonymous"),
    "accounts.logout": Entry(skip="signing out must always sign out (exempt from the double-submit guard)"),
    "accounts.profile": Entry(user="learner"),
    "accounts.register": Entry(
        user="anonymous",
        overrides={"name": "Sweep Person", "email": "sweep.register@example.org", "password": "sweep-password-long-enough"},
    ),
    "accounts.reset_password": Entry(user="anonymous", overrides={"password": "sweep-password-long-enough"}),
    "als.apologies": Entry(user="owner", page="/als/"),
    "als.bid": Entry(user="owner", page="/als/"),
    "als.facilitators": Entry(),
    "als.import_members": Entry(),
    "als.manage_session": Entry(),
    "als.member_group": Entry(page="/als/programmes/{programme_id}"),
    "als.my_unavailable": Entry(user="fac", overrides={"day": TOMORROW}),
    "als.new_programme": Entry(overrides={"name": "Sweep programme"}),
    "als.add_group": Entry(page="/als/programmes/{programme_id}", overrides={"name": "Sweep set"}),
    "als.add_member": Entry(page="/als/programmes/{programme_id}", overrides={"email": "sweep.member@example.org"}),
    "als.auto_groups": Entry(page="/als/programmes/{programme_id}"),
    "als.cancel_session": Entry(page="/als/sessions/{session_id}/manage"),
    "als.make_schedule": Entry(page="/als/programmes/{programme_id}"),
    "als.plan": Entry(page="/als/programmes/{programme_id}"),
    "als.remove_member": Entry(page="/als/programmes/{programme_id}"),
    "als.record": Entry(user="lead"),
    "als.reset_feed": Entry(user="owner", page="/als/"),
    "als.settings": Entry(),
    "als.themes": Entry(overrides={"name": "Sweep theme"}),
    "als.unavailable": Entry(overrides={"day": TOMORROW}),
    "als.withdraw": Entry(page="/als/programmes/{programme_id}"),
    "als.undo_withdrawal": Entry(),
    "notifications.preferences": Entry(user="learner"),
    "notifications.unsubscribe": Entry(skip="signed link from an email, no form page here; turning off twice is a no-op"),
    "certificates.cohort_bulk": Entry(),
    "certificates.job_cancel": Entry(page="/hub/certificates/jobs/{job_id}"),
    "certificates.job_resume": Entry(page="/hub/certificates/jobs/{job_id}"),
    "certificates.reinstate": Entry(overrides={"reason": "Revoked in error"}),
    "certificates.reissue": Entry(page="/hub/certificates/{certificate_id}"),
    "certificates.revoke": Entry(page="/hub/certificates/{certificate_id}", overrides={"reason": "Recorded in error"}),
    "credentials.verify": Entry(user="anonymous", overrides={"credential": "eyJhbGciOiJFZERTQSJ9.e30.AAAA"}),
    "courses.admin_cohort": Entry(),
    "courses.admin_questions": Entry(),
    "courses.allow_another_attempt": Entry(page="/hub/courses/{course_id}/cohorts/{cohort_id}"),
    "courses.reset_attempts": Entry(page="/hub/courses/{course_id}/cohorts/{cohort_id}"),
    "courses.record_completion": Entry(
        page="/hub/courses/{course_id}/cohorts/{cohort_id}", overrides={"reason": "Attended at another hub"}
    ),
    "courses.withdraw_completion": Entry(
        page="/hub/courses/{course_id}/cohorts/{cohort_id}", overrides={"reason": "Recorded in error"}
    ),
    "courses.attendance": Entry(),
    "courses.complete_module": Entry(user="owner", page="/courses/{course_id}/modules/{module_id}"),
    "courses.course_images": Entry(),
    "courses.delete_question": Entry(page="/hub/courses/{course_id}/modules/{module_id}/questions"),
    "courses.edit_cohort": Entry(),
    "courses.edit_course": Entry(),
    "courses.edit_module": Entry(),
    "courses.edit_question": Entry(),
    "courses.enrol_csv": Entry(),
    "courses.move_module": Entry(page="/hub/courses/{course_id}"),
    "courses.new_cohort": Entry(overrides={"name": "Sweep cohort"}),
    "courses.new_course": Entry(overrides={"title": "Sweep course"}),
    "courses.new_module": Entry(overrides={"title": "Sweep module"}),
    "courses.promote_waiting": Entry(page="/hub/courses/{course_id}/cohorts/{cohort_id}"),
    "courses.restore_question": Entry(page="/hub/courses/{course_id}/modules/{module_id}/questions"),
    "courses.self_enrol": Entry(user="learner", page="/courses/{course_id}"),
    "courses.start_check": Entry(user="owner", page="/courses/{course_id}/modules/{module_id}"),
    "courses.submit_check": Entry(user="owner"),
    "eligibility.declarations": Entry(),
    "eligibility.pcn_lead": Entry(),
    "eligibility.remove_declaration": Entry(page="/hub/courses/{course_id}/eligibility"),
    "supervision.arrangement": Entry(overrides={"minutes": "30", "note": ""}),
    "supervision.assign": Entry(),
    "supervision.end_arrangement": Entry(page="/pcn/supervision/staff/{staff_id}"),
    "supervision.hub": Entry(overrides={"cap": "6"}),
    "supervision.import_staff": Entry(),
    "supervision.staff": Entry(overrides={"name": "Sweep staff", "role": "splw", "practice_id": "0"}),
    "supervision.staff_member": Entry(),
    "evaluation.answer": Entry(user="owner"),
    "evaluation.attach": Entry(),
    "evaluation.attachment": Entry(),
    "evaluation.copy": Entry(page="/evaluation/instruments/{instrument_id}"),
    "evaluation.delete_section": Entry(page="/evaluation/instruments/{instrument_id}"),
    "evaluation.detach": Entry(page="/evaluation/attachments/{attachment_id}"),
    "evaluation.edit_instrument": Entry(),
    "evaluation.edit_item": Entry(),
    "evaluation.edit_section": Entry(),
    "evaluation.instrument": Entry(overrides={"text": "Sweep question"}),
    "evaluation.item_action": Entry(page="/evaluation/instruments/{instrument_id}"),
    "evaluation.move_item": Entry(page="/evaluation/instruments/{instrument_id}"),
    "evaluation.move_section": Entry(page="/evaluation/instruments/{instrument_id}"),
    "evaluation.new_instrument": Entry(overrides={"title": "Sweep survey"}),
    "evaluation.new_section": Entry(overrides={"title": "Sweep section"}),
    "evaluation.settings": Entry(),
    "organisations.change_active": Entry(page="/hub/users"),
    "organisations.change_permission": Entry(page="/hub/users"),
    "organisations.erase_user": Entry(),
    "organisations.hub_detail": Entry(user="site"),
    "organisations.hubs": Entry(user="site", overrides={"name": "Sweep hub", "admin_email": "sweep.hubadmin@example.org"}),
    "organisations.import_users": Entry(),
    "organisations.invite": Entry(overrides={"name": "Sweep Invitee", "email": "sweep.invitee@example.org"}),
    "organisations.resend_invite": Entry(page="/hub/users"),
    "organisations.site_erase_user": Entry(user="site"),
    "organisations.add_pcn": Entry(page="/hub/structure", overrides={"name": "Sweep PCN"}),
    "organisations.add_practice": Entry(page="/hub/structure", overrides={"name": "Sweep practice"}),
}


# --- reading a page's form ---------------------------------------------------------------------


class _Forms(HTMLParser):
    """Collects each form's action and the values a person would send with it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: C901
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "fields": {}, "buttons": []}
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        fields: dict[str, list[str]] = form["fields"]
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "image"}:
                form["buttons"].append((name, a.get("value", "")))
            elif kind == "radio":
                if name not in fields or "checked" in a:
                    fields[name] = [a.get("value", "on")]
            elif kind == "checkbox":
                if "checked" in a:
                    fields.setdefault(name, []).append(a.get("value", "on"))
            elif kind == "file":
                pass
            else:
                fields[name] = [a.get("value", "") or _plausible(name, kind)]
        elif tag == "button" and name:
            form["buttons"].append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select not in fields or ("selected" in a) or (fields[self._select] == [""] and value):
                fields[self._select] = [value]
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = [""]

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._form is not None and self._textarea:
            value = self._form["fields"][self._textarea][0]
            if not value.strip():
                self._form["fields"][self._textarea] = ["Sweep text"]
            self._textarea = None


def _plausible(name: str, kind: str) -> str:
    lowered = name.lower()
    if kind == "email" or "email" in lowered:
        return "sweep.person@example.org"
    if kind == "date":
        return TOMORROW
    if lowered.endswith("-day") or lowered.endswith("_day"):
        return "15"
    if lowered.endswith("-month") or lowered.endswith("_month"):
        return "6"
    if lowered.endswith("-year") or lowered.endswith("_year"):
        return str(date.today().year + 1)
    if kind == "number":
        return "1"
    if kind == "time" or "time" in lowered:
        return "10:00"
    if kind == "hidden":
        return ""
    return "Sweep"


def _form_data(page_html: str, action: str, overrides: dict[str, Any]) -> dict[str, Any]:
    parser = _Forms()
    parser.feed(page_html)
    path = action.split("?")[0]
    for form in parser.forms:
        if form["action"].split("?")[0] == path:
            data: dict[str, Any] = {k: v if len(v) > 1 else v[0] for k, v in form["fields"].items()}
            if form["buttons"]:
                name, value = form["buttons"][0]
                data.setdefault(name, value)
            data.pop("csrf_token", None)
            data.update(overrides)
            return data
    return dict(overrides)


# --- putting the database back -----------------------------------------------------------------


class Snapshot:
    """Every row of every table, to put the database back to the same starting point."""

    def __init__(self) -> None:
        self.tables = list(db.metadata.sorted_tables)
        with db.engine.connect() as conn:
            self.rows = {t.name: [dict(r._mapping) for r in conn.execute(select(t))] for t in self.tables}

    def restore(self) -> None:
        with db.engine.begin() as conn:
            for table in reversed(self.tables):
                conn.execute(table.delete())
            for table in self.tables:
                if self.rows[table.name]:
                    conn.execute(insert(table), self.rows[table.name])

    def counts(self) -> dict[str, int]:
        with db.engine.connect() as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in self.tables}


# --- the sweep ---------------------------------------------------------------------------------


def test_every_post_rule_has_a_registry_entry(app):
    rules = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint != "static"}
    missing = sorted(rules - set(REGISTRY))
    stale = sorted(set(REGISTRY) - rules)
    assert missing == [], "add these POST endpoints to REGISTRY in tests/security/test_concurrency_sweep.py"
    assert stale == [], "these REGISTRY entries name endpoints that no longer exist"


@pytest.mark.parametrize("guard", ["double-submit guard on", "guard off"])
def test_five_identical_posts_at_once_never_fail_and_never_duplicate(app, matrix_world, guard):  # type: ignore[no-untyped-def]
    """With the guard (a double click on one rendered form): no 5xx and the rows of one POST.

    Without it (the same form from five tabs, each with its own CSRF token in production):
    still no 5xx, and nothing guarded by a unique rule is created twice (the services' own
    idempotent inserts); other rows may legitimately be created once per tab.
    """
    guarded = guard == "double-submit guard on"
    app.config["DOUBLE_SUBMIT_SECONDS"] = 10 if guarded else 0
    w = matrix_world
    users = dict(w.users)
    users["owner"] = w.world.members[w.world.groups[0]][0]
    rules = sorted(
        (r for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint != "static"), key=lambda r: r.endpoint
    )
    with app.app_context():
        snapshot = Snapshot()
    failures: list[str] = []
    swept = 0
    for rule in rules:
        entry = REGISTRY.get(rule.endpoint)
        if entry is None or entry.skip:
            continue
        url = _url(rule, w.targets)
        page = entry.page.format(**w.targets) if entry.page else (url if "GET" in rule.methods else None)
        user = users.get(entry.user)

        # The form is read first; whatever reading it did is undone, so both runs start equal.
        data = dict(entry.overrides)
        if page:
            response = _client_for(app, user).get(page)
            if response.status_code == 200 and response.mimetype == "text/html":
                data = _form_data(response.get_data(as_text=True), url, entry.overrides)
        with app.app_context():
            snapshot.restore()
        single = _client_for(app, user).post(url, data=data)
        if single.status_code >= 500:
            failures.append(f"{rule.endpoint}: one POST gave {single.status_code}")
            continue
        with app.app_context():
            once = snapshot.counts()
            snapshot.restore()

        clients = [_client_for(app, user) for _ in range(BURST)]
        start = threading.Barrier(BURST)
        statuses: list[int | str] = []

        def send(client, data=data, url=url, start=start, statuses=statuses) -> None:  # type: ignore[no-untyped-def]
            start.wait()
            try:
                statuses.append(client.post(url, data=data).status_code)
            except Exception as error:  # noqa: BLE001
                statuses.append(f"{type(error).__name__}: {error}"[:200])

        threads = [threading.Thread(target=send, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        swept += 1
        bad = [s for s in statuses if not isinstance(s, int) or s >= 500]
        if bad:
            failures.append(f"{rule.endpoint}: {bad[:2]}")
        with app.app_context():
            many = snapshot.counts()
        grown = {t: (once[t], many[t]) for t in once if many[t] != once[t] and t not in entry.each_time}
        if grown and guarded:
            failures.append(f"{rule.endpoint}: rows after 1 vs {BURST} POSTs differ: {grown}")
    with app.app_context():
        snapshot.restore()
    print(f"concurrency sweep ({guard}): {swept} POST rules x {BURST} requests")  # noqa: T201
    assert failures == [], "\n".join(failures)
