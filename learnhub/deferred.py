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

from flask import Response, current_app, g, has_request_context

_KEY = "learnhub_after_response"


def after_response(fn: Callable[[], Any], *, only_if_successful: bool = False) -> None:
    """Run ``fn()`` after this request's response has been sent (at once outside a request).

    With ``only_if_successful``, ``fn`` is dropped when the response is an error (4xx/5xx): the
    request's transaction was rolled back, so, for example, a link to a token that was never
    stored must not be mailed. Work registered while the request commits (``after_commit``
    callbacks) is included: :func:`attach` runs after the commit.
    """
    if not has_request_context():
        fn()
        return
    g.setdefault(_KEY, []).append((fn, only_if_successful))


def attach(response: Response) -> Response:
    """Hand this request's deferred work to ``response`` (called once the request has committed).

    ``learnhub.transactions`` calls it as the request's last step, so work added by
    ``after_commit`` callbacks (an invitation email queued when the invitation is stored) is not
    lost, as it was with Flask's ``after_this_request`` (those run before the app's own
    after-request functions, so one added during the commit never ran).
    """
    pending = g.pop(_KEY, [])
    failed = response.status_code >= 400
    steps = [fn for fn, only_if_successful in pending if not (failed and only_if_successful)]
    if failed and len(steps) < len(pending):
        current_app.logger.warning("%d after-response step(s) dropped: the request failed", len(pending) - len(steps))
    if not steps:
        return response
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        with app.app_context():
            for fn in steps:
                try:
                    fn()
                except Exception:  # the response has gone: log, never raise into the server
                    app.logger.exception("after-response step %r failed", fn)

    response.call_on_close(run)
    return response
