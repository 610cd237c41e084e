"""The site in headless Chromium: the gateway and every service behind it.

Every Carrel process runs under the demo's supervisor with settings of the
browser tests' own (``carrel_demo.isolated``): PostgreSQL schemas, free ports,
Kafka topics and consumer groups, an OpenSearch prefix; one run serves every
browser test. The supervisor is asyncio; the tests drive Playwright's sync
API, which refuses to run inside an event loop, so the supervisor's loop runs
in a thread of its own.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright's Python
package; Playwright's own browser download is never used (it cannot be fetched
here). Screenshots of the pages go to ``var/screenshots/``.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from carrel_demo.isolated import Isolation, isolated_carrel
from carrel_gateway.testing import OPERATOR_KEY, SECRET
from playwright.sync_api import Browser, Page, sync_playwright

from tests.integration.stack import REPO, Stack
from tests.threaded import entered_in_a_thread

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "var" / "screenshots"
LOGS = REPO / "var" / "log" / "browser-tests"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
GATEWAY_SETTINGS = {
    "CARREL_SESSION_SECRET": SECRET,
    "CARREL_OPERATOR_KEY": OPERATOR_KEY,
    # Every person of every test signs in from 127.0.0.1.
    "CARREL_SIGN_IN_RATE": "1000/minute",
}
READY_WITHIN_SECONDS = 120.0


@dataclass(frozen=True)
class Site:
    """Where the gateway answers, and the operator's key to found a team."""

    url: str
    operator_key: str
    screenshots: Path

    def shoot(self, page: Page, name: str) -> None:
        page.screenshot(path=str(self.screenshots / f"{name}.png"), full_page=True)


# Package scope: while Playwright's sync API is open, the thread counts as inside
# an event loop, and the asyncio tests of other folders could not run.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="package")
def site(stack: Stack) -> Iterator[Site]:
    """Every Carrel process of the browser tests' own; the gateway's address.

    The services' logs are in ``var/log/browser-tests/<run>/``.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    run = Isolation.new("browser")
    carrel = isolated_carrel(
        stack, run, LOGS / run.name, GATEWAY_SETTINGS, READY_WITHIN_SECONDS
    )
    with entered_in_a_thread(carrel):
        yield Site(run.gateway_url, OPERATOR_KEY, SCREENSHOTS)
