"""A coordinator's pages with a small team: the map, the directory's facets,
pairing, the group builder, sharing, CSV invitations and sign-in links; and a
member's errors shown next to the fields of the referral form."""

import re
import time
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, Response, expect

from tests.browser.conftest import Site
from tests.browser.test_main_path import (
    LIVE_WAIT_MS,
    MATCHING_WAIT_SECONDS,
    RELOAD_PAUSE_MS,
    MainPath,
    found_team,
    mentee_wants_to_learn,
    mentor_offers_skills,
    save,
    sign_in_as_coordinator,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

TEAM = "Millbrook Library"
MENTOR, MENTEE, COORDINATOR = "Maya Okafor", "Theo Brandt", "Cora"
INTEREST = "digital preservation"


class CoordinatorPath(MainPath):
    """The main path's people, with screenshots of their own names."""

    def shoot(self, page: Page, name: str) -> None:
        self.shots += 1
        self.site.shoot(page, f"coordinator-pages-{self.shots:02d}-{name}")


def put_section(page: Page, section: str, body: dict[str, Any]) -> None:
    """Replace a section of the signed-in member's profile through the API."""
    answer: dict[str, Any] = page.evaluate(
        """async ([section, body]) => {
          const put = await fetch(`/api/v1/me/profile/${section}`, { method: "PUT",
            headers: { "Content-Type": "application/json",
                       "X-Requested-With": "carrel" },
            body: JSON.stringify(body) });
          return { status: put.status, text: await put.text() };
        }""",
        [section, body],
    )
    assert answer["status"] == 200, answer["text"]


def give_a_place(page: Page, city: str, region: str, lat: float, lon: float) -> None:
    """Fill the profile's place, coordinates included, and save it."""
    page.get_by_label("City").fill(city)
    page.get_by_label("Region or state").fill(region)
    page.get_by_label("Country").fill("US")
    page.get_by_label("Latitude").fill(str(lat))
    page.get_by_label("Longitude").fill(str(lon))
    save(page, "Save place")


def until(act: Callable[[], None], check: Callable[[], None], seconds: float) -> None:
    """Act, then check; again after a pause while the check fails, up to a limit.

    Matching and the read side hear of changes through Kafka, a little later.
    """
    deadline = time.monotonic() + seconds
    while True:
        act()
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(RELOAD_PAUSE_MS / 1000)


def referral_errors_show_next_to_their_fields(path: MainPath, member: Page) -> None:
    refer = member.get_by_role("form", name="Invite a colleague")
    refer.get_by_label("Their name").fill("Lena Vogel")
    refer.get_by_label("Their email").fill("not an address")
    refer.get_by_role("checkbox", name="mentee").uncheck()
    refer.get_by_role("button", name="Invite").click()

    expect(member.locator("#refer-email-error")).not_to_be_empty()
    expect(refer.get_by_label("Their email")).to_have_attribute("aria-invalid", "true")
    expect(member.locator("#refer-roles-error")).not_to_be_empty()
    for role in ("mentee", "mentor"):
        box = refer.get_by_role("checkbox", name=role)
        expect(box).to_have_attribute("aria-invalid", "true")
    expect(refer.locator(".form-error")).to_be_empty()
    path.shoot(member, "member-referral-errors")


def facet_box(page: Page, facet: str, label: str) -> Locator:
    name = re.compile(rf"^{re.escape(label)} \(\d+\)$")
    return page.locator(f'[data-facet="{facet}"]').get_by_role("checkbox", name=name)


def narrows(page: Page, facet: str, label: str, person: str) -> None:
    """Choosing the value leaves only the person; choosing it again, everyone."""
    everyone = page.locator("#total").inner_text()
    facet_box(page, facet, label).click()
    expect(page.locator("#people > li")).to_have_count(1)
    expect(page.locator("#people")).to_contain_text(person)
    facet_box(page, facet, label).click()
    expect(page.locator("#total")).to_have_text(everyone)


def directory_facets_filter(path: MainPath, page: Page, skill: str) -> None:
    page.goto(f"{path.site.url}/teams/{page_team(page)}/directory")
    expect(page.locator("#total")).to_have_text("(3)", timeout=LIVE_WAIT_MS)
    for facet, label in [
        ("region", "Ohio"),
        ("interests", INTEREST),
        ("availability", "not available"),
        ("skills", skill),
    ]:
        expect(facet_box(page, facet, label)).to_be_visible(timeout=LIVE_WAIT_MS)
    path.shoot(page, "coordinator-directory-facets")

    narrows(page, "role", "mentor", MENTOR)
    narrows(page, "skills", skill, MENTOR)
    narrows(page, "interests", INTEREST, MENTEE)
    narrows(page, "region", "Ohio", MENTOR)
    narrows(page, "availability", "not available", COORDINATOR)
    narrows(page, "match_status", "unmatched", MENTEE)

    facet_box(page, "role", "mentor").click()
    expect(page.locator("#total")).to_have_text("(1)")
    facet_box(page, "role", "mentee").click()
    expect(page.locator("#total")).to_have_text("(2)")


def page_team(page: Page) -> str:
    return str(page.evaluate("() => document.body.dataset.teamId"))


def pairs_are_previewed_by_name_and_published(path: MainPath, page: Page) -> None:
    page.goto(f"{path.site.url}/teams/{page_team(page)}/coordinate/pairings")
    pair = page.locator("#pairs tr").filter(has_text=MENTEE)

    def preview() -> None:
        with page.expect_response(lambda r: r.url.endswith("/pairings/previews")):
            page.get_by_role("button", name="Preview pairings").click()

    until(
        preview,
        lambda: expect(pair).to_contain_text(MENTOR, timeout=5000),
        MATCHING_WAIT_SECONDS,
    )
    expect(page.locator("#pairs")).not_to_contain_text(re.compile("[0-9a-f]{8}-"))
    page.get_by_role("button", name="Publish these pairings").click()
    expect(page.locator("#publish-out")).to_contain_text("Published 1 pair:")
    path.shoot(page, "coordinator-pairings-published")


def a_suggested_group_is_formed(path: MainPath, page: Page) -> None:
    page.goto(f"{path.site.url}/teams/{page_team(page)}/coordinate/group-builder")
    page.get_by_label("Smallest group").fill("1")
    page.get_by_label("Largest group").fill("6")
    group = page.locator("#suggested li").first

    def suggest() -> None:
        with page.expect_response(lambda r: r.url.endswith("/group-suggestions")):
            page.get_by_role("button", name="Suggest").click()

    until(
        suggest,
        lambda: expect(group).to_contain_text(
            re.compile(f"({MENTOR}.*{MENTEE}|{MENTEE}.*{MENTOR})"), timeout=5000
        ),
        MATCHING_WAIT_SECONDS,
    )
    page.get_by_role("button", name="Form Group 1").click()
    expect(page.get_by_role("button", name="Formed Group 1")).to_be_disabled()
    path.shoot(page, "coordinator-group-builder")


def add_central_entry(site: Site, title: str) -> tuple[str, str]:
    url = f"https://example.org/guides/{uuid4().hex}"
    added = httpx.post(
        f"{site.url}/api/v1/operator/catalogue/entries",
        json={"url": url, "title": title, "resource_type": "tutorial"},
        headers={"X-Carrel-Operator-Key": site.operator_key},
        timeout=30,
    )
    assert added.status_code == 201, added.text
    return str(added.json()["id"]), url


def share_once(page: Page) -> Response:
    with page.expect_response(
        lambda r: r.url.endswith("/shares") and r.request.method == "POST"
    ) as shared:
        page.get_by_role("button", name="Share", exact=True).click()
    return shared.value


def a_resource_is_shared_with_a_member_and_a_group(
    path: MainPath, page: Page, title: str
) -> None:
    sharing = f"{path.site.url}/teams/{page_team(page)}/coordinate/sharing"
    groups = page.get_by_label("Group", exact=True)

    def open_sharing() -> None:
        page.goto(sharing)
        page.get_by_label("Find a resource").fill(title)
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_label("Resource", exact=True)).to_contain_text(title)

    until(
        open_sharing,
        lambda: expect(groups).to_contain_text("Group 1 (2)", timeout=2000),
        LIVE_WAIT_MS / 1000,
    )
    page.get_by_role("radio", name="chosen members").check()
    page.get_by_role("checkbox", name=re.compile(f"^{MENTEE}")).check()
    assert share_once(page).status == 201
    expect(page.locator("#shared-out")).to_have_text("Shared with 1 person.")

    page.get_by_role("radio", name="a group").check()
    expect(groups).to_be_visible()

    def shared_with_the_group() -> None:
        assert share_once(page).status == 201

    until(lambda: None, shared_with_the_group, LIVE_WAIT_MS / 1000)
    expect(page.locator("#shared-out")).to_have_text("Shared with 2 people.")
    path.shoot(page, "coordinator-sharing")


