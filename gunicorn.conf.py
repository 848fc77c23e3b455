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


def post_fork(server, worker):  # type: ignore[no-untyped-def]
    """Warm each worker before it accepts connections (SciPy, the report's fonts): see learnhub/evaluation/warmup.py."""
    from learnhub.evaluation import warmup

    if warmup.enabled():
        seconds = warmup.warm_worker()
        worker.log.info("Worker %s warmed in %.2f s (SciPy statistics, report fonts and CSS)", worker.pid, seconds)
