"""A small mentorship programme made through the gateway, as people would.

Two teams of the same shape: a coordinator, two mentors, three mentees, each
with a profile that has a private part; a mentorship with a session whose
notes are private to its pair; a group; a resource shared with the team.
The fault tests read it, attack it and count it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any
from uuid import UUID, uuid4

import httpx
from carrel_gateway.testing import OPERATOR_KEY

API = "/api/v1"
PRIVATE_NOTE = "private-note-7f3a: please never show this"
SESSION_NOTE = "session-note-c91e: only the pair reads this"
IDENTITY = "identity-b2d4"


@dataclass(frozen=True)
class Person:
    """A signed-in member of one team."""

    member_id: UUID
    team_id: UUID
    token: str
    name: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Team:
    """One team of the programme and what was made in it."""

    team_id: UUID
    coordinator: Person
    mentors: list[Person] = field(default_factory=list)
    mentees: list[Person] = field(default_factory=list)
    mentorship_id: UUID | None = None
    group_id: UUID | None = None
    share_id: UUID | None = None
    invitation_id: UUID | None = None

    @property
    def people(self) -> list[Person]:
        return [self.coordinator, *self.mentors, *self.mentees]


def client(base_url: str, timeout: float = 30.0) -> httpx.Client:
    """A client of the gateway's API that keeps no cookies.

    The gateway answers a sign-in with a cookie as well; kept, it would make
    the next call act for whoever signed in last.
    """
    no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return httpx.Client(base_url=base_url + API, timeout=timeout, cookies=no_cookies)


def ok(answer: httpx.Response) -> Any:
    assert answer.is_success, (
        f"{answer.request.url}: {answer.status_code} {answer.text}"
    )
    return answer.json() if answer.content else None


def token_in(link: str) -> str:
    return link.split("token=", 1)[1]


def found_team(http: httpx.Client, name: str, kind: str = "library") -> Person:
    """A team founded by the operator, and its coordinator signed in."""
    founded = ok(
        http.post(
            "/operator/teams",
            json={"name": name, "kind": kind, "coordinator_name": f"{name} lead"},
            headers={"X-Carrel-Operator-Key": OPERATOR_KEY},
        )
    )
    session = ok(
        http.post(
            "/sessions/sign-in-link", json={"token": token_in(founded["sign_in_link"])}
        )
    )
    return Person(
        UUID(founded["coordinator_id"]),
        UUID(founded["team_id"]),
        session["access_token"],
        f"{name} lead",
    )


def invite(
    http: httpx.Client, coordinator: Person, roles: list[str], name: str
) -> Person:
    """Invite a newcomer and accept as them: the new member, signed in."""
    invited = ok(
        http.post(
            f"/teams/{coordinator.team_id}/invitations",
            json={
                "name": name,
                "email": f"{uuid4().hex[:12]}@example.org",
                "roles": roles,
            },
            headers=coordinator.headers,
        )
    )
    accepted = ok(
        http.post(
            "/sessions/invitation",
            json={
                "invitation_id": invited["id"],
                "token": token_in(invited["link"]),
                "display_name": name,
            },
        )
    )
    return Person(
        UUID(accepted["member_id"]), coordinator.team_id, accepted["access_token"], name
    )


def fill_profile(http: httpx.Client, person: Person, roles: list[str]) -> None:
    """Public sections and a private one, as the person."""
    sections: list[tuple[str, dict[str, Any]]] = [
        ("details", {"display_name": person.name, "headline": "Reference librarian"}),
        (
            "skills",
            {"skills": [{"skill_id": "esco.digital-curation", "proficiency": 3}]},
        ),
        ("interests", {"interests": ["digital scholarship"]}),
        (
            "mentoring",
            {"roles": roles, "mentor_capacity": 2 if "mentor" in roles else 0},
        ),
        (
            "private-preferences",
            {
                "identities": [IDENTITY],
                "wants_shared_identity": True,
                "note": PRIVATE_NOTE,
            },
        ),
    ]
    for section, body in sections:
        ok(http.put(f"/me/profile/{section}", json=body, headers=person.headers))


def request_mentorship(http: httpx.Client, mentee: Person, mentor: Person) -> UUID:
    answer = ok(
        http.post(
            f"/teams/{mentee.team_id}/mentorships",
            json={"mentor_id": str(mentor.member_id), "message": "Could you help me?"},
            headers=mentee.headers,
        )
    )
    return UUID(answer["id"])


def accept_and_meet(http: httpx.Client, mentor: Person, mentorship_id: UUID) -> None:
    """The mentor accepts and logs a first session with private notes."""
    base = f"/teams/{mentor.team_id}/mentorships/{mentorship_id}"
    ok(http.post(f"{base}/accept", json={}, headers=mentor.headers))
    held_on = (date.today() - timedelta(days=1)).isoformat()
    ok(
        http.post(
            f"{base}/sessions",
            json={"held_on": held_on, "minutes": 45, "notes": SESSION_NOTE},
            headers=mentor.headers,
        )
    )


def make_team(http: httpx.Client, name: str) -> Team:
    """A team with people, a mentorship, a group and a share."""
    coordinator = found_team(http, name)
    team = Team(coordinator.team_id, coordinator)
    for n in range(2):
        team.mentors.append(invite(http, coordinator, ["mentor"], f"{name} mentor {n}"))
    for n in range(3):
        team.mentees.append(invite(http, coordinator, ["mentee"], f"{name} mentee {n}"))
    for person in team.mentors:
        fill_profile(http, person, ["mentor"])
    for person in team.mentees:
        fill_profile(http, person, ["mentee"])
    team.mentorship_id = request_mentorship(http, team.mentees[0], team.mentors[0])
    accept_and_meet(http, team.mentors[0], team.mentorship_id)
    team.group_id = _make_group(http, team)
    team.share_id = _share_an_entry(http, team)
    team.invitation_id = _pending_invitation(http, coordinator)
    _wait_for_the_read_side(http, team)
    return team


def _wait_for_the_read_side(http: httpx.Client, team: Team) -> None:
    """Until the projection knows every member: it answers 404 to strangers.

    Right after joining, a member's directory read waits for the projection
    to take the join; the tests measure faults, not that moment.
    """
    path = f"/teams/{team.team_id}/directory"
    for person in team.people:
        ok(eventually(partial(http.get, path, headers=person.headers)))


def _make_group(http: httpx.Client, team: Team) -> UUID:
    members = [str(p.member_id) for p in team.mentees[:2]]
    answer = ok(
        http.post(
            f"/teams/{team.team_id}/groups",
            json={"name": "Readers", "member_ids": members},
            headers=team.coordinator.headers,
        )
    )
    return UUID(answer["id"])


def _share_an_entry(http: httpx.Client, team: Team) -> UUID:
    """The operator adds an entry to the central index; the coordinator shares it.

    The resources service learns the team's members from teams.events, so the
    share is tried again until it has.
    """
    entry = ok(
        http.post(
            "/operator/catalogue/entries",
            json={
                "url": f"https://example.org/{uuid4().hex}",
                "title": "Metadata for digital collections",
                "resource_type": "tutorial",
                "topics": ["metadata"],
            },
            headers={"X-Carrel-Operator-Key": OPERATOR_KEY},
        )
    )
    body = {
        "resource_id": entry["id"],
        "audience": {"kind": "team"},
        "note": "Worth it",
    }
    path = f"/teams/{team.team_id}/shares"
    answer = eventually(
        lambda: http.post(path, json=body, headers=team.coordinator.headers)
    )
    return UUID(ok(answer)["id"])


def eventually(
    call: Callable[[], httpx.Response], within_seconds: float = 60.0
) -> httpx.Response:
    """The first answer that is a success, or the last one after the deadline.

    For calls that depend on another service having read an event first.
    """
    deadline = time.monotonic() + within_seconds
    while True:
        answer = call()
        if answer.is_success or time.monotonic() > deadline:
            return answer
        time.sleep(0.3)


def _pending_invitation(http: httpx.Client, coordinator: Person) -> UUID:
    invited = ok(
        http.post(
            f"/teams/{coordinator.team_id}/invitations",
            json={
                "name": "Pending",
                "email": f"{uuid4().hex[:12]}@example.org",
                "roles": ["mentee"],
            },
            headers=coordinator.headers,
        )
    )
    return UUID(invited["id"])


@dataclass(frozen=True)
class Programme:
    """Two teams that must never see into each other."""

    alder: Team
    birch: Team
