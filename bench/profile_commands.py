"""How many profile commands per second the service sustains, and how fast.

Starts the profile API with uvicorn in its own process, on 127.0.0.1, with
its event store in a fresh schema of the ``carrel_test`` database; creates a
pool of profiles; then sends N section commands (each of the ten sections in
turn: details, skills, interests, learning goals, aspirations, location,
mentoring, private preferences, availability, visibility; each to a profile
of the pool) from C concurrent clients with httpx, prints commands/s with
median and p99 latency, and writes them to
``bench/results/profile_commands.json``.

    .venv/bin/python -m bench.profile_commands [--quick] [-n N] [-c C] [-p P]

Run it from the repository root. Needs the local stack's PostgreSQL
(``CARREL_PG_DSN``).
"""

import asyncio
import random
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from carrel_profile.settings import ProfileSettings

from bench import harness

SKILLS = [
    "esco.classify-library-materials",
    "esco.develop-information-standards",
    "esco.digital-curation",
    "onet.tech.worldcat",
    "esco.manage-staff",
]
TITLES = ["Metadata Librarian", "Archivist", "Library Director"]


def command(index: int) -> tuple[str, dict[str, Any]]:
    """The section and body of the ``index``-th command of the run."""
    rng = random.Random(harness.SEED + index)
    section, body = SECTIONS[index % len(SECTIONS)]
    return section, body(rng)


def _details(rng: random.Random) -> dict[str, Any]:
    return {
        "display_name": "Bench Member",
        "headline": rng.choice(["Cataloguer", "Archivist", "Systems librarian"]),
        "years_of_experience": rng.randint(0, 40),
        "languages": rng.sample(["en", "fr", "es"], 2),
    }


def _skills(rng: random.Random) -> dict[str, Any]:
    picked = rng.sample(SKILLS, 3)
    return {
        "skills": [{"skill_id": s, "proficiency": rng.randint(1, 5)} for s in picked]
    }


def _location(rng: random.Random) -> dict[str, Any]:
    return {
        "city": "Anchorage",
        "country": "US",
        "latitude": 61 + rng.random(),
        "longitude": -150 + rng.random(),
        "time_zone": "America/Anchorage",
    }


def _availability(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.5:
        return {"available": True}
    return {"available": False, "paused_until": f"2099-0{rng.randint(1, 9)}-15"}


def _visibility(rng: random.Random) -> dict[str, Any]:
    scopes = ["team", "consortium", "private"]
    return {"sections": {"skills": rng.choice(scopes), "interests": rng.choice(scopes)}}


SECTIONS: list[tuple[str, Callable[[random.Random], dict[str, Any]]]] = [
    ("details", _details),
    ("skills", _skills),
    (
        "interests",
        lambda r: {"interests": r.sample(["maps", "zines", "IIIF", "OCR"], 2)},
    ),
    ("learning-goals", lambda r: {"skill_ids": r.sample(SKILLS, 2)}),
    ("aspirations", lambda r: {"target_roles": [r.choice(TITLES)]}),
    ("location", _location),
    (
        "mentoring",
        lambda r: {"roles": ["mentor"], "mentor_capacity": r.randint(1, 5)},
    ),
    (
        "private-preferences",
        lambda r: {"wants_shared_identity": r.random() < 0.5, "note": "bench"},
    ),
    ("availability", _availability),
    ("visibility", _visibility),
]
"""Every section command of the service, sent in turn."""


async def drive(
    base_url: str, profiles: int, total: int, concurrency: int, repeats: int
) -> harness.Tally:
    """Creates the profiles (not timed); times ``total`` commands, ``repeats`` times."""
    tally = harness.Tally()
    async with harness.client(base_url, concurrency) as http:
        members = await create_profiles(http, profiles, concurrency)

        async def one_command(index: int) -> None:
            section, body = command(index)
            member = members[index % len(members)]
            url = f"/api/v1/profiles/{member}/{section}"
            await tally.send(http, "PUT", url, body=body)

        for repeat in range(repeats):
            await tally.run_rounds(
                total, concurrency, one_command, first=repeat * total
            )
    return tally


async def create_profiles(
    http: httpx.AsyncClient, count: int, concurrency: int
) -> list[str]:
    """``count`` new profiles; their members' ids."""
    members = [str(uuid.uuid4()) for _ in range(count)]
    gate = asyncio.Semaphore(concurrency)

    async def create(member: str) -> None:
        async with gate:
            body = {"id": member, "display_name": f"Bench {member[:8]}"}
            answer = await http.post("/api/v1/profiles", json=body)
            answer.raise_for_status()

    await asyncio.gather(*(create(member) for member in members))
    return members


def main() -> None:
    """Runs the benchmark with the sizes of the command line."""
    parser = harness.command_line(__doc__.splitlines()[0], commands=2000)
    parser.add_argument("-p", "--profiles", type=int, default=500)
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.commands, arguments.profiles = 200, 50
    pg_dsn = ProfileSettings().pg_dsn
    with (
        harness.scratch_schema(pg_dsn, "profile") as schema,
        harness.running_service("profile", schema) as url,
    ):
        tally = asyncio.run(
            drive(
                url,
                arguments.profiles,
                arguments.commands,
                arguments.concurrency,
                harness.repeats_of(arguments),
            )
        )
    setup = {"profiles": arguments.profiles}
    result = harness.figures("profile_commands", tally, setup, arguments.quick)
    harness.report("profile commands", result)


if __name__ == "__main__":
    main()
