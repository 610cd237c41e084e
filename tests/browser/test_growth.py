"""A newcomer joins a running programme by its join link and asks a mentor."""

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Site
from tests.browser.test_main_path import (
    LIVE_WAIT_MS,
    MainPath,
    choose_by_keyboard,
    found_team,
    mentee_requests,
    mentor_offers_skills,
    save,
    sign_in_as_coordinator,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

PROGRAMME = "Lakeside Library"
SUMMARY = "Mentoring in cataloguing and metadata for Lakeside's staff."


def open_the_programme_page(coordinator: Page) -> None:
    """The coordinator shows the programme page to anyone, through the API."""
    answer: dict[str, Any] = coordinator.evaluate(
        """async (summary) => {
          const headers = { "Content-Type": "application/json",
                            "X-Requested-With": "carrel" };
          const team = document.body.dataset.teamId;
          const read = await (await fetch(`/api/v1/teams/${team}`)).json();
          const settings = { ...read.settings, programme_page_visible_to: "public",
                             programme_summary: summary };
          const body = JSON.stringify({ settings, expected_version: read.version });
          const put = await fetch(`/api/v1/teams/${team}/settings`,
                                  { method: "PUT", headers, body });
          return { status: put.status, text: await put.text() };
        }""",
        SUMMARY,
    )
    assert answer["status"] == 200, answer["text"]


def newcomer_asks_to_join(path: MainPath, join_link: str, mentor_skill: str) -> Page:
    """Through the join link: the programme page, then the request to join."""
    newcomer = path.watch(path.browser.new_context().new_page())
    newcomer.goto(join_link)
    programme = newcomer.get_by_role("region", name=PROGRAMME)
    expect(programme).to_contain_text(SUMMARY, timeout=LIVE_WAIT_MS)
    places = programme.get_by_role("row", name=mentor_skill)
    expect(places).to_be_visible()
    path.shoot(newcomer, "growth-join-link")
    newcomer.get_by_label("Your name").fill("Noor Haddad")
    newcomer.get_by_role("button", name="Send my request").click()
    expect(newcomer.get_by_role("heading", name="My teams")).to_be_visible()
    return newcomer


def newcomer_is_guided_to_candidates(
    path: MainPath, newcomer: Page, skill: str
) -> None:
    """The smallest profile matching needs, step by step, then the candidates."""
    newcomer.reload()
    newcomer.get_by_role("link", name=PROGRAMME).click()
    guide = newcomer.get_by_role("region", name="Getting started")
    expect(guide).to_contain_text("To do: Choose mentee, mentor or both")
    newcomer.get_by_role("checkbox", name="mentee", exact=True).check()
    save(newcomer, "Save mentoring")
    expect(guide).to_contain_text("To do: Add a skill you want to grow")
    goals = newcomer.get_by_role("combobox", name="Add a skill to grow")
    choose_by_keyboard(goals, skill, wanted=skill)
    save(newcomer, "Save learning goals")
    expect(guide).to_contain_text("You are ready")
    path.shoot(newcomer, "growth-guided-profile")


def test_a_newcomer_goes_from_the_join_link_to_a_requested_mentor(
    browser: Browser, site: Site
) -> None:
    path = MainPath(browser, site)
    founded = found_team(site, PROGRAMME)
    team = f"{site.url}/teams/{founded['team_id']}"
    coordinator = path.watch(
        sign_in_as_coordinator(browser, founded["sign_in_link"], PROGRAMME)
    )
    open_the_programme_page(coordinator)
    invitations = path.watch(coordinator.context.new_page())
    invitations.goto(f"{team}/coordinate/invitations")
    mentor_link = path.invite(invitations, "Ines", "mentor")
    _, taught = mentor_offers_skills(path, mentor_link, "Ines Duarte")
    invitations.get_by_role("button", name="Issue a new join link").click()
    join_link = invitations.locator("#join-link-out a").get_attribute("href")
    assert join_link is not None

    newcomer = newcomer_asks_to_join(path, join_link, taught[0])
    approve = invitations.get_by_role("button", name="Approve Noor Haddad")
    expect(approve).to_be_visible(timeout=LIVE_WAIT_MS)
    path.shoot(invitations, "growth-join-requests")
    approve.click()
    expect(invitations.get_by_text("No one is waiting.")).to_be_visible()

    newcomer_is_guided_to_candidates(path, newcomer, taught[0])
    newcomer.get_by_role("link", name="See your mentor candidates").click()
    expect(newcomer).to_have_url(f"{team}/candidates")
    mentee_requests(path, newcomer, team, "Ines Duarte")
    assert path.errors == []


def test_a_members_referral_is_approved_and_brings_a_colleague_in(
    browser: Browser, site: Site
) -> None:
    path = MainPath(browser, site)
    founded = found_team(site, "Brookside Library")
    team = f"{site.url}/teams/{founded['team_id']}"
    coordinator = path.watch(
        sign_in_as_coordinator(browser, founded["sign_in_link"], "Brookside Library")
    )
    invitations = path.watch(coordinator.context.new_page())
    invitations.goto(f"{team}/coordinate/invitations")
    member = path.accept(path.invite(invitations, "Ravi", "mentor"), "Ravi Patel")

    member.goto(f"{team}/directory")
    refer = member.get_by_role("form", name="Invite a colleague")
    refer.get_by_label("Their name").fill("Lena Vogel")
    refer.get_by_label("Their email").fill("lena.vogel@example.org")
    refer.get_by_role("button", name="Invite").click()
    expect(refer).to_contain_text("a coordinator will approve")
    path.shoot(member, "growth-referral")

    approve = invitations.get_by_role("button", name="Approve Lena Vogel")
    expect(approve).to_be_visible(timeout=LIVE_WAIT_MS)
    approve.click()
    sent = invitations.locator("#links li").filter(has_text="Lena Vogel:")
    expect(sent).to_have_count(1)
    colleague = path.accept(str(sent.get_by_role("link").get_attribute("href")), "Lena")
    expect(colleague.get_by_role("region", name="Getting started")).to_be_visible()
    assert path.errors == []
