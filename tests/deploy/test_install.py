"""Makefile and the system-package check: production installs once, starting installs nothing."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "scripts" / "check-system-packages"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(target: str) -> str:
    return subprocess.run(
        ["make", "-n", "--no-print-directory", "-C", str(ROOT), target], capture_output=True, text=True, check=True
    ).stdout


def test_serve_production_installs_and_builds_nothing():
    commands = dry_run("serve-production")
    for forbidden in ("uv sync", "npm ci", "npm run", "assets", "db upgrade"):
        assert forbidden not in commands
    assert "flask --app learnhub db-check" in commands
    assert 'gunicorn --config gunicorn.conf.py "learnhub:create_app()"' in commands


def test_production_install_leaves_out_the_dev_group():
    commands = dry_run("install-production")
    assert "uv sync --frozen --no-dev" in commands
    assert "check-system-packages production" in commands
    assert "uv sync --frozen\n" in dry_run("install")  # development keeps pytest, Playwright, ruff


def test_install_checks_system_packages_first():
    assert dry_run("install").splitlines()[0] == "scripts/check-system-packages development"


def test_a_missing_library_is_named_with_the_apt_get_line(tmp_path):
    fake = tmp_path / "ldconfig"
    fake.write_text(
        "#!/bin/sh\necho '\tlibpango-1.0.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpango-1.0.so.0'\n"
        "echo '\tlibpangoft2-1.0.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpangoft2-1.0.so.0'\n"
    )
    fake.chmod(0o755)
    result = subprocess.run(
        [str(CHECK), "development"], env={"PATH": "/usr/bin:/bin", "LDCONFIG": str(fake)}, capture_output=True, text=True
    )
    assert result.returncode == 1
    (line,) = [line for line in result.stderr.splitlines() if "apt-get install" in line]
    assert line.startswith("  sudo apt-get install --no-install-recommends ")
    assert "libharfbuzz-subset0" in line.split()
    assert "libpango-1.0-0" not in line.split()


def test_this_machine_passes_the_check():
    result = subprocess.run([str(CHECK), "development"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
