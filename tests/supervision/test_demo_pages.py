"""The demo PCN's lead covers every gap using only the pages, and the three views then agree."""

import csv
import io
import re
from html.parser import HTMLParser

from learnhub.demo import DemoContext, run_steps
from learnhub.supervision.demo import LEAD_EMAIL, PCN

PASSWORD = "demo-password-for-tests-1"
HUB_ADMIN = "hub.admin@example.org"
ASSIGN_LINK = re.compile(r'href="(/pcn/supervision/staff/\d+/assign/[a-z_]+)"')


class _Forms(HTMLParser):
    """Each POST form of a page: its action, the values it sends and each radio group's choices."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = {"action": a.get("action", ""), "fields": {}, "radios": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind == "radio":
                self._form["radios"].setdefault(a["name"], []).append(a.get("value", ""))
            elif kind not in {"submit", "checkbox", "file"}:
                self._form["fields"][a["name"]] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def _text(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _dashboard_url(client) -> str:  # type: ignore[no-untyped-def]
    """The lead's list of PCNs links to the demo PCN's dashboard."""
    found = re.search(r'href="(/pcn/supervision/\d+)">' + re.escape(PCN) + "<", _text(client, "/pcn/supervision"))
    assert found, "the PCN list links to the demo PCN"
    return found.group(1)


def _uncovered(page: str) -> int:
    found = re.search(r'id="count-uncovered">(\d+)<', page)
    assert found
    return int(found.group(1))


def test_demo_lead_covers_every_gap_through_the_pages(app, client, auth) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        run_steps(DemoContext(password=PASSWORD))
    assert auth.login(LEAD_EMAIL, PASSWORD).status_code == 302
    dashboard = _dashboard_url(client)
    page = _text(client, dashboard)
    assert _uncovered(page) == 9

    uncoverable: list[str] = []
    assigned = 0
    for _ in range(60):  # far more than the demo's gaps: a loop that never ends fails instead
        page = _text(client, dashboard)
        links = [link for link in ASSIGN_LINK.findall(page) if link not in uncoverable]
        if not links:
            break
        parsed = _Forms()
        parsed.feed(_text(client, links[0]))
        pickers = [f for f in parsed.forms if "supervisor_id" in f["radios"]]
        if not pickers:
            uncoverable.append(links[0])  # the picker offers nobody: reported below
            continue
        (picker,) = pickers
        sent = client.post(
            picker["action"] or links[0], data={**picker["fields"], "supervisor_id": picker["radios"]["supervisor_id"][0]}
        )
        assert sent.status_code == 302, (links[0], sent.get_data(as_text=True))
        assigned += 1
    else:
        raise AssertionError("the dashboard still lists gaps after 60 assignments")
    assert uncoverable == [], f"no valid supervisor offered for: {uncoverable}"
    assert assigned >= 9

    page = _text(client, dashboard)
    assert _uncovered(page) == 0
    assert 'id="missing"' not in page
    assert "Every staff member has each kind of supervision their role needs." in page

    export = client.get(dashboard + "?format=csv")
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows
    assert [r for r in rows if r["State"] == "Missing"] == []
    # An arrangement whose supervisor no longer qualifies stays listed (flagged), next to its replacement.
    covered = {(r["Name"], r["Kind of supervision"]) for r in rows if r["Supervisor"] and not r["State"].startswith("Missing")}
    flagged = {(r["Name"], r["Kind of supervision"]) for r in rows if r["State"].startswith("Missing:")}
    assert flagged <= covered

    auth.logout()
    assert auth.login(HUB_ADMIN, PASSWORD).status_code == 302
    hub = client.get("/hub/supervision?format=csv")
    assert hub.status_code == 200
    (riverside,) = [r for r in csv.DictReader(io.StringIO(hub.get_data(as_text=True).lstrip("\ufeff"))) if r["PCN"] == PCN]
    assert riverside["Staff without a required supervisor"] == "0"
    hub_page = _text(client, "/hub/supervision")
    row = re.search(r">" + re.escape(PCN) + r"</th>((?:<td[^>]*>[^<]*</td>)+)", hub_page)
    assert row
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))
    assert cells[1] == "0"  # ARRS staff, then staff without a required supervisor
