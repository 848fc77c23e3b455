"""``flask worker``: the RQ worker LearnHub's systemd unit runs, logging JSON lines like the web app."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/12"
QUEUE = "learnhub-test-worker"


def _flask(tmp_path: Path, *args: str, **env_extra: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "LEARNHUB_SECRET_KEY": "worker-test-secret-key-0123456789",
        "LEARNHUB_DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}",
        "LEARNHUB_PUBLIC_BASE_URL": "https://learnhub.example.org",
        "LEARNHUB_INSTANCE_PATH": str(tmp_path),
        **env_extra,
    }
    flask = [sys.executable, "-m", "flask", "--app", "learnhub", *args]
    return subprocess.run(flask, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_worker_runs_queued_jobs_and_every_log_line_is_json(tmp_path):
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    from rq import Queue

    queue = Queue(QUEUE, connection=connection)
    queue.empty()
    job = queue.enqueue("os.getcwd")
    try:
        done = _flask(tmp_path, "worker", QUEUE, "--burst", LEARNHUB_REDIS_URL=REDIS_URL, LEARNHUB_LOG_FORMAT="json")
    finally:
        queue.empty()
    assert done.returncode == 0, done.stderr
    job.refresh()
    assert job.get_status() == "finished"
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert lines
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    messages = " ".join(entry["message"] for entry in entries)
    assert job.id in messages
    assert {"time", "level", "logger", "message"} <= set(entries[0])


def test_the_worker_without_redis_says_what_to_set(tmp_path):
    done = _flask(tmp_path, "worker", "--burst", LEARNHUB_REDIS_URL="")
    assert done.returncode != 0
    assert "LEARNHUB_REDIS_URL is not set" in done.stderr
