"""How many writes per second pass through the gateway, and how fast.

Starts every Carrel process with the demo's supervisor, as the browser tests
do (``carrel_demo.isolated``): the gateway, the profile, teams, resources and
matching services, their relays and consumers and the projection, each in its
own process on 127.0.0.1, with PostgreSQL schemas, Kafka topics, consumer
groups and an OpenSearch prefix of the run's own. So the writes are timed
with the whole stack busy behind them, as in use.

Through the gateway, as its clients do: the operator founds a team, its
coordinator signs in with the one-time link, raises the team's mentor
capacity, and invites mentors and mentees, who accept and are signed in
(bearer tokens; none of this is timed). Then C concurrent clients run
mentoring journeys, eight timed commands each:

    mentee  PUT  /me/profile/details     mentor  PUT  /me/profile/interests
    mentee  PUT  /me/profile/skills      mentee  POST .../sessions
    mentee  POST .../mentorships         mentee  POST .../goals
    mentor  POST .../accept              mentor  POST .../end

Three of the eight are profile writes, five mentorship writes; each
mentorship write also makes the gateway check that the mentorship is of the
team (one read of the teams service). Journey ``i`` is mentee ``i`` of the
pool (modulo its size) and a mentor drawn with the fixed seed.

The gateway's rate limits are raised for the run (one client address, a few
hundred members writing flat out); the limiter still counts every write.

    .venv/bin/python -m bench.gateway_writes [--quick] [-n N] [-c C] [-r R]

Needs the local stack (``eval "$(deploy/local/stack env)"``). The processes'
logs are in ``var/log/bench/<run>/``.
"""

import argparse
import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any

import httpx
from carrel_demo.isolated import Isolation, isolated_carrel, isolated_services
from carrel_events.settings import StackSettings
from carrel_gateway.testing import OPERATOR_KEY, SECRET, bearer

from bench import harness

REPO = Path(__file__).resolve().parents[1]
LOGS = REPO / "var" / "log" / "bench"
COMMANDS_PER_JOURNEY = 8
UNLIMITED = "1000000/minute"
GATEWAY_SETTINGS = {
    "CARREL_SESSION_SECRET": SECRET,
    "CARREL_OPERATOR_KEY": OPERATOR_KEY,
    "CARREL_SIGN_IN_RATE": UNLIMITED,
    "CARREL_WRITE_RATE": UNLIMITED,
}
READY_WITHIN_SECONDS = 300.0
SKILLS = [
    "esco.classify-library-materials",
    "esco.develop-information-standards",
    "esco.digital-curation",
    "onet.tech.worldcat",
    "esco.manage-staff",
]
INTERESTS = ["maps", "zines", "IIIF", "OCR", "rare books", "oral history"]


@dataclass(frozen=True)
class Person:
    """A signed-in member: their id and the headers that carry their token."""

    member_id: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Programme:
    """The team the journeys run in, with its signed-in people."""

    team_id: str
    coordinator: Person
    mentors: list[Person]
    mentees: list[Person]


def refuse_cookies(http: httpx.AsyncClient) -> None:
    """Bearer tokens only: the client keeps no session cookie.

    Sign-ins run concurrently on one client; a cookie one of them set would
    go with the next, and the gateway would take that request for the
    cookie's member (accepting an invitation as someone already in the team).
    """
    http.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))


async def found_team(http: httpx.AsyncClient) -> tuple[str, Person]:
    """A team founded by the operator; its coordinator, signed in."""
    founded = await http.post(
        "/api/v1/operator/teams",
        json={"name": "Bench Library", "kind": "library", "coordinator_name": "Cora"},
        headers={"X-Carrel-Operator-Key": OPERATOR_KEY},
    )
    founded.raise_for_status()
    token = founded.json()["sign_in_link"].split("token=", 1)[1]
    signed_in = await http.post("/api/v1/sessions/sign-in-link", json={"token": token})
    signed_in.raise_for_status()
    coordinator = Person(
        founded.json()["coordinator_id"], bearer(signed_in.json()["access_token"])
    )
    return founded.json()["team_id"], coordinator


async def raise_capacity(
    http: httpx.AsyncClient, team_id: str, coordinator: Person
) -> None:
    """Every mentor may take 20 mentees: a journey ends before the next starts."""
    team = await http.get(f"/api/v1/teams/{team_id}", headers=coordinator.headers)
    team.raise_for_status()
    settings = team.json()["settings"] | {"default_mentor_capacity": 20}
    changed = await http.put(
        f"/api/v1/teams/{team_id}/settings",
        json={"settings": settings},
        headers=coordinator.headers,
    )
    changed.raise_for_status()


async def invite(
    http: httpx.AsyncClient, team_id: str, coordinator: Person, role: str, index: int
) -> Person:
    """A new person invited in ``role`` who accepts; signed in."""
    invited = await http.post(
        f"/api/v1/teams/{team_id}/invitations",
        json={
            "name": f"Bench {role} {index}",
            "email": f"bench-{role}-{index}@example.org",
            "roles": [role],
        },
        headers=coordinator.headers,
    )
    invited.raise_for_status()
    accepted = await http.post(
        "/api/v1/sessions/invitation",
        json={
            "invitation_id": invited.json()["id"],
            "token": invited.json()["link"].split("token=", 1)[1],
            "display_name": f"Bench {role} {index}",
        },
    )
    accepted.raise_for_status()
    body = accepted.json()
    return Person(body["member_id"], bearer(body["access_token"]))


