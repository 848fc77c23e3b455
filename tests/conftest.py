"""Shared fixtures: app, client, database, factories, sign-in helper, query counter.

The suite runs on SQLite by default and on PostgreSQL when ``LEARNHUB_TEST_DATABASE_URL`` is
set (``make test`` does both when a URL is given). The schema is built once per session by
running the real migrations; each test then starts from empty tables.
"""

import atexit
import copy
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import MetaData, create_engine, event, text
from werkzeug.security import generate_password_hash

from learnhub import create_app
from learnhub.extensions import db

pytest_plugins = ["tests.browser_harness"]

#: Every factory-made user has this password; its hash is computed once for speed.
PASSWORD = "correct-horse-battery-staple"
_PASSWORD_HASH = generate_password_hash(PASSWORD)


class _SharedTemplateCache(BytecodeCache):
    """Compiled templates shared by every app one test process builds.

    Each test gets a fresh app (``create_app``), so each would compile every template it
    renders again: that compiling was 39% of the time of ``tests/courses`` (cProfile, 2,112
    compilations for 145 tests). Jinja checks each bucket against its template's source
    checksum, so an edited template is compiled afresh, never served stale.
    """

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self._compiled.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _SharedTemplateCache()


def build_app(config: dict, instance_path: str) -> Flask:
    """``create_app`` for the suite: the real factory, with the suite's shared template cache."""
    app = create_app(config, instance_path=instance_path)
    app.jinja_env.bytecode_cache = _TEMPLATES
    return app


