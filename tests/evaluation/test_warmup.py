"""gunicorn workers are warm before they take requests: SciPy and WeasyPrint imported in the master, report fonts per worker."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter: gunicorn's config runs its post_fork hook for a worker, then we look at what is loaded.
CHILD = """
import runpy, sys, logging
config = runpy.run_path("gunicorn.conf.py")
class Process:
    pid = 1234
    log = logging.getLogger("gunicorn")
assert "scipy.stats" not in sys.modules and "weasyprint" not in sys.modules
config["on_starting"](Process())
config["post_fork"](Process(), Process())
from learnhub.evaluation import report
print("scipy.stats" in sys.modules, report._stylesheet.cache_info().currsize)
"""


def _run(env_extra: dict[str, str]) -> str:
    import os

    env = {**os.environ, **env_extra}
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_master_imports_scipy_and_each_worker_prepares_the_report_stylesheet():
    assert _run({"LEARNHUB_WARM_WORKERS": "1"}) == "True 1"


def test_warming_can_be_switched_off():
    assert _run({"LEARNHUB_WARM_WORKERS": "0"}) == "False 0"
