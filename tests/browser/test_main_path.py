"""The main path in headless Chromium, with screenshots of the pages."""

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Site

pytestmark = pytest.mark.integration

MEMBER_PAGES = (
    "profile",
    "directory",
    "candidates",
    "mentorships",
    "groups",
    "resources",
)
COORDINATOR_PAGES = ("dashboard", "invitations", "pairings", "group-builder", "sharing")


def found_team(site: Site) -> dict[str, Any]:
    answer = httpx.post(
        f"{site.url}/api/v1/operator/teams",
        json={
            "name": "Riverside Library",
            "kind": "library",
            "coordinator_name": "Cora",
        },
        headers={"X-Carrel-Operator-Key": site.operator_key},
        timeout=30,
    )
    answer.raise_for_status()
    founded: dict[str, Any] = answer.json()
    return founded


def sign_in_as_coordinator(browser: Browser, site: Site, link: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(link)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Riverside Library").click()
    expect(page.get_by_role("heading", name="Live dashboard")).to_be_visible()
    return page


def test_a_coordinator_invites_and_the_member_builds_a_profile(
    browser: Browser, site: Site
) -> None:
    founded = found_team(site)
    team_id = founded["team_id"]
    coordinator = sign_in_as_coordinator(browser, site, founded["sign_in_link"])
    site.shoot(coordinator, "coordinator-dashboard")
    coordinator.goto(f"{site.url}/teams/{team_id}/coordinate/invitations")

    coordinator.get_by_label("Name").fill("Ada")
    coordinator.get_by_label("Email").fill("not an address")
    coordinator.get_by_role("button", name="Invite", exact=True).click()
    expect(coordinator.locator("#email-error")).not_to_be_empty()
    expect(coordinator.get_by_label("Email")).to_have_attribute("aria-invalid", "true")

    coordinator.get_by_label("Email").fill("ada@example.org")
    coordinator.get_by_role("button", name="Invite", exact=True).click()
    link = coordinator.locator("[data-invitation-link]").first
    expect(link).to_be_visible()
    site.shoot(coordinator, "coordinator-invitations")

    member = browser.new_context().new_page()
    member.goto(str(link.get_attribute("href")))
    site.shoot(member, "invitation")
    member.get_by_label("Your name").fill("Ada Lovelace")
    member.keyboard.press("Enter")
    expect(member.get_by_role("heading", name="My profile")).to_be_visible()
    expect(member.locator("#profile-state")).to_contain_text("Version")

    search = member.get_by_role("combobox", name="Add a skill", exact=True)
    search.press_sequentially("catalog", delay=30)
    expect(member.locator("#skill-options [role=option]").first).to_be_visible()
    search.press("ArrowDown")
    search.press("Enter")
    expect(member.locator("#chosen-skills li")).to_have_count(1)
    version = member.locator("#profile-state").inner_text()
    member.get_by_role("button", name="Save skills").click()
    expect(member.locator("#profile-state")).not_to_have_text(version)
    site.shoot(member, "member-profile")

    errors: list[str] = []
    for watched in (member, coordinator):
        watched.on("pageerror", lambda error: errors.append(str(error)))
    for name in MEMBER_PAGES:
        member.goto(f"{site.url}/teams/{team_id}/{name}")
        expect(member.locator("h1")).to_be_visible()
        site.shoot(member, f"member-{name}")
    for name in COORDINATOR_PAGES:
        coordinator.goto(f"{site.url}/teams/{team_id}/coordinate/{name}")
        expect(coordinator.locator("h1")).to_be_visible()
        site.shoot(coordinator, f"coordinator-{name}")

    coordinator.wait_for_timeout(500)
    assert errors == []

    member.goto(f"{site.url}/teams/{team_id}/coordinate/dashboard")
    expect(member.locator("h1")).to_have_text(re.compile("Not here"))
