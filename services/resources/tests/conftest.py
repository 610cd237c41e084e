"""Fixtures of the resources tests: a tiny vocabulary, the application, PostgreSQL."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from carrel_events import Envelope, EventPayload
from carrel_events.consumer import Delivery
from carrel_events.contracts import teams
from carrel_events.serialisation import DecodedEvent
from carrel_resources.adapters.listening import DirectoryListener
from carrel_resources.adapters.memory import MemoryDirectory, MemoryFileStore
from carrel_resources.adapters.tables import connect, create_tables
from carrel_resources.application import ResourcesApplication
from carrel_resources.settings import ResourcesSettings


@dataclass(frozen=True)
class TinySkill:
    id: str
    label: str
    synonyms: tuple[str, ...]
    category_label: str


class TinyVocabulary:
    """Five skills, enough to see tagging and recommendations reason."""

    def __init__(self) -> None:
        skills = [
            TinySkill(
                "metadata", "Metadata", ("linked data", "dublin core"), "Cataloguing"
            ),
            TinySkill("programming", "Programming", ("python", "coding"), "Digital"),
            TinySkill("preservation", "Digital preservation", (), "Archives"),
            TinySkill("copyright", "Copyright", ("licensing",), "Law"),
            TinySkill("teaching", "Instructing", ("teaching",), "Teaching"),
        ]
        self._skills = {skill.id: skill for skill in skills}

    def skill(self, skill_id: str) -> TinySkill | None:
        return self._skills.get(skill_id)

    def normalise(self, text: str) -> list[TinySkill]:
        lowered = text.lower()
        return [
            skill
            for skill in self._skills.values()
            if any(n.lower() in lowered for n in (skill.label, *skill.synonyms))
        ]


@pytest.fixture
def vocabulary() -> TinyVocabulary:
    return TinyVocabulary()


@pytest.fixture
def directory() -> MemoryDirectory:
    return MemoryDirectory()


@pytest.fixture
def application(
    vocabulary: TinyVocabulary, directory: MemoryDirectory
) -> Iterator[ResourcesApplication]:
    """The application on the in-memory event store."""
    application = ResourcesApplication(
        vocabulary=vocabulary,
        directory=directory,
        files=MemoryFileStore(),
        max_attachment_bytes=1024,
    )
    yield application
    application.close()


@pytest.fixture
def pg_settings(stack: Any) -> Iterator[ResourcesSettings]:
    """Settings on a schema of its own in the carrel_test database."""
    schema = f"resources_{uuid4().hex[:12]}"
    dsn = f"{stack.pg_dsn.rstrip('/')}/carrel_test"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    yield ResourcesSettings(
        pg_dsn=stack.pg_dsn,
        kafka_bootstrap=stack.kafka_bootstrap,
        resources_database="carrel_test",
        resources_schema=schema,
        max_attachment_bytes=64 * 1024,
        max_request_bytes=256 * 1024,
    )
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


class TeamsFeed:
    """Feeds teams and profile events to the directory as the consumer would."""

    def __init__(self, settings: ResourcesSettings) -> None:
        self.engine = connect(settings.database_url, settings.resources_schema)
        create_tables(self.engine)
        self.listener = DirectoryListener(self.engine, "resources-test")
        self._versions: dict[UUID, int] = {}

    def send(
        self, aggregate_id: UUID, team_id: UUID | None, payload: EventPayload
    ) -> None:
        version = self._versions.get(aggregate_id, 0) + 1
        self._versions[aggregate_id] = version
        envelope = Envelope(
            event_id=uuid4(),
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            aggregate_type=payload.aggregate_type,
            aggregate_id=aggregate_id,
            aggregate_version=version,
            team_id=team_id,
            occurred_at=datetime.now(UTC),
            correlation_id=uuid4(),
            causation_id=uuid4(),
            payload=payload.model_dump(mode="json"),
        )
        delivery = Delivery("teams.events", 0, version, DecodedEvent(envelope, payload))
        self.listener.apply_all([delivery])

    def join(self, team_id: UUID, person_id: UUID, *roles: str) -> None:
        joined = teams.MemberJoined(
            person_id=person_id, roles=list(roles or ("mentee",)), via="invitation"
        )
        self.send(team_id, team_id, joined)


@pytest.fixture
def teams_feed(pg_settings: ResourcesSettings) -> Iterator[TeamsFeed]:
    feed = TeamsFeed(pg_settings)
    yield feed
    feed.engine.dispose()
