"""Browser tests: headless Debian Chromium driven by Playwright, against a real stack
(redis-server, daphne serving the built front end, a Celery worker), all started here."""

import re
import tempfile
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.services import ROOT, celery_worker, daphne_server, migrate, redis_server, webapp_env

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def stack():
    """The whole application, really started: its own redis-server, a migrated SQLite file,
    daphne, one worker. Its own Redis: a worker of another stack must never take its tasks.
    Package-scoped: stopped once the browser tests are done."""
    if not (ROOT / "frontend" / "dist" / "index.html").exists():
        raise RuntimeError("the front end is not built: run `make setup`")
    with redis_server() as redis_url, tempfile.TemporaryDirectory(prefix="e2e-") as tmp:
        workdir = Path(tmp)
        env = webapp_env(workdir, redis_url, RUN_HEARTBEAT_TIMEOUT="60")
        migrate(env)
        with daphne_server(env, workdir / "daphne.log") as web, celery_worker(env, workdir / "worker.log") as worker:
            yield {"env": env, "url": web.url, "web": web, "worker": worker, "workdir": workdir}


@pytest.fixture(scope="package")
def browser():
    # Package-scoped: Playwright's sync API keeps an event loop running in this thread while it
    # is open, which would break later tests that call asyncio.run().
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, stack, request):
    """A fresh browser context (empty storage) on the app; a screenshot is kept when the test fails."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True, base_url=stack["url"])
    pg = context.new_page()
    console_errors: list[str] = []
    pg.on("pageerror", lambda exc: console_errors.append(str(exc)))
    pg.console_errors = console_errors
    yield pg
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        pg.screenshot(path=str(ARTIFACTS / f"FAILED-{name}.png"), full_page=True)
    context.close()


# --- helpers the browser tests share ---------------------------------------------------------------


@pytest.fixture
def no_page_errors(page):
    """With `pytest.mark.usefixtures("no_page_errors")`: the test also checks that the page threw nothing."""
    yield
    assert not page.console_errors, page.console_errors


def csrf(page) -> dict:
    """The CSRF header for the page's session (API requests share the page's cookies)."""
    return {"X-CSRFToken": next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")}


def sign_up(page, prefix: str = "e2e", start: str = "/") -> None:
    """A fresh account, logged in for the page (the API request context shares the page's cookies)."""
    page.goto(start)
    page.request.get("/api/auth/me")  # sets the CSRF cookie
    response = page.request.post(
        "/api/auth/signup",
        data={"username": f"{prefix}-{uuid.uuid4().hex[:8]}", "password": "a-long-passphrase"},
        headers=csrf(page),
    )
    assert response.ok, response.text()
