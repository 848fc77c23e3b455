"""Load on gunicorn with simulated users, then count rows.

    .venv/bin/python -m benchmarks.load                       # SQLite, then PostgreSQL if a URL is given
    .venv/bin/python -m benchmarks.load --postgres-url postgresql+psycopg://postgres@127.0.0.1/learnhub_load
    LEARNHUB_LOAD_POSTGRES_URL=... .venv/bin/python -m benchmarks.load --rounds 10 --users 16

For each database it runs the migrations, creates its own data through the models (a hub,
participants invited to open surveys, learners enrolled on a course with a knowledge check,
facilitators with past ALS sessions to record; names carry a run id, so an existing database
is not disturbed), starts gunicorn on a free 127.0.0.1 port with the production
``gunicorn.conf.py`` serving ``benchmarks.load_wsgi`` (LearnHub plus a bare Flask route), and
runs simulated users in threads: each signs in through the real form, reads the CSRF token
from each page and submits surveys, knowledge checks or session records; one form in three
(``--double-every``) is sent twice at once, like a double click. Then the double-click mix
sends each route of issue 13 from two tabs at once (enrol, complete a course, the last place
of a cohort, register, create a hub, invite, an invitation link, ALS bid and apologies, first
visits to the ALS page, add a facilitator, set and theme, a cohort's certificates) and
counts their rows (``double_click_mix``, ``verify_mix``). It prints requests/s
and p50/p95 latency per page next to the bare route, then checks the database: every
acknowledged submission (a 302 after the POST) is stored exactly once and nothing is half
written. Any error, loss or duplicate is printed and the exit code is 1.

The pieces (``prepare``, ``Server``, ``run_load``, ``verify``) are used by ``tests/load``.
"""

import argparse
import html.parser
import os
import re
import secrets
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load-test-password-7"
#: Text of the 503 page (learnhub.errors.MESSAGES[503]).
UNAVAILABLE = "Sorry, the service is unavailable"


def letters(n: int) -> str:
    """Random lowercase letters."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(n))


# --- data -------------------------------------------------------------------------------------------


@dataclass
class Person:
    """A simulated user: sign-in email, user id, and the objects they submit to."""

    email: str
    user_id: int
    role: str
    #: survey attachment ids (participants), or ALS session ids (facilitators)
    targets: list[int] = field(default_factory=list)


@dataclass
class World:
    """What ``prepare`` made."""

    run: str
    people: list[Person]
    course_id: int
    check_id: int
    questions: int
    survey_items: int
    session_members: dict[int, list[int]]
    mix: "Mix | None" = None


@dataclass
class Mix:
    """What the double-click mix works on: issue 13's routes, each sent from two tabs at once."""

    admin: str  # a hub administrator's email
    site_admin: str
    programme_id: int
    #: a course of one reading module with an open cohort (self-enrol, then complete it)
    course_id: int
    module_id: int
    cohort_id: int
    #: a course whose only cohort has one place, which every learner asks for at the same moment
    full_course_id: int
    full_cohort_id: int
    #: a cohort whose learners completed without a certificate (a bulk job issues them)
    records_cohort_id: int
    #: ALS members: (email, user id, id of a coming session of their set)
    members: list[tuple[str, int, int]]
    newcomer: str  # a facilitator the administrator adds to the programme
    invitation: str  # path of an unused invitation link
    invitee_id: int


