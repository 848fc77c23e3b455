"""The main flows of LearnHub over real HTTP, as a browser does them (forms with their CSRF tokens).

Used by the read-only instance test (tests/deploy/test_readonly_instance.py) and the
two-server test (tests/integration/test_two_servers.py). Each ``Browser`` may be pointed at a
different server between requests (``browser.base = …``), keeping its cookies: one person
moving between app servers behind a load balancer.
"""

import io
import re
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import requests
from PIL import Image

from benchmarks.load import PASSWORD, _form_for, hidden_data

_DOWNLOAD = re.compile(r'href="(/certificates/\d+/download)"')


def png(colour: str = "red") -> bytes:
    """A small PNG."""
    out = io.BytesIO()
    Image.new("RGB", (20, 10), colour).save(out, "PNG")
    return out.getvalue()


class FlowError(AssertionError):
    """A step answered something other than what a person would get."""


class Browser:
    """One person's browser: a cookie jar and the base URL of the server it talks to now."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()

    def request(self, method: str, path: str, expect: tuple[int, ...] = (200,), **kwargs) -> requests.Response:  # type: ignore[no-untyped-def]
        """One request; FlowError unless the status is expected."""
        response = self.http.request(method, self.base + path, allow_redirects=False, timeout=60, **kwargs)
        if response.status_code not in expect:
            raise FlowError(f"{method} {self.base}{path} answered {response.status_code}, expected {expect}")
        return response

    def get(self, path: str, expect: tuple[int, ...] = (200,), **kwargs) -> requests.Response:  # type: ignore[no-untyped-def]
        """GET a page."""
        return self.request("GET", path, expect, **kwargs)

    def submit(
        self, page: str, action: str, values: dict, *, files: dict | None = None, expect: tuple[int, ...] = (302,)
    ) -> requests.Response:
        """Open ``page``, fill in the POST form whose action ends with ``action`` and send it."""
        form = _form_for(self.get(page).text, action, page)
        return self.request("POST", form["action"], expect, data={**hidden_data(form), **values}, files=files)

    def sign_in(self, email: str, password: str = PASSWORD, expect: tuple[int, ...] = (302,)) -> requests.Response:
        """Sign in through the form."""
        return self.submit("/account/sign-in", "/account/sign-in", {"email": email, "password": password}, expect=expect)

    def close(self) -> None:
        """Drop the connections."""
        self.http.close()


def upload_image(admin: Browser, course_id: int, data: bytes) -> str:
    """A hub administrator uploads an image; returns its path (as the Markdown links to it)."""
    page = f"/hub/courses/{course_id}/images"
    admin.submit(page, page, {}, files={"image": ("diagram.png", data, "image/png")})
    text = admin.get(page).text
    return text.split("![Describe the image](", 1)[1].split(")", 1)[0]


def complete_course(learner: Browser, course_id: int, cohort_id: int, module_id: int) -> None:
    """Self-enrol in a cohort and complete the course's only module (the completion issues a certificate)."""
    course = f"/courses/{course_id}"
    learner.submit(course, f"/cohorts/{cohort_id}/enrol", {})
    module = f"{course}/modules/{module_id}"
    learner.submit(module, f"{module}/complete", {})


def download_certificate(learner: Browser) -> bytes:
    """The learner's first certificate PDF from their certificates page."""
    links = _DOWNLOAD.findall(learner.get("/certificates").text)
    if not links:
        raise FlowError("no certificate to download on /certificates")
    response = learner.get(links[0])
    if not response.content.startswith(b"%PDF"):
        raise FlowError("the certificate download is not a PDF")
    return response.content


def answer_survey(participant: Browser, attachment_id: int) -> None:
    """Answer an open survey (the first choice of each item; words in free text)."""
    path = f"/evaluation/surveys/{attachment_id}/pre"
    form = _form_for(participant.get(path).text, path, path)
    data = {**hidden_data(form), "submit_answers": "Submit your answers"}
    for name, spec in form["fields"].items():
        if name.startswith("item_"):
            data[name] = "nothing more to add" if spec["type"] == "textarea" else spec["values"][0]
    participant.request("POST", form["action"], (302,), data=data)


ROOT = Path(__file__).resolve().parents[1]
#: The day the reminders of :func:`people_due_a_reminder` are due (renewal window opens).
REMINDER_DAY = "2028-10-12"


def people_due_a_reminder(app, hub_id: int, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    """``n`` people of the hub whose eligibility's renewal window opens on REMINDER_DAY; their emails."""
    from learnhub.accounts.models import User
    from learnhub.eligibility.models import EligibilityRecord
    from learnhub.extensions import db

    emails = []
    with app.app_context():
        tag = secrets_tag()
        for i in range(n):
            user = User(email=f"due-{tag}-{i}@example.org", name=f"Dr Due {i}", professional_role="gp", hub_id=hub_id)
            db.session.add(user)
            db.session.flush()
            db.session.add(
                EligibilityRecord(
                    user_id=user.id,
                    hub_id=hub_id,
                    eligibility_type="arrs_clinical_supervisor",
                    first_granted_on=date(2026, 1, 10),
                    certified_on=date(2026, 1, 10),
                    expires_on=date(2029, 1, 10),
                    renewal_window_days=90,
                )
            )
            emails.append(user.email)
        db.session.commit()
    return emails


def secrets_tag() -> str:
    """A short random tag for unique names."""
    import secrets

    return secrets.token_hex(3)


def flask_command(instance: Path, *args: str) -> list[str]:
    """``flask`` on the app with this instance folder (each "host" has its own)."""
    return [sys.executable, "-m", "flask", "--app", f"learnhub:create_app(instance_path='{instance}')", *args]


def run_at_once(commands: list[list[str]], environment: dict[str, str]) -> list[subprocess.CompletedProcess]:
    """Run each command in its own process (one per "host"), all started at the same moment."""
    go = threading.Barrier(len(commands))
    results: list[subprocess.CompletedProcess | None] = [None] * len(commands)

    def host(i: int) -> None:
        go.wait()
        results[i] = subprocess.run(commands[i], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)

    threads = [threading.Thread(target=host, args=(i,)) for i in range(len(commands))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [r for r in results if r is not None]
