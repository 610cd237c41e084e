"""How soon a newcomer sees ranked mentors: from a finished profile to candidates.

Every Carrel process runs as in use (``carrel_demo.isolated``). Through the
gateway, a team is founded and filled with mentors who offer skills (not
timed). Then newcomers arrive one after another: each is invited, accepts,
and finishes the smallest profile matching needs, their learning goals and
the mentee role (not timed). The clock starts when the last of those writes
is accepted and stops when the newcomer's own candidates page first lists a
mentor; it is polled every 50 ms, so a figure may be up to 50 ms late. The
path measured is profile event → relay → Kafka → matching → its read API.

    .venv/bin/python -m bench.onboarding [--quick] [-n N] [--mentors M]

Needs the local stack (``eval "$(deploy/local/stack env)"``).
"""

import argparse
import asyncio
import os
import random
import statistics
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from carrel_demo.isolated import Isolation, isolated_carrel
from carrel_events.settings import StackSettings

from bench import harness
from bench.gateway_writes import (
    GATEWAY_SETTINGS,
    LOGS,
    READY_WITHIN_SECONDS,
    SKILLS,
    Person,
    found_team,
    invite,
    raise_capacity,
    refuse_cookies,
)

POLL_SECONDS = 0.05
GIVE_UP_SECONDS = 120.0


async def offer_skills(
    http: httpx.AsyncClient, mentor: Person, rng: random.Random
) -> None:
    """A mentor's smallest profile: skills to teach and the mentor role."""
    skills = [
        {"skill_id": skill, "proficiency": rng.randint(3, 5)}
        for skill in rng.sample(SKILLS, 3)
    ]
    for section, body in (
        ("skills", {"skills": skills}),
        ("mentoring", {"roles": ["mentor"], "mentor_capacity": 5}),
    ):
        answer = await http.put(
            f"/api/v1/me/profile/{section}", json=body, headers=mentor.headers
        )
        answer.raise_for_status()


async def first_candidates(
    http: httpx.AsyncClient, team_id: str, newcomer: Person, rng: random.Random
) -> float:
    """Seconds from the newcomer's finished profile to their first candidates."""
    goals = {"skill_ids": rng.sample(SKILLS, 2)}
    written = await http.put(
        "/api/v1/me/profile/learning-goals", json=goals, headers=newcomer.headers
    )
    written.raise_for_status()
    mentee = {"roles": ["mentee"], "mentor_capacity": 0}
    finished = await http.put(
        "/api/v1/me/profile/mentoring", json=mentee, headers=newcomer.headers
    )
    finished.raise_for_status()
    started = time.perf_counter()
    deadline = started + GIVE_UP_SECONDS
    while time.perf_counter() < deadline:
        answer = await http.get(
            f"/api/v1/teams/{team_id}/candidates", headers=newcomer.headers
        )
        if answer.is_success and answer.json().get("candidates"):
            return time.perf_counter() - started
        await asyncio.sleep(POLL_SECONDS)
    raise RuntimeError(f"no candidates within {GIVE_UP_SECONDS:.0f} s")


async def drive(base_url: str, newcomers: int, mentors: int) -> list[float]:
    rng = random.Random(harness.SEED)
    async with harness.client(base_url, 4) as http:
        refuse_cookies(http)
        team_id, coordinator = await found_team(http)
        await raise_capacity(http, team_id, coordinator)
        for index in range(mentors):
            mentor = await invite(http, team_id, coordinator, "mentor", index)
            await offer_skills(http, mentor, rng)
        waits = []
        # The first newcomer warms every path up and is not counted.
        for index in range(newcomers + 1):
            newcomer = await invite(http, team_id, coordinator, "mentee", index)
            waits.append(await first_candidates(http, team_id, newcomer, rng))
        return waits[1:]


async def measure(newcomers: int, mentors: int) -> list[float]:
    run = Isolation.new("bench_onboard")
    async with isolated_carrel(
        StackSettings(), run, LOGS / run.name, GATEWAY_SETTINGS, READY_WITHIN_SECONDS
    ):
        return await drive(run.gateway_url, newcomers, mentors)


def nearest_rank(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run")
    parser.add_argument("-n", "--newcomers", type=int, default=40)
    parser.add_argument("--mentors", type=int, default=20)
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.newcomers, arguments.mentors = 3, 2
    waits = sorted(asyncio.run(measure(arguments.newcomers, arguments.mentors)))
    figures: dict[str, Any] = {
        "benchmark": "onboarding",
        "quick": arguments.quick,
        "recorded_at": datetime.now(UTC).isoformat(),
        "cores": os.cpu_count() or 0,
        "setup": {"newcomers": len(waits), "mentors": arguments.mentors},
        "seed": harness.SEED,
        "median_ms": round(statistics.median(waits) * 1000, 1),
        "p99_ms": round(nearest_rank(waits, 0.99) * 1000, 1),
        "max_ms": round(waits[-1] * 1000, 1),
        "poll_ms": POLL_SECONDS * 1000,
    }
    print(
        f"onboarding: newcomers={len(waits)} mentors={arguments.mentors} "
        f"seed={harness.SEED} cores={figures['cores']} {harness.SAME_MACHINE}"
    )
    print(
        f"  finished profile -> first ranked mentor: median {figures['median_ms']} ms,"
        f" p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms"
    )
    harness.write_json("onboarding", figures)


if __name__ == "__main__":
    main()
