"""Reading a team's members while people join it, on the real PostgreSQL.

A read that loaded the team twice could pair the member list of the later
load with the earlier one, which knew nothing of a member who had just
joined: the read answered 404 ("no member ...") for a team that exists.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID, uuid4

import httpx
import pytest
from carrel_teams.testing import as_member

pytestmark = pytest.mark.integration

JOINERS = 24
READERS = 3


def invite(client: httpx.Client, team_id: UUID, coordinator: UUID) -> tuple[str, str]:
    person = uuid4()
    invited = client.post(
        f"/api/v1/teams/{team_id}/invitations",
        json={"name": "P", "email": f"{person.hex}@example.org", "roles": ["mentee"]},
        headers=as_member(coordinator),
    )
    invited.raise_for_status()
    return invited.json()["id"], invited.json()["link"].rsplit("token=", 1)[1]


def test_members_are_read_whole_while_people_join(base_url: str) -> None:
    coordinator = uuid4()
    with httpx.Client(base_url=base_url, timeout=30) as client:
        created = client.post(
            "/api/v1/teams",
            json={"name": "Busy", "kind": "library", "settings": {}},
            headers=as_member(coordinator),
        )
        created.raise_for_status()
        team_id = UUID(created.json()["id"])
        invitations = [invite(client, team_id, coordinator) for _ in range(JOINERS)]

    joined = threading.Event()
    statuses: list[int] = []
    refusals: list[str] = []

    def accept(invitation: tuple[str, str]) -> int:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            return client.post(
                f"/api/v1/invitations/{invitation[0]}/accept",
                json={"token": invitation[1]},
                headers=as_member(uuid4()),
            ).status_code

    def read() -> None:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            while not joined.is_set():
                answer = client.get(f"/api/v1/teams/{team_id}/members")
                statuses.append(answer.status_code)
                if answer.status_code != 200:
                    refusals.append(answer.text)

    with ThreadPoolExecutor(READERS) as readers:
        reading = [readers.submit(read) for _ in range(READERS)]
        with ThreadPoolExecutor(4) as joiners:
            accepted = list(joiners.map(accept, invitations))
        joined.set()
        for future in reading:
            future.result()

    assert accepted == [200] * JOINERS
    assert statuses, "no read ran while people joined"
    assert set(statuses) == {200}, refusals[:3]
