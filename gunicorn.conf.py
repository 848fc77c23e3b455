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


if os.environ.get("LEARNHUB_LOG_FORMAT", "").strip().lower() == "json":
    # Every line JSON, like the app's: gunicorn's own messages, one line per request with the
    # request id LearnHub answered with (X-Request-ID, from nginx's $request_id), and anything
    # logged by libraries (rate-limit fallback warnings, for example) through the root logger.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "learnhub.hardening.JsonFormatter"},
            "access": {"()": "learnhub.hardening.AccessJsonFormatter"},
        },
        "handlers": {
            "error": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
        "root": {"handlers": ["error"], "level": "WARNING"},
    }
