"""Real-browser harness: a live LearnHub server, headless Debian Chromium via Playwright, axe-core.

Reused by every feature's browser tests::

    @pytest.mark.browser
    def test_something(live_server_url, page, axe, browser_login): ...

Chromium is Debian's (``apt-get install chromium``), launched by path: nothing is downloaded.
Screenshots of failing tests are saved in ``test-artifacts/``. Outside CI, the browser tests
are skipped when Chromium is not installed; under CI (``CI=true``) that is an error.
"""

import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
#: The WCAG 2.2 A and AA rules of axe-core.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: The password of every demo account in the browser tests.
DEMO_PASSWORD = "demo-browser-password-42"
#: What Chromium says when a script runs while the document is being replaced.
_NAVIGATING = ("Execution context was destroyed", "reading 'documentElement'", "axe is not defined")


def _chromium_path() -> str | None:
    for candidate in (os.environ.get("LEARNHUB_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``browser`` marker."""
    config.addinivalue_line("markers", "browser: runs in headless Chromium against a live server")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Keep each phase's report on the test item so the page fixture knows about failures."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def _browser() -> Iterator[object]:
    """One headless Chromium for the whole session."""
    path = _chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed (apt-get install chromium); browser tests must run in CI")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    if not AXE_JS.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make install does)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def live_app(database_url: str, _schema: None, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An app configured like production as far as a browser can tell (CSRF on)."""
    from tests.conftest import _empty_tables, build_app, make_test_config

    app = build_app(
        make_test_config(database_url, WTF_CSRF_ENABLED=True, SERVER_NAME=None), instance_path=str(tmp_path / "instance")
    )
    yield app
    _empty_tables(app)


def load_demo(app, base_url: str | None = None, password: str = DEMO_PASSWORD) -> str:  # type: ignore[no-untyped-def]
    """Run the real demo steps in ``app``'s database; returns the demo accounts' password.

    With ``base_url`` (the live server's), links the demo stores (a certificate's verify URL)
    point at the live server.
    """
    from learnhub.demo import DemoContext, run_steps
    from learnhub.extensions import db

    with app.test_request_context(base_url=base_url or "http://localhost"):
        run_steps(DemoContext(password=password, password_from_env=True))
        db.session.remove()
    return password


@pytest.fixture
def demo_data(live_app, live_server_url: str) -> str:  # type: ignore[no-untyped-def]
    """The demo data loaded into the live server's database; the demo accounts' password."""
    return load_demo(live_app, live_server_url)


@pytest.fixture
def live_server_url(live_app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Serve ``live_app`` on a free loopback port in a thread; yields its base URL.

    The URL is the app's ``PUBLIC_BASE_URL`` too, as in production: links in emails and PDFs
    are built from it, never from the request.
    """
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    live_app.config["PUBLIC_BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(_browser, request: pytest.FixtureRequest) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser page; a screenshot is saved to test-artifacts/ if the test fails.

    Any Content-Security-Policy violation the browser reports (an inline script or style, an
    asset from another host) fails the test.
    """
    context = _browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    # axe-core is injected by the browser itself on every document, which the page's
    # Content-Security-Policy does not (and should not) allow a <script> tag to do.
    context.add_init_script(path=str(AXE_JS))
    pg = context.new_page()
    csp_errors: list[str] = []
    pg.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if msg.type == "error" and "Content Security Policy" in msg.text else None,
    )
    yield pg
    if csp_errors:
        pytest.fail("The page broke its Content-Security-Policy:\n" + "\n".join(csp_errors))
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = request.node.nodeid.replace("/", "_").replace("::", "__")
        try:
            pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception:  # noqa: BLE001 - a failed screenshot must not hide the real failure
            pass
    context.close()


@pytest.fixture
def axe() -> Callable[[object], list]:
    """Run axe-core (WCAG 2.2 A/AA rules) on a page; fails the test listing any violations."""

    from playwright.sync_api import Error as PlaywrightError

    def run(pg, context: str = "") -> list:  # type: ignore[no-untyped-def]
        # A click that submits a form may still be navigating when axe is asked to run: wait
        # for the new document and try again rather than checking a page that is going away.
        for attempt in range(3):
            pg.wait_for_load_state("load")
            try:
                result = pg.evaluate(
                    "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                    AXE_TAGS,
                )
                break
            except PlaywrightError as error:
                if attempt == 2 or not any(text in str(error) for text in _NAVIGATING):
                    raise
        violations = result["violations"]
        if violations:
            summary = [
                {"id": v["id"], "impact": v["impact"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]][:5]}
                for v in violations
            ]
            pytest.fail(f"axe found {len(violations)} violation(s) on {context or pg.url}:\n" + json.dumps(summary, indent=2))
        return violations

    return run


@pytest.fixture
def browser_login(live_server_url: str) -> Callable[..., None]:
    """Sign in through the real sign-in page."""

    def login(pg, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
        pg.goto(f"{live_server_url}/account/sign-in")
        pg.get_by_label("Email address").fill(email)
        pg.get_by_label("Password", exact=True).fill(password)
        with pg.expect_navigation():
            pg.get_by_role("button", name="Sign in").click()

    return login