def the_shared_resource_opens_from_the_member_s_list(
    path: MainPath, member: Page, resource: tuple[str, str], title: str
) -> None:
    resource_id, url = resource
    team = page_team(member)
    member.goto(f"{path.site.url}/teams/{team}/resources")
    # Shared twice: with the member, and with their group.
    shared = member.locator("#shared").get_by_role("link", name=title).first
    expect(shared).to_have_attribute("href", f"/teams/{team}/resources/{resource_id}")
    path.shoot(member, "member-resources-shared")

    opened = member.request.get(
        f"{path.site.url}/teams/{team}/resources/{resource_id}", max_redirects=0
    )
    assert opened.status == 303
    assert opened.headers["location"].rstrip("/") == url


def csv_rows_bring_links_and_reasons(path: MainPath, page: Page) -> None:
    page.goto(f"{path.site.url}/teams/{page_team(page)}/coordinate/invitations")
    people = f"name,email,role\nIda,ida-{uuid4().hex[:6]}@example.org,mentee\n"
    people += "Jon,not an address,mentor\n"
    page.get_by_label("CSV file").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": people.encode()}
    )
    page.get_by_role("button", name="Upload and invite").click()

    invited = page.locator('#report tr[data-row="2"]')
    expect(invited).to_contain_text("invited")
    first_link = str(invited.get_by_role("link").get_attribute("href"))
    assert "/invitations/" in first_link and "token=" in first_link
    expect(page.locator('#report tr[data-row="3"]')).to_contain_text("refused")
    expect(page.locator('#report tr[data-row="3"] a')).to_have_count(0)
    invited.get_by_role("button", name="Resend to row 2").click()
    expect(invited.get_by_role("link")).not_to_have_attribute("href", first_link)
    path.shoot(page, "coordinator-invitations-csv")


