"""The site in headless Chromium: the gateway and the services behind it.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright's Python
package; Playwright's own browser download is never used (it cannot be fetched
here). Screenshots of the pages go to ``var/screenshots/``.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from carrel_gateway.entrypoints.http import create_app
from carrel_gateway.settings import GatewaySettings
from carrel_gateway.testing import (
    OPERATOR_KEY,
    SECRET,
    free_listener,
    serve_services,
    serving,
)
from playwright.sync_api import Browser, sync_playwright
from psycopg import sql

from tests.integration.stack import REPO

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "var" / "screenshots"
TEST_DATABASE = "carrel_test"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class Site:
    """Where the gateway answers, and the operator's key to found a team."""

    url: str
    operator_key: str
    screenshots: Path

    def shoot(self, page: Any, name: str) -> None:
        page.screenshot(path=str(self.screenshots / f"{name}.png"), full_page=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def schemas(stack: Any) -> Iterator[dict[str, str]]:
    names = {s: f"br_{s}_{uuid4().hex[:10]}" for s in ("teams", "profile", "resources")}
    dsn = stack.database_dsn(TEST_DATABASE)
    with psycopg.connect(dsn, autocommit=True) as connection:
        for name in names.values():
            connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    yield names
    with psycopg.connect(dsn, autocommit=True) as connection:
        for name in names.values():
            connection.execute(
                sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name))
            )


@pytest.fixture
def site(stack: Any, schemas: dict[str, str]) -> Iterator[Site]:
    """The gateway on a free port, with teams, profile and resources behind it.

    Matching and the dashboard projection are not started here; their pages
    show that they are unavailable.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    listener = free_listener()
    gateway_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    with serve_services(stack, schemas, TEST_DATABASE, gateway_url) as urls:
        settings = GatewaySettings(
            session_secret=SECRET,
            operator_key=OPERATOR_KEY,
            public_url=gateway_url,
            teams_url=urls["teams"],
            profile_url=urls["profile"],
            resources_url=urls["resources"],
            matching_url="http://127.0.0.1:9",
            projection_url="http://127.0.0.1:9",
        )
        with serving(create_app(settings), listener) as url:
            yield Site(url, OPERATOR_KEY, SCREENSHOTS)