def prepare(app, *, users: int = 16, rounds: int = 4) -> World:  # type: ignore[no-untyped-def]
    """Create a hub and the people and objects the simulated users need (committed).

    ``users`` are split between participants, learners and facilitators (about a third each);
    each participant gets ``rounds`` open surveys, each facilitator ``rounds`` past sessions.
    """
    from werkzeug.security import generate_password_hash

    from learnhub.accounts.models import User
    from learnhub.als.models import AlsFacilitation, AlsFacilitator, AlsGroup, AlsMember, AlsProgramme, AlsSession
    from learnhub.courses.models import Cohort, Course, Enrolment, Module, ModuleKind, Option, Question
    from learnhub.evaluation import services as evaluation
    from learnhub.evaluation.models import AGREEMENT, FREE_TEXT, RATING, Invitee
    from learnhub.extensions import db
    from learnhub.organisations.models import Hub, Pcn, Practice
    from learnhub.timeutil import utcnow

    run = letters(6)
    password_hash = generate_password_hash(PASSWORD)
    roles = ["participant", "learner", "facilitator"]
    with app.app_context():
        hub = Hub(name=f"Load hub {run}", signatory="Dr Load, Clinical Lead")
        pcn = Pcn(hub=hub, name=f"Load PCN {run}")
        practice = Practice(pcn=pcn, name=f"Load practice {run}")
        db.session.add(hub)
        db.session.flush()

        def person(kind: str, n: int) -> User:
            user = User(
                email=f"load-{run}-{kind}{n}@example.org",
                name=f"Load {kind.title()} {n}",
                password_hash=password_hash,
                professional_role="gp",
                hub_id=hub.id,
                pcn_id=pcn.id,
                practice_id=practice.id,
                hub_role="facilitator" if kind == "facilitator" else "learner",
            )
            db.session.add(user)
            return user

        made = [(roles[i % 3], person(roles[i % 3], i)) for i in range(users)]
        db.session.flush()
        people = [Person(u.email, u.id, kind) for kind, u in made]

        # Surveys: `rounds` attachments of one instrument, each open now, inviting every participant.
        instrument = evaluation.create_instrument(
            hub.id,
            f"Load survey {run}",
            "Load test",
            [
                {
                    "title": "Your view",
                    "items": [
                        {"kind": AGREEMENT, "text": "I feel confident supervising.", "asked_at": "pre"},
                        {"kind": RATING, "text": "How satisfied are you?", "asked_at": "pre"},
                        {"kind": FREE_TEXT, "text": "Anything else?", "asked_at": "pre"},
                    ],
                }
            ],
        )
        now = utcnow()
        participants = [p for p in people if p.role == "participant"]
        for r in range(rounds):
            attachment = evaluation.attach(
                instrument, "hub", hub.id, f"Load wave {r + 1}", {"pre": (now - timedelta(days=1), now + timedelta(days=30))}
            )
            for p in participants:
                db.session.add(Invitee(attachment_id=attachment.id, user_id=p.user_id))
                p.targets.append(attachment.id)

        # A course with a knowledge check nobody can pass (pass mark 100, answered wrongly), unlimited attempts.
        course = Course(hub_id=hub.id, title=f"Load course {run}", summary="Load", audience=["gp"], published=True)
        check = Module(course=course, position=1, title="Check", kind=ModuleKind.CHECK, pass_mark=100)
        for n in range(3):
            question = Question(module=check, position=n + 1, text=f"Question {n + 1}", kind="single", explanation="")
            question.options = [Option(position=1, text="Right", correct=True), Option(position=2, text="Wrong", correct=False)]
        cohort = Cohort(course=course, name="Load cohort", starts_on=date.today())
        db.session.add(course)
        db.session.flush()
        for p in people:
            if p.role == "learner":
                db.session.add(Enrolment(course_id=course.id, cohort_id=cohort.id, user_id=p.user_id))

        # ALS: one group per facilitator, four members each, `rounds` sessions in the past.
        today = date.today()
        programme = AlsProgramme(
            hub_id=hub.id,
            name=f"Load ALS {run}",
            start_date=today - timedelta(weeks=4 * rounds + 1),
            end_date=today + timedelta(weeks=8),
            session_time=clock(10, 0),
        )
        db.session.add(programme)
        session_members: dict[int, list[int]] = {}
        mix_members: list[tuple[str, int, int]] = []
        for f in [p for p in people if p.role == "facilitator"]:
            group = AlsGroup(programme=programme, name=f"Set {f.user_id}")
            db.session.add(group)
            db.session.add(AlsFacilitator(programme=programme, user_id=f.user_id))
            members = [person(f"member{f.user_id}-", m) for m in range(4)]
            db.session.flush()
            for m in members:
                db.session.add(AlsMember(programme=programme, user_id=m.id, group=group))
            for s in range(rounds):
                session = AlsSession(group=group, sequence=s + 1, starts_at=now - timedelta(days=7 * (rounds - s)), minutes=90)
                db.session.add(session)
                db.session.flush()
                db.session.add(AlsFacilitation(session_id=session.id, user_id=f.user_id, role="lead"))
                f.targets.append(session.id)
                session_members[session.id] = [m.id for m in members]
            # A coming session for the double-click mix's bids and apologies.
            coming = AlsSession(group=group, sequence=rounds + 1, starts_at=now + timedelta(days=7), minutes=90)
            db.session.add(coming)
            db.session.flush()
            db.session.add(AlsFacilitation(session_id=coming.id, user_id=f.user_id, role="lead"))
            mix_members += [(m.email, m.id, coming.id) for m in members[:2]]
        learner_ids = [p.user_id for p in people if p.role == "learner"]
        mix = _prepare_mix(app, run, hub, programme, person, mix_members, learner_ids)
        db.session.commit()
        return World(run, people, course.id, check.id, 3, 3, session_members, mix)


def _prepare_mix(
    app, run: str, hub, programme, person: Callable, members: list[tuple[str, int, int]], learner_ids: list[int]
) -> Mix:  # type: ignore[no-untyped-def]
    """The objects of the double-click mix (in the caller's transaction)."""
    from learnhub.accounts.models import PasswordToken
    from learnhub.accounts.services import issue_token
    from learnhub.courses.models import Cohort, Course, CourseCompletion, Enrolment, Module, ModuleKind
    from learnhub.extensions import db
    from learnhub.timeutil import utcnow

    admin = person("admin", 0)
    admin.hub_role = "hub_admin"
    site_admin = person("site", 0)
    site_admin.is_site_admin = True
    newcomer = person("newfac", 0)
    newcomer.hub_role = "facilitator"
    invitee = person("invitee", 0)
    invitee.password_hash = None  # invited, not yet signed up
    course = Course(hub_id=hub.id, title=f"Load induction {run}", summary="Load", audience=["gp"], published=True)
    module = Module(course=course, position=1, title="Read this", kind=ModuleKind.CONTENT, body_html="<p>Welcome</p>")
    cohort = Cohort(course=course, name="Open cohort", starts_on=date.today())
    full = Course(hub_id=hub.id, title=f"Load masterclass {run}", summary="Load", audience=["gp"], published=True)
    Module(course=full, position=1, title="Read this", kind=ModuleKind.CONTENT, body_html="<p>Welcome</p>")
    full_cohort = Cohort(course=full, name="One place", starts_on=date.today(), capacity=1)
    # Completions recorded without certificates (as before certificates existed): a bulk job's work.
    records = Course(hub_id=hub.id, title=f"Load records {run}", summary="Load", audience=["gp"], published=True)
    records_cohort = Cohort(course=records, name="Completed", starts_on=date.today() - timedelta(days=30))
    db.session.add_all([course, full, records])
    for user_id in learner_ids:
        enrolment = Enrolment(course=records, cohort=records_cohort, user_id=user_id)
        db.session.add_all(
            [enrolment, CourseCompletion(enrolment=enrolment, course=records, user_id=user_id, completed_at=utcnow())]
        )
    db.session.flush()
    raw = issue_token(invitee, PasswordToken.INVITE)
    return Mix(
        admin=admin.email,
        site_admin=site_admin.email,
        programme_id=programme.id,
        course_id=course.id,
        module_id=module.id,
        cohort_id=cohort.id,
        full_course_id=full.id,
        full_cohort_id=full_cohort.id,
        records_cohort_id=records_cohort.id,
        members=members,
        newcomer=newcomer.email,
        invitation=f"/account/invitation/{raw}",
        invitee_id=invitee.id,
    )


