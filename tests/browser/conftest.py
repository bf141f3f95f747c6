"""Browser tests: a real Chromium, driven by Playwright, against a real server process.

The browser is the system's Chromium (Debian's ``chromium`` package, ``/usr/bin/chromium``;
``HOTGIGS_CHROMIUM`` names another): Playwright drives it but never downloads a browser of
its own. ``.ci/run`` installs the package when it is missing; under CI=true a missing browser
fails these tests, elsewhere they skip.

The server is ``python -m hotgigs.serve`` (as ``make run`` starts it) on the test database,
so the tests commit their rows (``transactional_db``). Each test writes screenshots of what
it saw to ``var/screenshots/<test>-<step>.png``.
"""

import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from django_ratelimit import core

from tests.conftest import require_service
from tests.factories.accounts import PASSWORD
from tests.servers import ROOT, process_env, serve_command, server_process

CHROMIUM = Path(os.environ.get("HOTGIGS_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "var" / "screenshots"

pytestmark = pytest.mark.browser


@pytest.fixture
def start_server(transactional_db, redis_url, tmp_path) -> Iterator[Callable[..., str]]:  # type: ignore[no-untyped-def]
    """``start_server(**env)`` → the base URL of a server with these settings on top."""
    with ExitStack() as stack:

        def start(**env: str) -> str:
            environment = process_env(
                redis_url,
                # The factories' users have MD5 hashes (tests/conftest.py); the server must read them.
                HOTGIGS_FAST_PASSWORD_HASHER="true",
                HOTGIGS_VAR_DIR=str(tmp_path / "var"),
                RATE_LIMIT_KEY_PREFIX=f"rl:test:{uuid.uuid4().hex}:",
                **env,
            )
            return str(stack.enter_context(server_process(serve_command, environment, output=tmp_path / "server.log")))

        yield start


@pytest.fixture
def page() -> Iterator[Any]:
    """A fresh page in a fresh Chromium.

    Playwright's synchronous API runs an event loop in this thread while the page lives, and
    Django refuses the ORM under a running loop: a test names the fixtures that create its rows
    before ``page``, and reads what it needs of them before or after the browser, not during.
    """
    require_service(f"Chromium ({CHROMIUM}; apt-get install chromium)", CHROMIUM.is_file())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


@pytest.fixture
def shot(request, page) -> Callable[[str], Path]:  # type: ignore[no-untyped-def]
    """``shot(step)`` saves the whole page as ``var/screenshots/<test>-<step>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)

    def take(step: str) -> Path:
        path = SCREENSHOTS / f"{name}-{step}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


def log_in(page: Any, base: str, email: str, password: str = PASSWORD) -> Any:
    """Log in through the back office's login form; the response of the page it lands on."""
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    with page.expect_navigation() as landed:
        page.click("input[type=submit]")
    return landed.value


def wait_for_room(identity: str, period: int, needed: float) -> None:
    """Sleep into ``identity``'s next rate-limit window unless ``needed`` seconds are left in this one."""
    left = core._get_window(identity, period) + 1 - time.time()  # type: ignore[no-untyped-call]
    if left < needed:
        time.sleep(left + 0.1)
