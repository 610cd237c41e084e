"""The main path in headless Chromium, with screenshots of the pages."""

import re
import time
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import Site

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

MEMBER_PAGES = (
    "profile",
    "directory",
    "candidates",
    "mentorships",
    "groups",
    "resources",
)
COORDINATOR_PAGES = ("dashboard", "invitations", "pairings", "group-builder", "sharing")
# Matching ranks a mentee once their goals and the mentor's skills have gone
# through Kafka; the demo's loader allows it far longer on a busy machine.
MATCHING_WAIT_SECONDS = 60.0
LIVE_WAIT_MS = 30_000
RELOAD_PAUSE_MS = 1_000


def found_team(site: Site, name: str = "Riverside Library") -> dict[str, Any]:
    answer = httpx.post(
        f"{site.url}/api/v1/operator/teams",
        json={"name": name, "kind": "library", "coordinator_name": "Cora"},
        headers={"X-Carrel-Operator-Key": site.operator_key},
        timeout=30,
    )
    answer.raise_for_status()
    founded: dict[str, Any] = answer.json()
    return founded


def sign_in_as_coordinator(browser: Browser, link: str, team: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(link)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=team).click()
    expect(page.get_by_role("heading", name="Live dashboard")).to_be_visible()
    return page


def test_a_coordinator_invites_and_the_member_builds_a_profile(
    browser: Browser, site: Site
) -> None:
    founded = found_team(site)
    team_id = founded["team_id"]
    coordinator = sign_in_as_coordinator(
        browser, founded["sign_in_link"], "Riverside Library"
    )
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


class MainPath:
    """The people of the main path, each in a browser context of their own."""

    def __init__(self, browser: Browser, site: Site) -> None:
        self.browser = browser
        self.site = site
        self.shots = 0
        self.errors: list[str] = []

    def shoot(self, page: Page, name: str) -> None:
        self.shots += 1
        self.site.shoot(page, f"main-path-{self.shots:02d}-{name}")

    def watch(self, page: Page) -> Page:
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def invite(self, invitations: Page, name: str, role: str) -> str:
        """Invite one person in one role; the link to send them."""
        invitations.get_by_label("Name").fill(name)
        email = f"{name.lower()}-{uuid4().hex[:6]}@example.org"
        invitations.get_by_label("Email").fill(email)
        for box in ("mentee", "mentor", "coordinator"):
            invitations.get_by_role("checkbox", name=box, exact=True).set_checked(
                box == role
            )
        invitations.get_by_role("button", name="Invite", exact=True).click()
        sent = invitations.locator("#links li").filter(has_text=f"{name}:")
        expect(sent).to_have_count(1)
        return str(sent.get_by_role("link").get_attribute("href"))

    def accept(self, link: str, name: str) -> Page:
        """Open the invitation in a fresh browser and accept it as ``name``."""
        page = self.watch(self.browser.new_context().new_page())
        page.goto(link)
        page.get_by_label("Your name").fill(name)
        page.get_by_role("button", name="Accept the invitation").click()
        expect(page.get_by_role("heading", name="My profile")).to_be_visible()
        expect(page.locator("#profile-state")).to_contain_text("Version")
        return page


def choose_by_keyboard(box: Locator, typed: str, wanted: str | None = None) -> str:
    """Type into a combobox, arrow to ``wanted`` (else the second option), Enter.

    Returns the label of the option chosen.
    """
    page = box.page
    box.fill("")
    box.press_sequentially(typed, delay=20)
    options = page.locator(f"#{box.get_attribute('aria-controls')} [role=option]")
    expect(options.first).to_be_visible()
    for _ in range(options.count()):
        box.press("ArrowDown")
        active = page.locator(f"#{box.get_attribute('aria-activedescendant')}")
        label = str(active.evaluate("option => option.firstChild.textContent"))
        if wanted is None or label == wanted:
            box.press("Enter")
            return label
    raise AssertionError(f"no option {wanted!r} for {typed!r}")


def save(page: Page, button: str) -> None:
    """Press a form's save button and wait for the profile's next version."""
    version = page.locator("#profile-state").inner_text()
    page.get_by_role("button", name=button).click()
    expect(page.locator("#profile-state")).not_to_have_text(version)


def candidate_after_matching(page: Page, url: str, mentor: str) -> Locator:
    """The mentor among the candidates, reloading until matching has ranked them."""
    deadline = time.monotonic() + MATCHING_WAIT_SECONDS
    entry = page.locator("#candidates > li").filter(has_text=mentor)
    while True:
        page.goto(url)
        expect(page.locator("#candidates > li").first).not_to_have_text("Loading…")
        if entry.count() == 1:
            return entry
        if time.monotonic() > deadline:
            candidates = page.locator("#candidates").inner_text()
            raise AssertionError(f"{mentor} not among the candidates: {candidates}")
        page.wait_for_timeout(RELOAD_PAUSE_MS)


