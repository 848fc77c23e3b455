"""Warm web workers before they take requests, so the first user of a results page or report does not wait.

Importing SciPy's statistics (the paired t-test) takes about 2.5 s of CPU, WeasyPrint about 1.8 s and
the report's fonts and stylesheet about 0.6 s more; without this the first results page or PDF after
start-up paid for them (2.8 s measured). gunicorn (``gunicorn.conf.py``) calls:

* :func:`import_modules` once in the master, before any worker is forked (``on_starting``): the
  workers inherit the imported modules, so the import is paid once, not per worker, and a worker
  that replaces a dead one is ready at once;
* :func:`prepare_worker` in each worker before it accepts connections (``post_fork``): the report's
  fonts and stylesheet, which hold a fontconfig state and temporary files that must not be shared
  between processes.

The test suite and command-line tools never call them, so they start as fast as before. Set
``LEARNHUB_WARM_WORKERS=0`` to skip both.
"""

import os
import time


def enabled() -> bool:
    """False when ``LEARNHUB_WARM_WORKERS`` is ``0``/``false``/``no``."""
    return os.environ.get("LEARNHUB_WARM_WORKERS", "1").strip().lower() not in ("0", "false", "no")


def import_modules() -> float:
    """Import SciPy's statistics and WeasyPrint (safe before fork: no fonts, files or threads of ours); returns seconds."""
    from learnhub.evaluation import stats

    started = time.perf_counter()
    stats.warm()
    import weasyprint  # noqa: F401

    return time.perf_counter() - started


def prepare_worker() -> float:
    """Load the report's fonts and stylesheet in this process; returns the seconds taken."""
    from learnhub.evaluation import report

    started = time.perf_counter()
    report.warm()
    return time.perf_counter() - started


def warm_worker() -> float:
    """Both steps in one process (a server without a forking master); returns the seconds taken."""
    return import_modules() + prepare_worker()
