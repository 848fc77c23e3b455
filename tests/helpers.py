"""Assertions shared by the tests."""

from __future__ import annotations

import re
from urllib.parse import urlsplit


def assert_redirect(response, to: str | None = None, *, refused: bool = False):  # type: ignore[no-untyped-def]
    """Assert that a request succeeded the post/redirect/get way, and return the response.

    A bare ``status_code == 302`` also passes when the view refused and sent the person back
    with an error (a flashed message of category "error"), so this checks three things:

    * the status is a redirect (302 or 303) with a ``Location``;
    * ``to``, when given, is a regular expression that the Location's path (with its query
      string) must match from its start;
    * no error was flashed on the way (``refused=True`` asserts the opposite: one was).
    """
    assert response.status_code in (302, 303), f"expected a redirect, got {response.status_code}"
    location = response.headers.get("Location")
    assert location, "a redirect without a Location"
    parts = urlsplit(location)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if to is not None:
        assert re.match(to, path), f"redirected to {path}, expected {to}"
    errors = [message for category, message in getattr(response, "flashed", []) if category == "error"]
    if refused:
        assert errors, f"expected a refusal, but nothing was refused (redirected to {path})"
    else:
        assert not errors, f"the request was refused: {errors}"
    return response
