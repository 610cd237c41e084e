"""How many teams commands per second the service sustains, and how fast.

Starts the teams API with uvicorn in its own process on 127.0.0.1, its event
store in a fresh schema of the ``carrel_test`` database. Through the API it
builds a team (mentors and mentees invited and joined; not timed), then runs
mentorships end to end from C concurrent clients: a mentee requests a random
mentor, the mentor accepts, the pair logs a session and the mentor ends it.
Each of those is one timed command, N in all. Accepts of the same mentor may
collide on the mentor's load; the service re-reads and retries them. The
figures are printed and written to ``bench/results/teams_commands.json``.

    .venv/bin/python -m bench.teams_commands [--quick] [-n N] [-c C]

Run it from the repository root. Needs the local stack's PostgreSQL
(``CARREL_PG_DSN``).
"""

import asyncio
import random
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from carrel_teams.settings import TeamsSettings

from bench import harness

STEPS_PER_MENTORSHIP = 4
# The expiry sweep would add its own writes to the timed ones.
NO_EXPIRY_SWEEP = {"CARREL_EXPIRY_INTERVAL_SECONDS": "0"}


@dataclass(frozen=True)
class Team:
    """The team the mentorships run in, with the ids of its people."""

    team_id: str
    coordinator: str
    mentors: list[str]
    mentees: list[str]


def member(person: str) -> dict[str, str]:
    """The header that names who is acting."""
    return {"X-Carrel-Member": person}


async def build_team(
    http: httpx.AsyncClient, mentors: int, mentees: int, concurrency: int
) -> Team:
    """A library team with ``mentors`` mentors and ``mentees`` mentees joined."""
    coordinator = str(uuid.uuid4())
    created = await http.post(
        "/api/v1/teams",
        json={
            "name": "Bench Library",
            "kind": "library",
            "settings": {"default_mentor_capacity": 20},
        },
        headers=member(coordinator),
    )
    created.raise_for_status()
    team_id = created.json()["id"]
    gate = asyncio.Semaphore(concurrency)

    async def join(role: str) -> str:
        async with gate:
            return await invite_and_accept(http, team_id, coordinator, role)

    joined = await asyncio.gather(
        *(join("mentor") for _ in range(mentors)),
        *(join("mentee") for _ in range(mentees)),
    )
    return Team(team_id, coordinator, joined[:mentors], joined[mentors:])


async def invite_and_accept(
    http: httpx.AsyncClient, team_id: str, coordinator: str, role: str
) -> str:
    """A new person invited in ``role`` who accepts; their member id."""
    person = str(uuid.uuid4())
    invited = await http.post(
        f"/api/v1/teams/{team_id}/invitations",
        json={"name": "Bench", "email": f"{person}@example.org", "roles": [role]},
        headers=member(coordinator),
    )
    invited.raise_for_status()
    token = invited.json()["link"].rsplit("token=", 1)[1]
    accepted = await http.post(
        f"/api/v1/invitations/{invited.json()['id']}/accept",
        json={"token": token},
        headers=member(person),
    )
    accepted.raise_for_status()
    return person


async def one_mentorship(
    http: httpx.AsyncClient, team: Team, index: int, tally: harness.Tally
) -> None:
    """Request, accept, one session, end: four timed commands, fewer on refusal."""
    rng = random.Random(harness.SEED + index)
    mentor, mentee = rng.choice(team.mentors), rng.choice(team.mentees)
    asked = await tally.send(
        http,
        "POST",
        f"/api/v1/teams/{team.team_id}/mentorships",
        mentee,
        {"mentor_id": mentor, "message": "Would you mentor me?"},
    )
    if not asked.is_success:
        return
    url = f"/api/v1/mentorships/{asked.json()['id']}"
    steps: list[tuple[str, str, dict[str, Any]]] = [
        (f"{url}/accept", mentor, {}),
        (f"{url}/sessions", mentee, {"held_on": "2026-03-03", "minutes": 45}),
        (f"{url}/end", mentor, {"outcome": "completed"}),
    ]
    for step_url, person, body in steps:
        if not (await tally.send(http, "POST", step_url, person, body)).is_success:
            return


async def drive(
    base_url: str,
    total: int,
    concurrency: int,
    team_size: tuple[int, int],
    repeats: int,
) -> harness.Tally:
    """Builds the team (not timed); times ``total`` commands, ``repeats`` times."""
    tally = harness.Tally()
    async with harness.client(base_url, concurrency) as http:
        team = await build_team(http, *team_size, concurrency)

        async def mentorship(index: int) -> None:
            await one_mentorship(http, team, index, tally)

        rounds = total // STEPS_PER_MENTORSHIP
        for repeat in range(repeats):
            await tally.run_rounds(
                rounds, concurrency, mentorship, first=repeat * rounds
            )
    return tally


def main() -> None:
    """Runs the benchmark with the sizes of the command line."""
    parser = harness.command_line(__doc__.splitlines()[0], commands=2000)
    parser.add_argument("--mentors", type=int, default=40)
    parser.add_argument("--mentees", type=int, default=200)
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.commands, arguments.mentors, arguments.mentees = 200, 10, 20
    pg_dsn = TeamsSettings().pg_dsn
    with (
        harness.scratch_schema(pg_dsn, "teams") as schema,
        harness.running_service("teams", schema, NO_EXPIRY_SWEEP) as url,
    ):
        tally = asyncio.run(
            drive(
                url,
                arguments.commands,
                arguments.concurrency,
                (arguments.mentors, arguments.mentees),
                harness.repeats_of(arguments),
            )
        )
    setup = {"mentors": arguments.mentors, "mentees": arguments.mentees}
    result = harness.figures("teams_commands", tally, setup, arguments.quick)
    harness.report("teams commands", result)


if __name__ == "__main__":
    main()
