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
