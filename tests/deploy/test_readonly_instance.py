"""No code path writes to the instance folder in production configuration (issue 21).

The instance folder is made read-only (chmod) and, because the suite may run as root (whom
chmod does not stop), an audit hook refuses and records every attempt to create, write,
rename or delete anything under it. The app runs as in production — CSRF on, not in testing
mode, mail by SMTP to a server on loopback — and is served over real HTTP on 127.0.0.1 while
the main flows run: sign in, upload a course image and view it, complete a course, download
the certificate, open the ALS page, answer a survey. Nothing may try to write there.
"""

import os
import stat
import sys
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from benchmarks.load import free_port, prepare
from tests import scale_flows as flows
from tests.smtp_sink import smtp_sink

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_CHANGES = {"os.mkdir", "os.rename", "os.remove", "os.rmdir", "os.truncate", "os.chmod", "os.link", "os.symlink", "os.utime"}


class InstanceGuard:
    """An audit hook (installed once per process) that refuses writes under a watched folder."""

    installed = False
    watched: Path | None = None
    attempts: list[str] = []

    @classmethod
    def watch(cls, folder: Path) -> None:
        if not cls.installed:
            sys.addaudithook(cls._hook)
            cls.installed = True
        cls.attempts = []
        cls.watched = folder.resolve()

    @classmethod
    def stop(cls) -> None:
        cls.watched = None

    @classmethod
    def _inside(cls, path: object) -> bool:
        if cls.watched is None or not isinstance(path, str | bytes | os.PathLike):
            return False
        try:
            return Path(os.fsdecode(path)).resolve().is_relative_to(cls.watched)
        except (OSError, ValueError):
            return False

    @classmethod
    def _hook(cls, event: str, args: tuple) -> None:
        if cls.watched is None:
            return
        if event == "open" and len(args) >= 3:
            path, mode, flags = args[0], args[1], args[2]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                mode is None and isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writing and cls._inside(path):
                cls.attempts.append(f"open {path} {mode or flags}")
                raise PermissionError(f"read-only instance folder: {path}")
        elif (event in _CHANGES or event.startswith("shutil.")) and args and any(cls._inside(a) for a in args[:2]):
            cls.attempts.append(f"{event} {args[:2]}")
            raise PermissionError(f"read-only instance folder: {args[0]}")


@pytest.fixture
def readonly_instance(make_app, tmp_path):  # type: ignore[no-untyped-def]
    """A production-configured app (mail to a loopback SMTP server) whose instance folder is read-only."""
    with smtp_sink() as sink:
        port = free_port()
        app = make_app(
            TESTING=False,
            WTF_CSRF_ENABLED=True,
            SERVER_NAME=None,
            DOUBLE_SUBMIT_SECONDS=2,
            PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
            **sink.config(),
        )
        instance = Path(app.instance_path)
        modes = {}
        for path in [instance, *instance.rglob("*")]:
            modes[path] = path.stat().st_mode
            path.chmod(stat.S_IMODE(modes[path]) & ~0o222)
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        InstanceGuard.watch(instance)
        try:
            yield app, f"http://127.0.0.1:{port}", sink
        finally:
            InstanceGuard.stop()
            server.shutdown()
            thread.join(timeout=30)
            for path, mode in modes.items():
                path.chmod(stat.S_IMODE(mode))


def test_the_main_flows_never_write_to_the_instance_folder(readonly_instance):
    app, base, sink = readonly_instance
    world = prepare(app, users=3, rounds=1)
    mix = world.mix
    participant = next(p for p in world.people if p.role == "participant")
    learner = next(p for p in world.people if p.role == "learner")
    member_email = mix.members[0][0]

    admin = flows.Browser(base)
    admin.sign_in(mix.admin)
    src = flows.upload_image(admin, mix.course_id, flows.png())

    person = flows.Browser(base)
    person.sign_in(learner.email)
    image = person.get(src)
    assert image.headers["Content-Type"] == "image/png"
    assert person.get(src, headers={"If-None-Match": image.headers["ETag"]}, expect=(304,)).content == b""
    flows.complete_course(person, mix.course_id, mix.cohort_id, mix.module_id)
    assert flows.download_certificate(person).startswith(b"%PDF")

    member = flows.Browser(base)
    member.sign_in(member_email)
    assert "Action learning" in member.get("/als/").text

    respondent = flows.Browser(base)
    respondent.sign_in(participant.email)
    flows.answer_survey(respondent, participant.targets[0])

    # A password reset sends an email (by SMTP, not to instance/outbox).
    stranger = flows.Browser(base)
    stranger.submit("/account/password/forgot", "/account/password/forgot", {"email": learner.email}, expect=(200,))
    deadline = time.monotonic() + 30  # the email is sent after the response
    while learner.email not in sink.recipients() and time.monotonic() < deadline:
        time.sleep(0.1)

    assert InstanceGuard.attempts == []
    assert learner.email in sink.recipients()
    assert not (Path(app.instance_path) / "outbox").exists()