# --- the server ----------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with the production config serving ``benchmarks.load_wsgi`` on 127.0.0.1."""

    def __init__(self, database_url: str, workdir: Path, *, workers: int | None = None, env: dict | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.log = workdir / "gunicorn.log"
        environment = {
            **os.environ,
            "LEARNHUB_SECRET_KEY": "load-" + secrets.token_hex(16),
            "LEARNHUB_DATABASE_URL": database_url,
            "LEARNHUB_BIND": f"127.0.0.1:{self.port}",
            "LEARNHUB_PUBLIC_BASE_URL": self.url,
            "LEARNHUB_BENCHMARK_INSTANCE": str(workdir / "instance"),
            "LEARNHUB_MAIL_OUTBOX_DIR": str(workdir / "outbox"),
            # No SciPy/WeasyPrint warm-up (gunicorn.conf.py): the simulated users never open results
            # or reports, and on a busy machine it would take most of start()'s deadline.
            "LEARNHUB_WARM_WORKERS": os.environ.get("LEARNHUB_WARM_WORKERS", "0"),
        }
        if workers:
            environment["LEARNHUB_WORKERS"] = str(workers)
        environment.update(env or {})
        self._env = environment
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "Server":
        """Start gunicorn and wait until ``/healthz`` answers 200."""
        self._out = open(self.log, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "--access-logfile",
                str(self.workdir / "access.log"),
                "--error-logfile",
                "-",
                "benchmarks.load_wsgi:app",
            ],
            cwd=ROOT,
            env=self._env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.log.read_text()[-3000:]}")

    def worker_pids(self) -> list[int]:
        """Process ids of the gunicorn workers (children of the master)."""
        assert self.process is not None
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def stop(self) -> None:
        """Stop gunicorn gracefully (SIGTERM), then for good."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_out", None):
            self._out.close()

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- simulated users -------------------------------------------------------------------------------------


class _Forms(html.parser.HTMLParser):
    """The forms on a page: action, method and fields (name → list of values/choices)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "fields": {}})
        elif not self.forms:
            return
        elif tag in ("input", "button", "select") and a.get("name"):
            entry = self.forms[-1]["fields"].setdefault(a["name"], {"type": a.get("type") or tag, "values": []})
            if tag != "select":
                entry["values"].append(a.get("value") or "")
            else:
                self._select = entry
        elif tag == "option" and getattr(self, "_select", None) is not None:
            self._select["values"].append(a.get("value") or "")
        elif tag == "textarea" and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = {"type": "textarea", "values": [""]}

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms_on(page: str) -> list[dict]:
    """Parse the forms of an HTML page."""
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def hidden_data(form: dict) -> dict[str, str]:
    """What a browser sends from a form's hidden inputs (the CSRF token, the rendering marker)."""
    return {name: spec["values"][0] for name, spec in form["fields"].items() if spec["type"] == "hidden"}


def post_form(page: str, action_contains: str, page_path: str) -> dict:
    """The first POST form whose action (the page itself when empty) contains the text."""
    for form in forms_on(page):
        form["action"] = form["action"] or page_path
        if form["method"] == "post" and action_contains in form["action"]:
            return form
    raise LookupError(f"no POST form with action containing {action_contains!r}")


class Stats:
    """Latency and outcome per page, shared by the threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.problems: list[str] = []

    def record(self, page: str, seconds: float, outcome: str) -> None:
        """Count one request."""
        with self.lock:
            self.latency[page].append(seconds)
            self.status[page][outcome] += 1

    def problem(self, text: str) -> None:
        """Note something that went wrong."""
        with self.lock:
            self.problems.append(text)

    def count(self, outcome: str) -> int:
        """Requests with this outcome, on every page."""
        return sum(s.get(outcome, 0) for s in self.status.values())


@dataclass
class Acks:
    """Submissions the server acknowledged (302 after the POST), per kind."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    #: (attachment id, user id) → token of the last acknowledged submission
    surveys: dict[tuple[int, int], str] = field(default_factory=dict)
    #: user id → ids of acknowledged knowledge-check attempts
    checks: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    #: session id → token of the last acknowledged record
    sessions: dict[int, str] = field(default_factory=dict)
    attempted: int = 0


class Unavailable(Exception):
    """The server answered 503 or the connection failed: try again."""


