"""gunicorn settings for production (``make serve-production`` or ``gunicorn -c gunicorn.conf.py``)."""

import multiprocessing
import os

bind = os.environ.get("LEARNHUB_BIND", "127.0.0.1:8000")
# The usual 2 × cores + 1, overridable for small machines.
workers = int(os.environ.get("LEARNHUB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = 60
graceful_timeout = 30
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("LEARNHUB_FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):  # type: ignore[no-untyped-def]
    """Import SciPy's statistics and WeasyPrint once in the master; forked workers inherit them (warmup.py)."""
    from learnhub.evaluation import warmup

    if warmup.enabled():
        server.log.info("Imported SciPy statistics and WeasyPrint in %.2f s", warmup.import_modules())


def post_fork(server, worker):  # type: ignore[no-untyped-def]
    """Load the report's fonts and CSS in each worker before it accepts connections (warmup.py)."""
    from learnhub.evaluation import warmup

    if warmup.enabled():
        worker.log.info("Worker %s prepared the report's fonts and CSS in %.2f s", worker.pid, warmup.prepare_worker())
