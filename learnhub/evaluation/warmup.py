"""Warm a web worker before it takes requests, so the first user of a results page or report does not wait.

Importing SciPy's statistics (the paired t-test) takes about 1.5 s of CPU and WeasyPrint with the
report's fonts and stylesheet a few hundred milliseconds more; without this the first results page or
PDF after start-up paid for both (2.8 s measured). gunicorn calls :func:`warm_worker` from its
``post_fork`` hook (``gunicorn.conf.py``), in each worker before it accepts connections; the test
suite and command-line tools never call it, so they start as fast as before. Set
``LEARNHUB_WARM_WORKERS=0`` to skip it (e.g. a worker that never serves evaluation pages).
"""

import os
import time


def enabled() -> bool:
    """False when ``LEARNHUB_WARM_WORKERS`` is ``0``/``false``/``no``."""
    return os.environ.get("LEARNHUB_WARM_WORKERS", "1").strip().lower() not in ("0", "false", "no")


def warm_worker() -> float:
    """Import SciPy's statistics and prepare the report's WeasyPrint fonts and CSS; returns the seconds taken."""
    from learnhub.evaluation import report, stats

    started = time.perf_counter()
    stats.warm()
    report.warm()
    return time.perf_counter() - started
