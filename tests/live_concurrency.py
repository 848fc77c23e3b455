"""Fire identical requests at once at a live server (``live_server_url``), as impatient users do.

A double click, or ten clicks, sends the same POST several times before the first answer
arrives. These helpers sign in through the real page, read the form's CSRF token once (as the
browser would have it) and send ``n`` copies of the same POST from ``n`` threads at once.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.conftest import PASSWORD

_VALUE = re.compile(r'value="([^"]+)"')


def csrf_token(html: str, name: str = "csrf_token") -> str:
    """The CSRF token of the first form on a page (``name`` for a form with a prefix, e.g. ``pcn-csrf_token``)."""
    tag = re.search(r'<input[^>]*name="' + re.escape(name) + r'"[^>]*>', html)
    assert tag, "no CSRF token on the page"
    value = _VALUE.search(tag.group(0))
    assert value
    return value.group(1)


def signed_in(base: str, email: str, password: str = PASSWORD) -> requests.Session:
    """A browser session signed in through the sign-in page."""
    browser = requests.Session()
    page = browser.get(f"{base}/account/sign-in", timeout=30).text
    response = browser.post(
        f"{base}/account/sign-in",
        data={"csrf_token": csrf_token(page), "email": email, "password": password},
        timeout=30,
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    return browser


def clones(browser: requests.Session, n: int) -> list[requests.Session]:
    """``n`` sessions with the same cookies: the same browser, several requests in flight."""
    copies = []
    for _ in range(n):
        copy = requests.Session()
        copy.cookies.update(browser.cookies)
        copy.headers.update(browser.headers)
        copies.append(copy)
    return copies


def at_once(n: int, send: Callable[[int], requests.Response]) -> list[requests.Response]:
    """Call ``send(i)`` from ``n`` threads released together; the responses, in order."""
    start = threading.Barrier(n)

    def run(i: int) -> requests.Response:
        start.wait()
        return send(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def post_at_once(
    browser: requests.Session, url: str, data: dict, n: int = 10, files: dict | None = None
) -> list[requests.Response]:
    """The same POST (with the session's CSRF token already in ``data``) sent ``n`` times at once."""
    sessions = clones(browser, n)
    return at_once(
        n, lambda i: sessions[i].post(url, data=data, files=files, allow_redirects=False, timeout=120, headers={"Referer": url})
    )


def statuses(responses: list[requests.Response]) -> list[int]:
    """Status codes, for assertion messages."""
    return [r.status_code for r in responses]
