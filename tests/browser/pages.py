"""Every GET page of every demo role, found from ``app.url_map`` and the demo data.

``discover(app)`` signs each demo login in with the Flask test client (and a visitor who is not
signed in), follows the links on every HTML page it gets, and then fills the variables of
every GET rule in ``app.url_map`` with the values seen in those links (``programme_id`` from
``/als/programmes/3``…), so a page that no link reaches is still tried. The result is, per
role, the HTML pages that answered 200: a new page is covered without editing a list.

``unreached(app, found)`` names the GET rules that gave no HTML page to anyone: the sweep
fails on them unless :data:`NOT_HTML` or :data:`NEEDS_SECRET` explains why.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

#: Endpoints that answer with something other than an HTML page (files, feeds, JSON).
NOT_HTML = {
    "static",
    "main.healthz",
    "courses.course_image",
    # Portable credentials: the issuer profile, key set, one key (JSON) and status lists (vc+jwt).
    "credentials.issuer",
    "credentials.jwks",
    "credentials.key",
    "credentials.status_list",
}
#: Pages the demo data has no URL for, with the reason: the sweep does not fail on them.
NOT_IN_DEMO = {
    "accounts.accept_invite": "the token is only in the invitation email",
    "accounts.reset_password": "the token is only in the reset email",
    "certificates.job": "the demo runs no bulk certificate job",
    "notifications.unsubscribe": (
        "the token is only in an optional email's unsubscribe link (test_notifications_browser.py checks it "
        "with axe, by keyboard and at 320 px)"
    ),
    "certificates.reinstate": "the demo has no revoked certificate to reinstate",
    "courses.record_completion": (
        "linked from the page of a learner who has not completed; the sweep opens two learner pages per "
        "endpoint and the demo's first ones have completed (test_renewal_override_browser.py checks it "
        "with axe and at 320 px)"
    ),
}
#: The pages whose links tell roles apart (see ``_signature``).
SIGNATURE_PAGES = ("/", "/my-learning", "/als/", "/certificates", "/evaluation/surveys", "/hub")
#: How many URLs of one endpoint a role visits (their layout is the same; names differ).
PER_ENDPOINT = 2
#: Query keys that only change what a list shows (the first page of each is enough).
_SKIP_SUFFIXES = (".csv", ".ics", ".pdf", ".png", ".json", ".xlsx", ".zip")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


@dataclass
class Found:
    """HTML pages (path with query) per role, and the endpoints each one is."""

    pages: dict[str, list[str]] = field(default_factory=dict)
    endpoints: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: Endpoints that answered 200 with a file rather than a page (PDF, image, calendar).
    files: set[str] = field(default_factory=set)
    #: Roles left out because they see the same kinds of page as a role already swept.
    same_as: dict[str, str] = field(default_factory=dict)


def _links(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        url, _ = urldefrag(urljoin(base, href))
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or parts.scheme not in ("", "http"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.endswith(_SKIP_SUFFIXES) or "/static/" in path:
            continue
        out.append(path)
    return out


def _login(app: Flask, client, user_id: int) -> None:  # type: ignore[no-untyped-def]
    from learnhub.accounts.models import User
    from learnhub.extensions import db

    with app.app_context():
        session_id = db.session.get(User, user_id).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True


def _match(adapter, path: str):  # type: ignore[no-untyped-def]
    try:
        return adapter.match(urlsplit(path).path, method="GET")
    except (HTTPException, RequestRedirect):
        return None


def _signature(client) -> frozenset:  # type: ignore[no-untyped-def]
    """What kinds of page a role is offered: the links of its main pages, ids left out.

    The demo has many people in the same position (six members of one set); sweeping one of
    them covers the others.
    """
    links = set()
    for path in SIGNATURE_PAGES:
        response = client.get(path)
        if response.status_code == 200 and response.mimetype == "text/html":
            links.update(re.sub(r"\\d+", "N", link) for link in _links(response.get_data(as_text=True), path))
        links.add(f"{path} {response.status_code}")
    return frozenset(links)


def discover(app: Flask, roles: dict[str, int | None]) -> Found:
    """Crawl as each role (``None``: not signed in), then try every GET rule with seen values."""
    adapter = app.url_map.bind("localhost")
    found = Found()
    values: dict[str, list] = defaultdict(list)
    role_values: dict[str, dict[str, list]] = {}

    def visit(client, role: str, path: str, per_endpoint: dict[str, int], seen: set[str], queue: list[str]) -> None:  # type: ignore[no-untyped-def]
        matched = _match(adapter, path)
        if matched is None:
            return
        endpoint, args = matched
        if endpoint in NOT_HTML or endpoint in found.files or per_endpoint[endpoint] >= PER_ENDPOINT:
            return
        response = client.get(path)
        if response.status_code == 200 and response.mimetype != "text/html":
            found.files.add(endpoint)
        if response.status_code != 200 or response.mimetype != "text/html":
            return
        per_endpoint[endpoint] += 1
        found.pages[role].append(path)
        found.endpoints[endpoint].add(role)
        for name, value in args.items():
            for bucket in (values[name], role_values[role][name]):
                if value not in bucket:
                    bucket.append(value)
        for link in _links(response.get_data(as_text=True), path):
            if link not in seen:
                seen.add(link)
                queue.append(link)

    clients = {}
    signatures: dict[frozenset, str] = {}
    for role, user_id in list(roles.items()):
        client = app.test_client()
        if user_id is not None:
            _login(app, client, user_id)
        signature = _signature(client)
        if signature in signatures:
            found.same_as[role] = signatures[signature]
            continue
        signatures[signature] = role
        clients[role] = client
        found.pages[role] = []
        role_values[role] = defaultdict(list)
        per_endpoint: dict[str, int] = defaultdict(int)
        seen = {"/"}
        queue = ["/"]
        while queue:
            visit(client, role, queue.pop(0), per_endpoint, seen, queue)
        role_values[role]["_per_endpoint"] = per_endpoint  # type: ignore[assignment]
        role_values[role]["_seen"] = seen  # type: ignore[assignment]

    # Pages no link reached: fill each rule's variables with the values the crawl saw.
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in NOT_HTML:
            continue
        for role in clients:
            per_endpoint = role_values[role]["_per_endpoint"]  # type: ignore[assignment]
            seen = role_values[role]["_seen"]  # type: ignore[assignment]
            if per_endpoint[rule.endpoint]:
                continue
            names = sorted(rule.arguments)
            choices = []
            for name in names:
                own = list(role_values[role].get(name, []))
                choices.append((own + [v for v in values.get(name, []) if v not in own])[:4])
            for combo in itertools.islice(itertools.product(*choices), 16):
                try:
                    path = adapter.build(rule.endpoint, dict(zip(names, combo, strict=True)), method="GET")
                except Exception:  # noqa: BLE001 - a value of the wrong type for this converter
                    continue
                if path in seen:
                    continue
                seen.add(path)
                queue = []
                visit(clients[role], role, path, per_endpoint, seen, queue)
                if per_endpoint[rule.endpoint]:
                    break
    return found


def unreached(app: Flask, found: Found) -> list[str]:
    """GET rules that no role got an HTML page from, and that nothing explains."""
    missing = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        if (
            rule.endpoint in NOT_HTML
            or rule.endpoint in NOT_IN_DEMO
            or rule.endpoint in found.endpoints
            or rule.endpoint in found.files
        ):
            continue
        if re.search(r"\.(csv|ics|pdf|png|json|xlsx|zip)$", rule.rule) or "<fmt>" in rule.rule:
            continue
        missing.append(f"{rule.endpoint} {rule.rule}")
    return sorted(set(missing))


def endpoint_of(app: Flask, path: str) -> str:
    """The endpoint a path goes to."""
    matched = _match(app.url_map.bind("localhost"), path)
    return matched[0] if matched else path
