"""How many resources commands per second the service sustains, and how fast.

Starts the resources API with uvicorn in its own process, on 127.0.0.1, with
its event store in a fresh schema of the ``carrel_test`` database; puts a
team of members into its directory; then sends N commands from C concurrent
clients with httpx (in turn: catalogue an entry, share it with two members,
one opens it, the other completes it), prints commands/s with median and p99
latency, and writes them to ``bench/results/resources_commands.json``.

    .venv/bin/python -m bench.resources_commands [--quick] [-n N] [-c C]

Run it from the repository root. Needs the local stack's PostgreSQL
(``CARREL_PG_DSN``).
"""

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from carrel_events import Envelope
from carrel_events.consumer import Delivery
from carrel_events.contracts import teams
from carrel_events.serialisation import DecodedEvent
from carrel_resources.adapters.listening import DirectoryListener
from carrel_resources.adapters.tables import connect, create_tables
from carrel_resources.settings import ResourcesSettings

from bench import harness

MEMBERS = 50
COMMANDS_PER_ROUND = 4


@dataclass(frozen=True)
class Team:
    """The team the resources are shared in, with the ids of its people."""

    team_id: str
    coordinator: str
    members: list[str]


def a_team(settings: ResourcesSettings) -> Team:
    """A team with a coordinator and members, fed to the directory as events."""
    engine = connect(settings.database_url, settings.resources_schema)
    create_tables(engine)
    team_id, coordinator = uuid.uuid4(), uuid.uuid4()
    members = [uuid.uuid4() for _ in range(MEMBERS)]
    deliveries = [
        _joined(
            team_id,
            person,
            version,
            "coordinator" if person == coordinator else "mentee",
        )
        for version, person in enumerate([coordinator, *members], start=1)
    ]
    DirectoryListener(engine, "bench").apply_all(deliveries)
    engine.dispose()
    return Team(str(team_id), str(coordinator), [str(m) for m in members])


def _joined(team_id: uuid.UUID, person: uuid.UUID, version: int, role: str) -> Delivery:
    payload = teams.MemberJoined(person_id=person, roles=[role], via="invitation")
    envelope = Envelope(
        event_id=uuid.uuid4(),
        event_type="MemberJoined",
        schema_version=1,
        aggregate_type="Team",
        aggregate_id=team_id,
        aggregate_version=version,
        team_id=team_id,
        occurred_at=datetime.now(UTC),
        correlation_id=uuid.uuid4(),
        causation_id=uuid.uuid4(),
        payload=payload.model_dump(mode="json"),
    )
    return Delivery("bench", 0, version, DecodedEvent(envelope, payload))


async def one_round(
    http: httpx.AsyncClient, team: Team, index: int, tally: harness.Tally
) -> None:
    """Four commands: catalogue, share, open, complete."""
    body = {
        "url": f"https://bench.example.org/{uuid.uuid4()}",
        "title": f"Linked data exercise {index}",
        "resource_type": "tutorial",
        "topics": ["Linked Open Data in Library Use Today"],
    }
    coordinator = team.coordinator
    entry = await tally.send(
        http, "POST", "/api/v1/catalogue/entries", coordinator, body
    )
    if entry.status_code != 201:
        return
    resource_id = entry.json()["id"]
    pair = [team.members[index % MEMBERS], team.members[(index + 1) % MEMBERS]]
    share = {
        "resource_id": resource_id,
        "audience": {"kind": "members", "member_ids": pair},
    }
    url = f"/api/v1/teams/{team.team_id}"
    await tally.send(http, "POST", f"{url}/shares", coordinator, share)
    resource = f"{url}/resources/{resource_id}"
    await tally.send(http, "POST", f"{resource}/opening", pair[0])
    await tally.send(http, "POST", f"{resource}/completion", pair[1])


async def drive(
    base_url: str, team: Team, total: int, concurrency: int, repeats: int
) -> harness.Tally:
    """Times ``total`` commands, four to a resource, in each of ``repeats`` runs."""
    tally = harness.Tally()
    async with harness.client(base_url, concurrency) as http:

        async def resource_round(index: int) -> None:
            await one_round(http, team, index, tally)

        rounds = max(1, total // COMMANDS_PER_ROUND)
        for repeat in range(repeats):
            await tally.run_rounds(
                rounds, concurrency, resource_round, first=repeat * rounds
            )
    return tally


def main() -> None:
    """Runs the benchmark with the sizes of the command line."""
    arguments = harness.command_line(__doc__.splitlines()[0], 2000).parse_args()
    total = 80 if arguments.quick else arguments.commands
    concurrency = 4 if arguments.quick else arguments.concurrency
    settings = ResourcesSettings()
    with harness.scratch_schema(settings.pg_dsn, "resources") as schema:
        in_schema = settings.model_copy(
            update={"resources_database": harness.DATABASE, "resources_schema": schema}
        )
        team = a_team(in_schema)
        with harness.running_service("resources", schema) as base_url:
            tally = asyncio.run(
                drive(base_url, team, total, concurrency, harness.repeats_of(arguments))
            )
    setup = {"members": MEMBERS}
    result = harness.figures("resources_commands", tally, setup, arguments.quick)
    harness.report("resources commands", result)


if __name__ == "__main__":
    main()