def mentor_offers_skills(
    path: MainPath, link: str, name: str
) -> tuple[Page, list[str]]:
    """The mentor joins, adds two skills with the keyboard, takes two mentees."""
    mentor = path.accept(link, name)
    skills = mentor.get_by_role("combobox", name="Add a skill", exact=True)
    taught = [
        choose_by_keyboard(skills, "catalog"),
        choose_by_keyboard(skills, "metadata"),
    ]
    expect(mentor.get_by_role("list", name="My skills").locator("li")).to_have_count(2)
    save(mentor, "Save skills")
    mentor.get_by_role("checkbox", name="mentor", exact=True).check()
    mentor.get_by_label("Mentees I can take").fill("2")
    save(mentor, "Save mentoring")
    path.shoot(mentor, "mentor-profile")
    return mentor, taught


def mentee_wants_to_learn(
    path: MainPath, link: str, name: str, skills: list[str]
) -> Page:
    """The mentee joins and sets learning goals: the skills named."""
    mentee = path.accept(link, name)
    goals = mentee.get_by_role("combobox", name="Add a skill to grow")
    for skill in skills:
        choose_by_keyboard(goals, skill, wanted=skill)
    wanted = mentee.get_by_role("list", name="Skills I want to grow")
    expect(wanted.get_by_role("listitem")).to_contain_text(skills)
    save(mentee, "Save learning goals")
    mentee.get_by_role("checkbox", name="mentee", exact=True).check()
    save(mentee, "Save mentoring")
    path.shoot(mentee, "mentee-profile")
    return mentee


def mentee_requests(path: MainPath, mentee: Page, team: str, mentor: str) -> None:
    """From the candidates page, with the mentor's reasons shown, ask them."""
    mentee.get_by_role("link", name="Mentor candidates", exact=True).click()
    candidate = candidate_after_matching(mentee, f"{team}/candidates", mentor)
    expect(candidate.get_by_role("list", name=f"Why {mentor}")).not_to_be_empty()
    path.shoot(mentee, "mentee-candidates")
    candidate.get_by_role("button", name=f"Request {mentor}").click()
    request = mentee.get_by_role("dialog", name=f"Ask {mentor} to mentor you")
    request.get_by_label("Your message").fill("I would like to learn cataloguing.")
    path.shoot(mentee, "mentee-request")
    request.get_by_role("button", name="Send request").click()
    expect(mentee.get_by_role("heading", level=1)).to_have_text("My mentorships")
    path.shoot(mentee, "mentee-mentorships")


def mentor_accepts(path: MainPath, mentor: Page, team: str, mentee: str) -> None:
    """From the requests inbox, accept; the mentorship shows as accepted."""
    mentor.goto(f"{team}/mentorships")
    inbox = mentor.get_by_role("region", name="Requests waiting for me")
    accept = inbox.get_by_role("button", name=f"Accept {mentee}")
    expect(accept).to_be_visible()
    path.shoot(mentor, "mentor-requests")
    accept.click()
    mine = mentor.get_by_role("region", name="My mentorships")
    expect(mine.get_by_role("row", name=re.compile(mentee))).to_contain_text("accepted")
    path.shoot(mentor, "mentor-mentorships")


def never_reloaded(page: Page) -> Callable[[], bool]:
    """Marks the page; a check that it has been neither reloaded nor left since."""
    page.evaluate("() => { window.carrelStayedOpen = true; }")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    return lambda: not navigations and page.evaluate("() => window.carrelStayedOpen")


def test_a_mentee_finds_a_mentor_and_the_coordinators_dashboard_shows_it_live(
    browser: Browser, site: Site
) -> None:
    path = MainPath(browser, site)
    founded = found_team(site, "Harbour Library")
    team = f"{site.url}/teams/{founded['team_id']}"
    dashboard = path.watch(
        sign_in_as_coordinator(browser, founded["sign_in_link"], "Harbour Library")
    )
    # The dashboard fills once the read side has heard of the new team.
    expect(dashboard.locator("#c-members")).to_have_text("1", timeout=LIVE_WAIT_MS)
    path.shoot(dashboard, "coordinator-dashboard")
    invitations = path.watch(dashboard.context.new_page())
    invitations.goto(f"{team}/coordinate/invitations")
    mentor_link = path.invite(invitations, "Maya", "mentor")
    mentee_link = path.invite(invitations, "Theo", "mentee")
    path.shoot(invitations, "coordinator-invitations")

    mentor, taught = mentor_offers_skills(path, mentor_link, "Maya Okafor")
    mentee = mentee_wants_to_learn(path, mentee_link, "Theo Brandt", taught)
    expect(dashboard.locator("#c-members")).to_have_text("3", timeout=LIVE_WAIT_MS)
    expect(dashboard.locator("#c-active")).to_have_text("0")
    stayed_open = never_reloaded(dashboard)
    mentee_requests(path, mentee, team, "Maya Okafor")
    mentor_accepts(path, mentor, team, "Theo Brandt")

    expect(dashboard.locator("#c-active")).to_have_text("1", timeout=LIVE_WAIT_MS)
    path.shoot(dashboard, "coordinator-dashboard-live")
    assert stayed_open()
    assert path.errors == []
