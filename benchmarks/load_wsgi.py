"""WSGI entry point for the load benchmark: LearnHub plus a bare Flask route at ``/_bare/``.

Only ``benchmarks/load.py`` and the load tests serve this module; production serves
``learnhub:create_app()``, which has no bare route. The bare route is a separate Flask app
mounted beside LearnHub, so it measures the floor (gunicorn, WSGI, Flask routing) with no
LearnHub code: no database, templates, session or CSRF.
"""

import os

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from learnhub import create_app

bare = Flask("bare")


@bare.get("/")
def bare_route() -> str:
    """Return a constant string."""
    return "ok"


learnhub_app = create_app(instance_path=os.environ.get("LEARNHUB_BENCHMARK_INSTANCE") or None)
app = DispatcherMiddleware(learnhub_app, {"/_bare": bare})
