"""Helpers for tests of the teams service and of services that call it.

They live in the package rather than beside the tests because the
workspace's test folders cannot import one another's modules by name.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

import uvicorn
from carrel_events.contracts.teams import ProgrammeSettings

from carrel_teams.application import TeamsApplication
from carrel_teams.domain.team import Team

if TYPE_CHECKING:
    import httpx
    from fastapi import FastAPI


@dataclass
class ManualClock:
    """A clock that moves only when told to."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 9, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Programme:
    """A library team with a coordinator, two mentors and three mentees."""

    team: Team
    coordinator: UUID
    mentors: list[UUID]
    mentees: list[UUID]


def start_programme(teams: TeamsApplication, capacity: int = 1) -> Programme:
    """A team whose members joined directly, without invitations."""
    coordinator = uuid4()
    settings = ProgrammeSettings(default_mentor_capacity=capacity)
    team = teams.create_team("Riverside", "library", settings, coordinator, uuid4())
    mentors, mentees = [uuid4(), uuid4()], [uuid4(), uuid4(), uuid4()]
    for person in mentors:
        team.admit(person, ["mentor"], "invitation", None, uuid4())
    for person in mentees:
        team.admit(person, ["mentee"], "invitation", None, uuid4())
    teams.save(team)
    return Programme(teams.team(team.id), coordinator, mentors, mentees)


@dataclass
class Consortium:
    """A consortium team, its organiser, and the programmes it holds."""

    id: UUID
    organiser: UUID


def start_consortium(
    teams: TeamsApplication, *programmes: Programme, consent: bool = True
) -> Consortium:
    """A consortium of the programmes' teams; each consents unless told not to."""
    organiser = uuid4()
    settings = ProgrammeSettings()
    created = teams.create_team("Valley", "consortium", settings, organiser, uuid4())
    for programme in programmes:
        member_team = programme.team.id
        teams.add_member_team(created.id, member_team, organiser, None, uuid4())
        if consent:
            teams.set_consortium_consent(
                created.id, member_team, True, programme.coordinator, uuid4()
            )
    return Consortium(created.id, organiser)


def as_member(person_id: UUID) -> dict[str, str]:
    """The headers the gateway sends for an authenticated member."""
    return {"X-Carrel-Member": str(person_id)}


@dataclass
class ApiProgramme:
    """A team made through the API: a coordinator, two mentors, three mentees."""

    team_id: UUID
    coordinator: UUID
    mentors: list[UUID]
    mentees: list[UUID]


def join_by_invitation(
    client: httpx.Client, team_id: UUID, coordinator: UUID, roles: list[str]
) -> UUID:
    """Invite a new person and accept for them; their id."""
    person = uuid4()
    invited = client.post(
        f"/api/v1/teams/{team_id}/invitations",
        json={"name": "P", "email": f"{person.hex}@example.org", "roles": roles},
        headers=as_member(coordinator),
    )
    invited.raise_for_status()
    token = invited.json()["link"].rsplit("token=", 1)[1]
    client.post(
        f"/api/v1/invitations/{invited.json()['id']}/accept",
        json={"token": token},
        headers=as_member(person),
    ).raise_for_status()
    return person


def start_programme_through_api(
    client: httpx.Client, capacity: int = 1, mentors: int = 2, mentees: int = 3
) -> ApiProgramme:
    coordinator = uuid4()
    created = client.post(
        "/api/v1/teams",
        json={
            "name": "Riverside",
            "kind": "library",
            "settings": {"default_mentor_capacity": capacity},
        },
        headers=as_member(coordinator),
    )
    created.raise_for_status()
    team_id = UUID(created.json()["id"])
    return ApiProgramme(
        team_id,
        coordinator,
        [
            join_by_invitation(client, team_id, coordinator, ["mentor"])
            for _ in range(mentors)
        ],
        [
            join_by_invitation(client, team_id, coordinator, ["mentee"])
            for _ in range(mentees)
        ],
    )


def start_consortium_through_api(
    client: httpx.Client, *programmes: ApiProgramme, consent: bool = True
) -> Consortium:
    """A consortium of the programmes' teams, made and consented to over HTTP."""
    organiser = uuid4()
    created = client.post(
        "/api/v1/teams",
        json={"name": "Valley", "kind": "consortium"},
        headers=as_member(organiser),
    )
    created.raise_for_status()
    consortium = Consortium(UUID(created.json()["id"]), organiser)
    for programme in programmes:
        client.post(
            f"/api/v1/teams/{consortium.id}/member-teams",
            json={"member_team_id": str(programme.team_id)},
            headers=as_member(organiser),
        ).raise_for_status()
        if consent:
            set_consent_through_api(client, consortium, programme, True)
    return consortium


def set_consent_through_api(
    client: httpx.Client, consortium: Consortium, programme: ApiProgramme, given: bool
) -> None:
    client.put(
        f"/api/v1/teams/{consortium.id}/member-teams/{programme.team_id}/consent",
        json={"consent": given},
        headers=as_member(programme.coordinator),
    ).raise_for_status()


@contextmanager
def running_server(app: FastAPI, start_timeout: float = 30.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free port of 127.0.0.1; its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, daemon=True
    )
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the teams app did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=start_timeout)
        listener.close()