def _normalise(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """SQLite in a temporary file, or the PostgreSQL URL from the environment.

    When a PostgreSQL URL is given but the server cannot be reached, the run stops with an
    error rather than skipping: CI must never pass with the PostgreSQL run silently missing.
    """
    url = os.environ.get("LEARNHUB_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{_memory_backed_dir(tmp_path_factory) / 'test.sqlite'}"
    url = _normalise(url)
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # noqa: BLE001
        pytest.exit(f"LEARNHUB_TEST_DATABASE_URL is set but unreachable: {error}", returncode=3)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:  # pytest -n: each worker gets its own database beside the given one
        url = _worker_database(url, worker)
    return url


def _memory_backed_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the SQLite test database, in memory (``/dev/shm``) where there is one.

    LearnHub keeps SQLite's default ``synchronous=FULL`` (a commit is on disk when it returns),
    so every commit waits for the disk: 4,116 commits were 5% of the time of ``tests/als`` and
    ``tests/evaluation``. In a memory-backed folder the same commits cost nothing, and SQLite
    behaves otherwise the same (WAL, locking, busy timeout). Removed when the session ends.
    """
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        folder = Path(tempfile.mkdtemp(prefix="learnhub-test-", dir=shm))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        return folder
    return tmp_path_factory.mktemp("db")


class ClosingClient(FlaskClient):
    """A test client that closes each response as a WSGI server does once it has sent it.

    Work registered with ``learnhub.deferred.after_response`` (emails sent after the response)
    runs then, so a test sees its effects as soon as the request returns.

    Each response also carries ``flashed``: the ``(category, message)`` pairs flashed while it
    was made (with ``follow_redirects``, by every request of the chain), so
    :func:`tests.helpers.assert_redirect` can tell a success from a refusal that redirects.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from flask import message_flashed

        kwargs.setdefault("buffered", True)
        flashed: list[tuple[str, str]] = []

        def record(sender, message, category, **extra):  # type: ignore[no-untyped-def]
            flashed.append((category, message))

        with message_flashed.connected_to(record, self.application):
            response = super().open(*args, **kwargs)
        response.flashed = flashed
        return response


def _worker_database(url: str, worker: str) -> str:
    """``<database>_<worker>`` on the same server, created if missing (owned by the same role)."""
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def make_test_config(database_url: str, **overrides: object) -> dict:
    """Configuration for a test app."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_OUTBOX_DIR": "test-outbox",
        # With CSRF off (above) every rendering of a form sends the same body, so the
        # double-submit guard would join a test's deliberate second submission to its first.
        # In production the CSRF token differs per rendering; tests of the guard turn it on.
        "DOUBLE_SUBMIT_SECONDS": 0,
    }
    config.update(overrides)
    return config


def drop_everything(url: str) -> None:
    """Remove every table (including Alembic's) so the migrations start from nothing."""
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(bind=engine)
    meta.drop_all(bind=engine)
    engine.dispose()


@pytest.fixture(scope="session")
def _schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Build the schema once by running the migrations."""
    from flask_migrate import upgrade

    drop_everything(database_url)
    app = create_app(make_test_config(database_url), instance_path=str(tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _empty_tables(app: Flask, *, dispose: bool = True) -> None:
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(table.delete())
        if dispose:
            db.engine.dispose()


@pytest.fixture(scope="session")
def _shared_app(database_url: str, _schema: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app behind the ``app`` fixture, built once per test process.

    Building an app compiles its ~155 URL rules (Werkzeug generates Python code for each):
    13% of the suite's time when every test built its own. The ``app`` fixture gives each test
    this app as new: its own instance folder, the test configuration restored, nothing kept
    in ``app.extensions`` (such as the test outbox), rate limits reset, tables emptied.
    """
    from learnhub.extensions import limiter

    app = build_app(make_test_config(database_url), instance_path=str(tmp_path_factory.mktemp("instance")))
    app.test_client_class = ClosingClient
    _LIMITER_STATE[app] = dict(limiter.__dict__)
    yield app
    with app.app_context():
        db.engine.dispose()


#: Flask-Limiter's ``limiter`` is one object for every app: each ``init_app`` (every app that
#: ``make_app`` builds) points its storage at that app's. The shared app's state is kept here
#: and put back around each test, so a test's app with Redis "down" never leaks into the next.
_LIMITER_STATE: dict[Flask, dict] = {}


def _restore_limiter(app: Flask) -> None:
    from learnhub.extensions import limiter

    state = _LIMITER_STATE[app]
    limiter.__dict__.update(state)
    limiter.limit_manager = copy.copy(state["limit_manager"])


@pytest.fixture
def app(_shared_app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """A LearnHub app on the test database, as new for each test; tables are emptied after the test."""
    from learnhub.extensions import limiter

    app = _shared_app
    config = dict(app.config)
    extensions = dict(app.extensions)
    app.instance_path = str(tmp_path / "instance")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _restore_limiter(app)
    try:
        yield app
    finally:
        _empty_tables(app, dispose=False)
        app.config.clear()
        app.config.update(config)
        app.extensions.clear()
        app.extensions.update(extensions)
        _restore_limiter(app)
        with app.app_context():
            limiter.reset()


@pytest.fixture
def make_app(database_url: str, _schema: None, tmp_path) -> Iterator[Callable[..., Flask]]:
    """Build extra apps with config overrides; their tables are emptied and pools closed after."""
    apps: list[Flask] = []

    def factory(**overrides: object) -> Flask:
        made = build_app(make_test_config(database_url, **overrides), instance_path=str(tmp_path / f"instance{len(apps)}"))
        made.test_client_class = ClosingClient
        apps.append(made)
        return made

    yield factory
    for made in apps:
        _empty_tables(made)


@pytest.fixture(autouse=True)
def _push_request_context() -> None:
    """Replace pytest-flask's autouse fixture: each request gets its own app context.

    Otherwise Flask-Login's user and the database session leak between requests in a test.
    """


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client that does not keep the last request's context pushed.

    pytest-flask's own ``client`` uses ``with app.test_client()``, which preserves the last
    request context; a second client (another "browser") would then reuse its ``g`` and see
    the first client's signed-in user.
    """
    return app.test_client()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """An application context for code that touches the database directly."""
    with app.app_context():
        yield app


@pytest.fixture
def outbox(app: Flask) -> list:
    """Emails sent during the test (newest last)."""
    return app.extensions.setdefault("outbox", [])


_seq = count(1)


@pytest.fixture
def make_hub(app: Flask) -> Callable[..., int]:
    """Create a hub (with one PCN and practice); returns its id."""
    from learnhub.organisations.models import Hub, Pcn, Practice

    def factory(name: str | None = None, **overrides: object) -> int:
        with app.app_context():
            n = next(_seq)
            hub = Hub(name=name or f"Hub {n}", signatory=overrides.pop("signatory", "Dr Test, Clinical Lead"))
            pcn = Pcn(hub=hub, name=f"PCN {n}")
            Practice(pcn=pcn, name=f"Practice {n}")
            db.session.add(hub)
            db.session.commit()
            return hub.id

    return factory


@pytest.fixture
def make_user(app: Flask, make_hub: Callable[..., int]) -> Callable[..., int]:
    """Create a user; returns its id. ``hub_id=None`` makes a new hub unless ``no_hub=True``."""
    from learnhub.accounts.models import User

    def factory(email: str | None = None, **overrides: object) -> int:
        no_hub = overrides.pop("no_hub", False)
        if "hub_id" not in overrides and not no_hub:
            overrides["hub_id"] = make_hub()
        with app.app_context():
            n = next(_seq)
            user = User(
                email=(email or f"user{n}@example.org").lower(),
                name=overrides.pop("name", f"Test User {n}"),
                password_hash=_PASSWORD_HASH,
                professional_role=overrides.pop("professional_role", "gp"),
                **overrides,
            )
            db.session.add(user)
            db.session.commit()
            return user.id

    return factory


class AuthActions:
    """Sign in and out through the real pages, or put a user straight into the session."""

    def __init__(self, client: FlaskClient, app: Flask) -> None:
        self._client = client
        self._app = app

    def login(self, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        """Sign in through the form."""
        return self._client.post("/account/sign-in", data={"email": email, "password": password})

    def login_as(self, user_id: int) -> None:
        """Sign in without the form (faster, for tests about other pages)."""
        from learnhub.accounts.models import User

        with self._app.app_context():
            session_id = db.session.get(User, user_id).get_id()
        with self._client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True

    def logout(self):  # type: ignore[no-untyped-def]
        """Sign out through the header button."""
        return self._client.post("/account/sign-out", headers={"Origin": "http://localhost"})


@pytest.fixture
def auth(client: FlaskClient, app: Flask) -> AuthActions:
    """Sign-in helper bound to the test client."""
    return AuthActions(client, app)


@pytest.fixture
def count_queries(app: Flask) -> Callable:
    """Context manager counting SQL statements: ``with count_queries() as n: ...; n()``."""

    @contextmanager
    def counter() -> Iterator[Callable[[], int]]:
        statements: list[str] = []

        def before(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield lambda: len(statements)
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counter