def a_member_signs_in_with_a_link_the_coordinator_issued(
    path: MainPath, page: Page
) -> None:
    issue = page.get_by_role("button", name=f"Sign-in link for {MENTEE}")
    expect(issue).to_be_visible(timeout=LIVE_WAIT_MS)
    issue.click()
    link = page.locator("#members [data-sign-in-link]")
    expect(link).to_have_count(1)
    path.shoot(page, "coordinator-sign-in-link")

    member = path.watch(path.browser.new_context().new_page())
    member.goto(str(link.get_attribute("href")))
    member.get_by_role("button", name="Sign in").click()
    expect(member.get_by_role("heading", name="My teams")).to_be_visible()
    expect(member.get_by_role("link", name=TEAM)).to_be_visible()


def test_a_coordinator_maps_narrows_pairs_groups_shares_and_invites(
    browser: Browser, site: Site
) -> None:
    path = CoordinatorPath(browser, site)
    founded = found_team(site, TEAM)
    dashboard = path.watch(
        sign_in_as_coordinator(browser, founded["sign_in_link"], TEAM)
    )
    invitations = path.watch(dashboard.context.new_page())
    invitations.goto(f"{site.url}/teams/{founded['team_id']}/coordinate/invitations")
    mentor_link = path.invite(invitations, "Maya", "mentor")
    mentee_link = path.invite(invitations, "Theo", "mentee")

    mentor, taught = mentor_offers_skills(path, mentor_link, MENTOR)
    give_a_place(mentor, "Columbus", "Ohio", 39.96, -83.0)
    mentee = mentee_wants_to_learn(path, mentee_link, MENTEE, taught)
    give_a_place(mentee, "Ann Arbor", "Michigan", 42.28, -83.74)
    put_section(mentee, "interests", {"interests": [INTEREST]})
    put_section(dashboard, "availability", {"available": False})

    expect(dashboard.locator("#map circle")).to_have_count(2, timeout=LIVE_WAIT_MS)
    path.shoot(dashboard, "coordinator-dashboard-map")

    mentee.goto(f"{site.url}/teams/{founded['team_id']}/directory")
    referral_errors_show_next_to_their_fields(path, mentee)

    coordinator = path.watch(dashboard.context.new_page())
    coordinator.goto(f"{site.url}/teams/{founded['team_id']}/directory")
    directory_facets_filter(path, coordinator, taught[0])
    pairs_are_previewed_by_name_and_published(path, coordinator)
    a_suggested_group_is_formed(path, coordinator)

    title = f"Metadata for beginners {uuid4().hex[:6]}"
    resource = add_central_entry(site, title)
    a_resource_is_shared_with_a_member_and_a_group(path, coordinator, title)
    the_shared_resource_opens_from_the_member_s_list(path, mentee, resource, title)

    csv_rows_bring_links_and_reasons(path, invitations)
    a_member_signs_in_with_a_link_the_coordinator_issued(path, invitations)
    assert path.errors == []