class SimUser:
    """One person with their own cookie jar, talking to the server over HTTP."""

    def __init__(
        self, base: str, person: Person, stats: Stats, *, tolerate_faults: bool, timeout: float = 30, double_every: int = 0
    ) -> None:
        self.base = base
        self.double_every = double_every
        self.submissions = 0
        self.person = person
        self.stats = stats
        self.tolerate = tolerate_faults
        self.timeout = timeout
        self.http = requests.Session()

    def request(  # type: ignore[no-untyped-def]
        self,
        page: str,
        method: str,
        path: str,
        data: dict | None = None,
        expect: tuple[int, ...] = (200,),
        http: requests.Session | None = None,
    ):
        """One request, timed; raises Unavailable on 503 or a broken connection when faults are expected."""
        started = time.perf_counter()
        try:
            response = (http or self.http).request(
                method, self.base + path, data=data, allow_redirects=False, timeout=self.timeout
            )
        except requests.RequestException as error:
            self.stats.record(page, time.perf_counter() - started, "connection error")
            if self.tolerate and not isinstance(error, requests.Timeout):
                raise Unavailable(str(error)) from error
            self.stats.problem(f"{page}: {type(error).__name__}: {error}")
            raise
        elapsed = time.perf_counter() - started
        self.stats.record(page, elapsed, str(response.status_code))
        if response.status_code == 503 and UNAVAILABLE in response.text and self.tolerate:
            raise Unavailable("503")
        if response.status_code not in expect:
            said = re.findall(r'<a href="#[^"]*">([^<]+)</a>', response.text.split("nhsuk-error-summary", 1)[-1])[:3]
            self.stats.problem(f"{page}: {method} {path} answered {response.status_code} (expected {expect}) {said}")
            raise RuntimeError(f"{page}: {response.status_code}")
        return response

    def submit(self, page: str, path: str, data: dict):  # type: ignore[no-untyped-def]
        """POST a form expecting a redirect; every ``double_every``-th time, twice at once (a double click).

        Both copies must be answered with the redirect; the first one's response is returned.
        """
        self.submissions += 1
        if not self.double_every or self.submissions % self.double_every:
            return self.request(page, "POST", path, data, expect=(302,))
        twin = requests.Session()
        twin.cookies.update(self.http.cookies)
        outcomes: list[object] = [None, None]

        def send(i: int, http: requests.Session) -> None:
            try:
                outcomes[i] = self.request(page + " (double click)", "POST", path, data, expect=(302,), http=http)
            except Exception as error:  # noqa: BLE001  (re-raised below)
                outcomes[i] = error

        threads = [threading.Thread(target=send, args=(i, h)) for i, h in enumerate((self.http, twin))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        twin.close()
        for outcome in outcomes:
            if isinstance(outcome, Exception):
                raise outcome
        return outcomes[0]

    def retrying(self, action: Callable[[], None], attempts: int = 20) -> None:
        """Run an action again after a fault, like a person pressing the button again."""
        for attempt in range(attempts):
            try:
                action()
                return
            except Unavailable:
                if attempt == attempts - 1:
                    self.stats.problem(f"{self.person.email}: still unavailable after {attempts} tries")
                    raise
                time.sleep(0.25)

    def sign_in(self) -> None:
        """Sign in through the form."""

        def attempt() -> None:
            page = self.request("sign-in page", "GET", "/account/sign-in").text
            form = post_form(page, "sign-in", "/account/sign-in")
            data = {**hidden_data(form), "email": self.person.email, "password": PASSWORD}
            self.request("sign in (POST)", "POST", "/account/sign-in", data, expect=(302,))

        self.retrying(attempt)

    def bare(self) -> None:
        """The bare Flask route, for comparison."""
        self.retrying(lambda: self.request("bare Flask route", "GET", "/_bare/"))


def participant(user: SimUser, world: World, acks: Acks, rounds: int) -> None:
    """Answer each open survey, then look at the list of surveys."""
    for attachment_id in user.person.targets[:rounds]:
        user.retrying(lambda a=attachment_id: _answer_survey(user, world, acks, a))
        user.retrying(lambda: user.request("my surveys", "GET", "/evaluation/surveys"))
        user.bare()


_DIGITS_AS_LETTERS = str.maketrans("0123456789", "abcdefghij")


def _answer_survey(user: SimUser, world: World, acks: Acks, attachment_id: int) -> None:
    path = f"/evaluation/surveys/{attachment_id}/pre"
    # Letters only: runs of digits in free text can look like an NHS or phone number to the
    # identifier guard, which would (rightly) refuse the answer.
    token = f"survey {world.run} {user.person.user_id}-{attachment_id} {secrets.token_hex(4)}".translate(_DIGITS_AS_LETTERS)
    page = user.request("survey page", "GET", path).text
    form = post_form(page, path, path)
    data = {**hidden_data(form), "submit_answers": "Submit your answers"}
    for name, spec in form["fields"].items():
        if name.startswith("item_"):
            data[name] = token if spec["type"] == "textarea" else spec["values"][0]
    with acks.lock:
        acks.attempted += 1
    user.submit("survey submit (POST)", path, data)
    with acks.lock:
        acks.surveys[(attachment_id, user.person.user_id)] = token


_ATTEMPT = re.compile(r"/check/attempts/(\d+)$")


def learner(user: SimUser, world: World, acks: Acks, rounds: int) -> None:
    """Start and submit a knowledge check attempt, then read the result."""
    for _ in range(rounds):
        result: list[str] = []
        user.retrying(lambda r=result: r.append(_take_check(user, world, acks)))
        user.retrying(lambda r=result: user.request("knowledge check result", "GET", r[-1]))
        user.bare()


def _take_check(user: SimUser, world: World, acks: Acks) -> str:
    """Start (or continue) an attempt and submit it; returns the result page's path."""
    check = f"/courses/{world.course_id}/modules/{world.check_id}/check"
    page = user.request("knowledge check page", "GET", check).text
    if 'id="questions"' not in page:  # no open attempt: start one
        form = post_form(page, "/check/start", check)
        data = hidden_data(form)
        user.submit("knowledge check start (POST)", check + "/start", data)
        page = user.request("knowledge check page", "GET", check).text
    form = post_form(page, "/check/attempts/", check)
    data = hidden_data(form)
    for name, spec in form["fields"].items():
        if re.fullmatch(r"q\d+", name):
            data[name] = spec["values"][-1]  # "Wrong": the learner keeps trying
    with acks.lock:
        acks.attempted += 1
    response = user.submit("knowledge check submit (POST)", form["action"], data)
    location = response.headers["Location"].replace(user.base, "")
    match = _ATTEMPT.search(location)
    if not match:
        raise RuntimeError(f"unexpected redirect {location}")
    with acks.lock:
        acked = acks.checks[user.person.user_id]
        if not acked or acked[-1] != int(match.group(1)):
            acked.append(int(match.group(1)))
    return location


def facilitator(user: SimUser, world: World, acks: Acks, rounds: int) -> None:
    """Record each past session: attendance, a presenter, notes and one action."""
    for session_id in user.person.targets[:rounds]:
        user.retrying(lambda s=session_id: _record_session(user, world, acks, s))
        user.retrying(lambda s=session_id: user.request("ALS session page", "GET", f"/als/sessions/{s}"))
        user.bare()


def _record_session(user: SimUser, world: World, acks: Acks, session_id: int) -> None:
    path = f"/als/sessions/{session_id}/record"
    # Letters only: digits could look like a patient identifier (postcode, NHS number), which the form refuses.
    token = f"Load note {world.run} {letters(12)}"
    page = user.request("ALS record page", "GET", path).text
    form = post_form(page, path, path)
    fields = form["fields"]
    data = {**hidden_data(form), "notes": token}
    for name, spec in fields.items():
        if name.startswith("attendance_"):
            data[name] = spec["values"][0]  # present
    presenter = fields["presenters"]["values"][0]
    data["presenters"] = presenter
    data["action_0_owner"] = presenter
    data["action_0_text"] = "Action " + token
    with acks.lock:
        acks.attempted += 1
    user.submit("ALS record (POST)", path, data)
    with acks.lock:
        acks.sessions[session_id] = token


FLOWS = {"participant": participant, "learner": learner, "facilitator": facilitator}


def run_load(
    base: str,
    world: World,
    *,
    rounds: int,
    tolerate_faults: bool = False,
    double_every: int = 0,
    stats: Stats | None = None,
    acks: Acks | None = None,
) -> tuple[Stats, Acks, float]:
    """Every person in a thread of their own: sign in, then ``rounds`` submissions. Returns stats, acks, seconds.

    ``double_every=n`` sends every n-th form of each user twice at once, as a double click
    does: it must still be stored once. With ``tolerate_faults`` a 503 page or a broken connection makes the simulated user try
    again (as a person would) instead of counting as a problem. Pass ``stats``/``acks`` to
    watch progress from another thread.
    """
    stats = stats if stats is not None else Stats()
    acks = acks if acks is not None else Acks()
    barrier = threading.Barrier(len(world.people))

    def work(person: Person) -> None:
        user = SimUser(base, person, stats, tolerate_faults=tolerate_faults, double_every=double_every)
        try:
            try:
                user.sign_in()
            finally:
                barrier.wait()
            FLOWS[person.role](user, world, acks, rounds)
        finally:
            user.http.close()

    def guarded(person: Person) -> None:
        try:
            work(person)
        except Exception as error:  # noqa: BLE001  (reported, and makes the run fail)
            stats.problem(f"{person.email}: stopped: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=guarded, args=(p,), daemon=True) for p in world.people]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
        if t.is_alive():
            stats.problem("a simulated user did not finish within 10 minutes (hang)")
    return stats, acks, time.perf_counter() - started


# --- the double-click mix --------------------------------------------------------------------------------

#: Answers a second copy may get instead of the first one's redirect: the form's own message
#: (200/400: "already exists", "already has a certificate") or, for a used link, 410.
SECOND_COPY = (200, 302, 400, 410)


def _tabs(user: SimUser, n: int) -> list[requests.Session]:
    tabs = []
    for _ in range(n):
        tab = requests.Session()
        tab.cookies.update(user.http.cookies)
        tabs.append(tab)
    return tabs


def _at_once(send: Callable[[int], object], n: int) -> list[object]:
    start = threading.Barrier(n)
    outcomes: list[object] = [None] * n

    def run(i: int) -> None:
        start.wait()
        try:
            outcomes[i] = send(i)
        except Exception as error:  # noqa: BLE001  (reported by the caller)
            outcomes[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return outcomes


def _form_for(page: str, action: str, page_path: str) -> dict:
    """The POST form whose action ends with ``action`` (``/groups``, not ``/groups/auto``)."""
    for form in forms_on(page):
        form["action"] = form["action"] or page_path
        if form["method"] == "post" and form["action"].split("?")[0].endswith(action):
            return form
    raise LookupError(f"no POST form with an action ending in {action!r} on {page_path}")


def two_tabs(
    user: SimUser, label: str, page_path: str, action: str, values: dict, *, n: int = 2, redirect: bool = True
) -> list[int]:
    """The same form opened in ``n`` tabs, filled in alike and sent at the same moment.

    Each tab has its own rendering of the form, so the double-submit guard does not join them:
    the services' own idempotent inserts, row locks and atomic updates are what is exercised.
    One copy must be answered with a redirect (unless ``redirect=False``), the others with a
    redirect or the form's own message; never a 5xx. Returns the status codes.
    """
    tabs = _tabs(user, n)
    datas = []
    for tab in tabs:
        page = user.request(f"{label} form", "GET", page_path, http=tab).text
        form = _form_for(page, action, page_path)
        datas.append((form["action"], {**hidden_data(form), **values}))
    outcomes = _at_once(
        lambda i: user.request(f"{label} (two tabs, POST)", "POST", datas[i][0], datas[i][1], expect=SECOND_COPY, http=tabs[i]),
        n,
    )
    for tab in tabs:
        tab.close()
    codes = [o.status_code if isinstance(o, requests.Response) else 0 for o in outcomes]
    if redirect and 302 not in codes:
        user.stats.problem(f"{label}: no copy was answered with a redirect: {codes}")
    return codes


def signed_in_as(base: str, email: str, stats: Stats) -> SimUser:
    """A simulated user signed in through the form."""
    user = SimUser(base, Person(email, 0, "mix"), stats, tolerate_faults=False)
    user.sign_in()
    return user


def double_click_mix(base: str, world: World, stats: Stats) -> None:
    """Issue 13's routes, each sent from two tabs at once (several people at once where it matters).

    Enrol and complete a course, take the last place of a cohort, register, create a hub,
    invite, use an invitation link, bid and send apologies for an ALS session, first visits to
    the ALS page (a GET that creates the calendar token), add a facilitator, a set and a theme,
    and issue a cohort's certificates (one bulk job). :func:`verify_mix` then counts the rows.
    """
    mix = world.mix
    assert mix is not None
    learners = [signed_in_as(base, p.email, stats) for p in world.people if p.role == "learner"]
    course = f"/courses/{mix.course_id}"

    def each(people: list, action: Callable) -> None:
        for outcome in _at_once(lambda i: action(people[i]), len(people)):
            if isinstance(outcome, Exception):
                stats.problem(f"double-click mix: {type(outcome).__name__}: {outcome}")

    # Learners: self-enrol, then complete the only module (the course's completion); all at once.
    each(learners, lambda u: two_tabs(u, "self-enrol", course, f"/cohorts/{mix.cohort_id}/enrol", {}))
    module = f"{course}/modules/{mix.module_id}"
    each(learners, lambda u: two_tabs(u, "complete the last module", module, f"{module}/complete", {}))
    # Every learner asks for the one place at the same moment (each once).
    full = f"/courses/{mix.full_course_id}"
    each(learners, lambda u: two_tabs(u, "enrol in a full cohort", full, f"/cohorts/{mix.full_cohort_id}/enrol", {}, n=1))

    # ALS members: first visits to /als/ at once (16 by the first member, 2 by each other one:
    # the page creates the calendar token), then a bid or apologies from two tabs each.
    members = [signed_in_as(base, email, stats) for email, _, _ in mix.members]
    visits = [members[0]] * 16 + [m for m in members[1:] for _ in range(2)]
    for outcome in _at_once(lambda i: visits[i].request("ALS home (first visits at once)", "GET", "/als/"), len(visits)):
        if isinstance(outcome, Exception):
            stats.problem(f"ALS home: {outcome}")
    bidders, apologists = members[0::2], members[1::2]
    sessions = {email: session_id for email, _, session_id in mix.members}
    each(
        bidders,
        lambda u: two_tabs(
            u,
            "ALS bid",
            f"/als/sessions/{sessions[u.person.email]}",
            f"/sessions/{sessions[u.person.email]}/bid",
            {"wanted": "yes"},
        ),
    )
    each(
        apologists,
        lambda u: two_tabs(
            u,
            "ALS apologies",
            f"/als/sessions/{sessions[u.person.email]}",
            f"/sessions/{sessions[u.person.email]}/apologies",
            {"wanted": "yes"},
        ),
    )

    # The hub administrator: facilitator, set, theme, invitation; the cohort's certificates.
    admin = signed_in_as(base, mix.admin, stats)
    programme = f"/als/programmes/{mix.programme_id}"
    two_tabs(
        admin, "add facilitator", f"{programme}/facilitators", f"{programme}/facilitators", {"facilitator-email": mix.newcomer}
    )
    two_tabs(admin, "add set", programme, f"{programme}/groups", {"group-group_name": f"Mix set {world.run}"})
    two_tabs(admin, "add theme", "/als/themes", "/als/themes", {"theme_name": f"Mix theme {world.run}"})
    invite = {"name": "Mix Invitee", "email": f"load-{world.run}-mixinvite@example.org", "professional_role": "gp"}
    two_tabs(admin, "invite", "/hub/users/invite", "/hub/users/invite", {**invite, "hub_role": "learner"})
    cohort = f"/hub/certificates/cohorts/{mix.records_cohort_id}"
    two_tabs(admin, "issue a cohort's certificates", cohort, cohort, {"kind": "issue"})

    # The site administrator creates a hub; a visitor registers; an invitation link is used.
    site = signed_in_as(base, mix.site_admin, stats)
    two_tabs(site, "create hub", "/admin/hubs", "/admin/hubs", {"name": f"Mix hub {world.run}", "signatory": "Dr Mix"})
    visitor = SimUser(base, Person("", 0, "visitor"), stats, tolerate_faults=False)
    hub_choice = {"hub_id": ""}
    page = visitor.request("register form", "GET", "/account/register").text
    hub_choice["hub_id"] = next(
        v for v in post_form(page, "/account/register", "/account/register")["fields"]["hub_id"]["values"] if v
    )
    register = {
        "name": "Mix Registrant",
        "email": f"load-{world.run}-mixregister@example.org",
        "password": "a-perfectly-long-password-mix",
        "professional_role": "gp",
        **hub_choice,
    }
    # Registering answers "Check your email" (200) either way: it never says whether the address had an account.
    two_tabs(visitor, "register", "/account/register", "/account/register", register, redirect=False)
    password = {"password": "a-long-new-password-mix", "confirm": "a-long-new-password-mix"}
    two_tabs(visitor, "invitation link", mix.invitation, mix.invitation, password)
    for u in [*learners, *members, admin, site, visitor]:
        u.http.close()


def verify_mix(app, world: World) -> list[str]:  # type: ignore[no-untyped-def]
    """Each of the mix's requests made its row once; the one-place cohort gave one place."""
    from sqlalchemy import func, select

    from learnhub.accounts.models import User
    from learnhub.als.models import AlsAttendance, AlsBid, AlsCalendarFeed, AlsFacilitator, AlsGroup, AlsTheme
    from learnhub.audit import Action, AuditEvent
    from learnhub.certificates.models import BulkJob
    from learnhub.courses.models import CourseCompletion, Enrolment
    from learnhub.extensions import db
    from learnhub.organisations.models import Hub

    mix = world.mix
    assert mix is not None
    problems: list[str] = []

    def count(model, *where) -> int:  # type: ignore[no-untyped-def]
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    def expect(what: str, found: int, wanted: int) -> None:
        if found != wanted:
            problems.append(f"double-click mix: {what}: {found} rows, expected {wanted}")

    with app.app_context():
        for p in world.people:
            if p.role != "learner":
                continue
            expect(
                f"enrolment of {p.email}",
                count(Enrolment, Enrolment.user_id == p.user_id, Enrolment.cohort_id == mix.cohort_id),
                1,
            )
            expect(
                f"completion of {p.email}",
                count(CourseCompletion, CourseCompletion.user_id == p.user_id, CourseCompletion.course_id == mix.course_id),
                1,
            )
        learners = sum(p.role == "learner" for p in world.people)
        full = Enrolment.cohort_id == mix.full_cohort_id
        expect("places taken in the one-place cohort", count(Enrolment, full, Enrolment.status == Enrolment.ENROLLED), 1)
        expect("requests for the one-place cohort", count(Enrolment, full), learners)
        for n, (email, user_id, session_id) in enumerate(mix.members):
            expect(f"calendar tokens of {email}", count(AlsCalendarFeed, AlsCalendarFeed.user_id == user_id), 1)
            model = AlsBid if n % 2 == 0 else AlsAttendance
            expect(f"{model.__name__} of {email}", count(model, model.user_id == user_id, model.session_id == session_id), 1)
        newcomer = db.session.scalar(select(User.id).where(User.email == mix.newcomer))
        programme = AlsFacilitator.programme_id == mix.programme_id
        expect("new facilitator", count(AlsFacilitator, programme, AlsFacilitator.user_id == newcomer), 1)
        expect("new set", count(AlsGroup, AlsGroup.name == f"Mix set {world.run}"), 1)
        expect("new theme", count(AlsTheme, AlsTheme.name == f"Mix theme {world.run}"), 1)
        expect("invited account", count(User, User.email == f"load-{world.run}-mixinvite@example.org"), 1)
        expect("registered account", count(User, User.email == f"load-{world.run}-mixregister@example.org"), 1)
        expect("new hub", count(Hub, Hub.name == f"Mix hub {world.run}"), 1)
        expect("bulk jobs for the cohort", count(BulkJob, BulkJob.cohort_id == mix.records_cohort_id), 1)
        password_set = count(AuditEvent, AuditEvent.action == Action.ACCOUNT_PASSWORD_SET, AuditEvent.actor_id == mix.invitee_id)
        expect("passwords set through the invitation link", password_set, 1)
    return problems


# --- counting rows ------------------------------------------------------------------------------------


def verify(app, world: World, acks: Acks, *, strict: bool = True) -> list[str]:  # type: ignore[no-untyped-def]
    """Every acknowledged submission is stored exactly once; nothing is half written. Returns problems.

    ``strict``: no fault was injected, so nothing may be stored that was not acknowledged
    either (after a fault, a submission whose answer was lost may be stored, but whole).
    """
    from sqlalchemy import func, select

    from learnhub.als.models import AlsAction, AlsAttendance, AlsNote, AlsSession
    from learnhub.courses.models import Enrolment, QuizAnswer, QuizAttempt
    from learnhub.evaluation import services as evaluation
    from learnhub.evaluation.models import Answer, Attachment, Completion, Response
    from learnhub.extensions import db

    problems: list[str] = []
    with app.app_context():
        # Surveys
        for person in world.people:
            if person.role != "participant":
                continue
            for attachment_id in person.targets:
                attachment = db.session.get(Attachment, attachment_id)
                key = evaluation.respondent_key(attachment.instrument, person.user_id)
                responses = db.session.scalars(
                    select(Response).where(Response.attachment_id == attachment_id, Response.respondent_key == key)
                ).all()
                completions = db.session.scalar(
                    select(func.count())
                    .select_from(Completion)
                    .where(Completion.attachment_id == attachment_id, Completion.user_id == person.user_id)
                )
                where = f"survey {attachment_id} of user {person.user_id}"
                token = acks.surveys.get((attachment_id, person.user_id))
                if token is not None and (len(responses) != 1 or completions != 1):
                    problems.append(f"{where}: acknowledged, stored {len(responses)} responses and {completions} completions")
                    continue
                for response in responses:
                    answers = db.session.scalar(select(func.count()).select_from(Answer).where(Answer.response_id == response.id))
                    if response.status == Response.SUBMITTED and (answers != world.survey_items or completions != 1):
                        problems.append(f"{where}: half written ({answers} answers, {completions} completions)")
                if strict and token is None and responses:
                    problems.append(f"{where}: stored but never acknowledged")
                if not responses and completions:
                    problems.append(f"{where}: a completion with no response")
                if token is not None:
                    stored = db.session.scalar(
                        select(func.count())
                        .select_from(Answer)
                        .where(Answer.response_id == responses[0].id, Answer.text == token)
                    )
                    if stored != 1:
                        problems.append(f"{where}: the acknowledged answer is stored {stored} times")

        # Knowledge checks
        for person in world.people:
            if person.role != "learner":
                continue
            attempts = db.session.scalars(
                select(QuizAttempt)
                .join(Enrolment)
                .where(Enrolment.user_id == person.user_id, QuizAttempt.module_id == world.check_id)
            ).all()
            submitted = {a.id for a in attempts if a.submitted_at is not None}
            acked = acks.checks.get(person.user_id, [])
            if len(acked) != len(set(acked)):
                problems.append(f"learner {person.user_id}: an attempt was acknowledged twice as a new submission")
            missing = set(acked) - submitted
            if missing:
                problems.append(f"learner {person.user_id}: acknowledged attempts {sorted(missing)} are not stored as submitted")
            for attempt in attempts:
                answers = db.session.scalar(
                    select(func.count()).select_from(QuizAnswer).where(QuizAnswer.attempt_id == attempt.id)
                )
                expected = world.questions if attempt.submitted_at is not None else 0
                if answers != expected or (attempt.submitted_at is not None and attempt.score is None):
                    problems.append(f"attempt {attempt.id}: half written ({answers} answers, score {attempt.score})")
            if strict and len(submitted) != len(acked):
                problems.append(f"learner {person.user_id}: {len(acked)} attempts acknowledged, {len(submitted)} stored")
            if len([a for a in attempts if a.submitted_at is None]) > 1:
                problems.append(f"learner {person.user_id}: more than one open attempt")

        # ALS session records
        for session_id, members in world.session_members.items():
            session = db.session.get(AlsSession, session_id)
            token = acks.sessions.get(session_id)
            notes = db.session.scalars(select(AlsNote).where(AlsNote.session_id == session_id)).all()
            attendance = db.session.scalar(
                select(func.count()).select_from(AlsAttendance).where(AlsAttendance.session_id == session_id)
            )
            actions = db.session.scalars(select(AlsAction).where(AlsAction.session_id == session_id)).all()
            where = f"ALS session {session_id}"
            if session.status == AlsSession.HELD and (len(notes) != 1 or attendance != len(members) or len(actions) != 1):
                problems.append(
                    f"{where}: half written ({len(notes)} notes, {attendance} attendance rows, {len(actions)} actions)"
                )
            if strict and token is None and session.status == AlsSession.HELD:
                problems.append(f"{where}: recorded but never acknowledged")
            if session.status != AlsSession.HELD and (notes or attendance or actions):
                problems.append(f"{where}: rows stored but the session is not marked held")
            if token is not None:
                if session.status != AlsSession.HELD:
                    problems.append(f"{where}: acknowledged but not recorded")
                elif notes[0].text != token or [a.text for a in actions] != ["Action " + token]:
                    problems.append(f"{where}: the acknowledged record is not the one stored")
    return problems


# --- report ------------------------------------------------------------------------------------------


def report(stats: Stats, seconds: float, title: str, idle_bare: float | None = None) -> str:
    """A table of requests/s and p50/p95 per page, with the ratio to the bare route.

    ``p50/bare`` compares with the bare route under the same load (both include the wait for a
    free worker); ``p50/idle`` with the bare route on the idle server (``idle_bare``, seconds).
    """

    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    bare = stats.latency.get("bare Flask route") or [float("nan")]
    bare50 = statistics.median(bare) * 1000
    idle50 = (idle_bare or float("nan")) * 1000
    total = sum(len(v) for v in stats.latency.values())
    lines = [
        f"== {title}: {total} requests in {seconds:.1f} s = {total / seconds:.1f} requests/s",
        f"{'page':46} {'n':>5} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p50/bare':>9} {'p50/idle':>9}  statuses",
    ]
    for page in sorted(stats.latency, key=lambda p: (p != "bare Flask route", p)):
        values = stats.latency[page]
        p50 = statistics.median(values) * 1000
        statuses = ", ".join(f"{k}×{v}" for k, v in sorted(stats.status[page].items()))
        lines.append(
            f"{page:46} {len(values):5d} {len(values) / seconds:7.1f} {p50:8.1f} {pct(values, 0.95):8.1f} "
            f"{p50 / bare50:8.1f}× {p50 / idle50:8.0f}×  {statuses}"
        )
    return "\n".join(lines)


@contextmanager
def migrated_app(database_url: str, workdir: Path) -> Iterator:
    """An app on the database with the schema brought up to date by the migrations."""
    from flask_migrate import upgrade

    from learnhub import create_app
    from learnhub.extensions import db

    app = create_app(
        {"SECRET_KEY": "load", "SQLALCHEMY_DATABASE_URI": database_url, "TESTING": False, "PUBLIC_BASE_URL": "http://127.0.0.1"},
        instance_path=str(workdir / "setup-instance"),
    )
    with app.app_context():
        upgrade()
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def run_one(name: str, database_url: str, *, users: int, rounds: int, workers: int | None, double_every: int) -> bool:
    """Prepare, serve, load, count rows and print; True when all is well."""
    workdir = Path(tempfile.mkdtemp(prefix=f"learnhub-load-{name.lower()}-"))
    with migrated_app(database_url, workdir) as app:
        world = prepare(app, users=users, rounds=rounds)
        with Server(database_url, workdir, workers=workers) as server:
            workers_running = len(server.worker_pids())
            idle = []
            with requests.Session() as http:
                for _ in range(200):
                    started = time.perf_counter()
                    http.get(server.url + "/_bare/", timeout=10).raise_for_status()
                    idle.append(time.perf_counter() - started)
            stats, acks, seconds = run_load(server.url, world, rounds=rounds, double_every=double_every)
            mix_stats = Stats()
            if double_every:
                started = time.perf_counter()
                double_click_mix(server.url, world, mix_stats)
                mix_seconds = time.perf_counter() - started
        problems = stats.problems + verify(app, world, acks)
        if double_every:
            problems += mix_stats.problems + verify_mix(app, world)
    title = f"{name}, {users} users × {rounds} rounds, {workers_running} gunicorn workers, 1 form in {double_every} sent twice"
    print(report(stats, seconds, title, statistics.median(idle)))
    if double_every:
        print(report(mix_stats, mix_seconds, f"{name}, double-click mix (issue 13's routes, two tabs at once)"))
    print(f"bare route on the idle server (one client, 200 requests): p50 {statistics.median(idle) * 1000:.1f} ms")
    acknowledged = len(acks.surveys) + sum(len(v) for v in acks.checks.values()) + len(acks.sessions)
    print(f"rows: {acknowledged} acknowledged submissions ({acks.attempted} POSTs) checked in the database")
    for problem in problems:
        print("PROBLEM:", problem)
    print("OK: every acknowledged submission stored exactly once" if not problems else f"FAILED: {len(problems)} problems")
    print(f"(logs in {workdir})\n")
    return not problems


def main() -> None:
    """Run on SQLite and (when a URL is given) PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=16, help="simulated users (default 16)")
    parser.add_argument("--rounds", type=int, default=10, help="submissions per user (default 10)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py, 2 × cores + 1)")
    parser.add_argument("--double-every", type=int, default=3, help="send every n-th form twice at once (0: never)")
    parser.add_argument("--postgres-url", default=os.environ.get("LEARNHUB_LOAD_POSTGRES_URL"))
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    print(f"{date.today()} · {os.cpu_count()} cores · Python {sys.version.split()[0]}\n")
    ok = True
    if not args.skip_sqlite:
        sqlite_dir = Path(tempfile.mkdtemp(prefix="learnhub-load-db-"))
        ok &= run_one(
            "SQLite",
            f"sqlite:///{sqlite_dir / 'load.sqlite'}",
            users=args.users,
            rounds=args.rounds,
            workers=args.workers,
            double_every=args.double_every,
        )
    if args.postgres_url:
        url = args.postgres_url
        if url.startswith(("postgresql://", "postgres://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        ok &= run_one(
            "PostgreSQL", url, users=args.users, rounds=args.rounds, workers=args.workers, double_every=args.double_every
        )
    else:
        print("PostgreSQL skipped: give --postgres-url or LEARNHUB_LOAD_POSTGRES_URL.")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