async def build_programme(
    http: httpx.AsyncClient, mentors: int, mentees: int, concurrency: int
) -> Programme:
    """The team with its mentors and mentees signed in (not timed)."""
    team_id, coordinator = await found_team(http)
    await raise_capacity(http, team_id, coordinator)
    gate = asyncio.Semaphore(concurrency)

    async def join(role: str, index: int) -> Person:
        async with gate:
            return await invite(http, team_id, coordinator, role, index)

    people = await asyncio.gather(
        *(join("mentor", index) for index in range(mentors)),
        *(join("mentee", index) for index in range(mentees)),
    )
    return Programme(team_id, coordinator, people[:mentors], people[mentors:])


def profile_body(section: str, rng: random.Random, name: str) -> dict[str, Any]:
    """A realistic new state of one profile section."""
    if section == "details":
        return {
            "display_name": name,
            "headline": rng.choice(["Cataloguer", "Archivist", "Map librarian"]),
            "years_of_experience": rng.randint(0, 40),
            "languages": ["en"],
        }
    if section == "skills":
        picked = rng.sample(SKILLS, 3)
        return {
            "skills": [
                {"skill_id": skill, "proficiency": rng.randint(1, 5)}
                for skill in picked
            ]
        }
    return {"interests": rng.sample(INTERESTS, 3)}


async def journey(
    http: httpx.AsyncClient, programme: Programme, index: int, tally: harness.Tally
) -> None:
    """Eight timed commands of one mentorship; fewer if one is refused."""
    rng = random.Random(harness.SEED + index)
    mentee = programme.mentees[index % len(programme.mentees)]
    mentor = rng.choice(programme.mentors)
    for section in ("details", "skills"):
        body = profile_body(section, rng, f"Bench mentee {index}")
        url = f"/api/v1/me/profile/{section}"
        await tally.send(http, "PUT", url, body=body, headers=mentee.headers)
    team = f"/api/v1/teams/{programme.team_id}/mentorships"
    asked = await tally.send(
        http,
        "POST",
        team,
        body={"mentor_id": mentor.member_id, "message": "Would you mentor me?"},
        headers=mentee.headers,
    )
    if not asked.is_success:
        return
    await _mentorship(http, f"{team}/{asked.json()['id']}", mentee, mentor, rng, tally)


async def _mentorship(
    http: httpx.AsyncClient,
    url: str,
    mentee: Person,
    mentor: Person,
    rng: random.Random,
    tally: harness.Tally,
) -> None:
    interests = profile_body("interests", rng, "")
    steps: list[tuple[str, str, Person, dict[str, Any]]] = [
        ("POST", f"{url}/accept", mentor, {}),
        ("PUT", "/api/v1/me/profile/interests", mentor, interests),
        (
            "POST",
            f"{url}/sessions",
            mentee,
            {"held_on": "2026-03-03", "minutes": rng.choice([30, 45, 60])},
        ),
        ("POST", f"{url}/goals", mentee, {"title": "Catalogue a special collection"}),
        ("POST", f"{url}/end", mentor, {"outcome": "completed"}),
    ]
    for method, step_url, person, body in steps:
        answer = await tally.send(
            http, method, step_url, body=body, headers=person.headers
        )
        if not answer.is_success:
            return


async def drive(
    base_url: str, arguments: argparse.Namespace, repeats: int
) -> harness.Tally:
    """Builds the programme (not timed), then ``repeats`` timed runs."""
    tally = harness.Tally()
    async with harness.client(base_url, arguments.concurrency) as http:
        refuse_cookies(http)
        programme = await build_programme(
            http, arguments.mentors, arguments.mentees, arguments.concurrency
        )

        def journeys(into: harness.Tally) -> Callable[[int], Awaitable[None]]:
            async def one_journey(index: int) -> None:
                await journey(http, programme, index, into)

            return one_journey

        # One untimed journey per worker first, so that connections, pools
        # and the gateway's membership cache are warm when the clock starts.
        warm_up = journeys(harness.Tally())
        await harness.Tally().run_rounds(
            arguments.concurrency, arguments.concurrency, warm_up, first=10**6
        )
        one_journey = journeys(tally)
        rounds = max(1, arguments.commands // COMMANDS_PER_JOURNEY)
        for repeat in range(repeats):
            await tally.run_rounds(
                rounds, arguments.concurrency, one_journey, first=repeat * rounds
            )
    return tally


async def measure(arguments: argparse.Namespace) -> harness.Tally:
    """Runs the whole of Carrel for the benchmark, drives it, removes it."""
    run = Isolation.new("bench_gw")
    repeats = harness.repeats_of(arguments)
    async with isolated_carrel(
        StackSettings(), run, LOGS / run.name, GATEWAY_SETTINGS, READY_WITHIN_SECONDS
    ):
        return await drive(run.gateway_url, arguments, repeats)


def main() -> None:
    """Runs the benchmark with the sizes of the command line."""
    parser = harness.command_line(__doc__.splitlines()[0], commands=2000)
    parser.add_argument("--mentors", type=int, default=30)
    parser.add_argument("--mentees", type=int, default=120)
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.commands, arguments.concurrency = 64, 4
        arguments.mentors, arguments.mentees = 3, 8
    if arguments.mentees <= arguments.concurrency:
        parser.error("more mentees than concurrent clients, or journeys collide")
    tally = asyncio.run(measure(arguments))
    setup = {
        "mentors": arguments.mentors,
        "mentees": arguments.mentees,
        "commands_per_journey": COMMANDS_PER_JOURNEY,
        "processes_behind_the_gateway": len(isolated_services(Isolation.new("x"))) - 1,
    }
    result = harness.figures("gateway_writes", tally, setup, arguments.quick)
    harness.report("writes through the gateway (whole stack running)", result)


if __name__ == "__main__":
    main()
