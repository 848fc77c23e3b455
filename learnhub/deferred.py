"""Work that runs after the response has been sent: slow side effects that must not show in timing.

Sending an email takes as long as the mail server wants. When only some requests send one —
a password reset for a real account, not for an unknown address — the response time tells an
observer which accounts exist. ``after_response(fn)`` runs ``fn`` once the WSGI server has sent
the response and closed it (Werkzeug's ``call_on_close``), in a fresh application context, so
every answer takes the same time and an unreachable mail server never turns a page into an
error. Outside a request (CLI, queue worker) ``fn`` runs at once.
"""

from collections.abc import Callable
from typing import Any

from flask import Response, after_this_request, current_app, has_request_context


def after_response(fn: Callable[[], Any]) -> None:
    """Run ``fn()`` after this request's response has been sent (at once outside a request)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not has_request_context():
        fn()
        return

    def run() -> None:
        with app.app_context():
            try:
                fn()
            except Exception:  # the response has gone: log, never raise into the server
                app.logger.exception("after-response step %r failed", fn)

    @after_this_request
    def _attach(response: Response) -> Response:
        response.call_on_close(run)
        return response
