"""A programme told as a stream of profile and teams events, from a seed.

Teams with a coordinator, mentors and mentees; every person builds a profile
and later changes it, so an aggregate's versions matter and a lost or doubled
event changes what matching decides.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

from carrel_events import Envelope, EventPayload
from carrel_events.contracts import profile as p
from carrel_events.contracts import teams as t
from carrel_events.contracts.common import SkillLevel
from carrel_events.envelope import event_id_for

SKILLS = [
    "esco.develop-information-standards",
    "esco.manage-digital-archives",
    "esco.classify-library-materials",
    "esco.manage-archive",
    "onet.skill.2-a-1-a",
    "onet.skill.2-a-1-c",
    "onet.skill.2-b-1-a",
    "onet.skill.2-b-3-a",
]
PLACES = [
    ("Lincoln", "NE", 40.8136, -96.7026),
    ("Omaha", "NE", 41.2565, -95.9345),
    ("Providence", "RI", 41.8240, -71.4128),
    ("Newport", "RI", 41.4901, -71.3128),
    ("Honolulu", "HI", 21.3069, -157.8583),
]


@dataclass
class Stream:
    """Envelopes in the order the write services would have recorded them."""

    rng: random.Random
    profile_topic: str
    teams_topic: str
    events: list[tuple[str, Envelope]] = field(default_factory=list)
    versions: dict[UUID, int] = field(default_factory=lambda: defaultdict(int))
    start: datetime = field(default_factory=lambda: datetime(2025, 5, 1, tzinfo=UTC))

    def uuid(self) -> UUID:
        return UUID(int=self.rng.getrandbits(128), version=4)

    def add(
        self, topic: str, aggregate: UUID, payload: EventPayload, team: UUID | None
    ) -> None:
        self.versions[aggregate] += 1
        version = self.versions[aggregate]
        event_id = event_id_for(aggregate, version)
        envelope = Envelope(
            event_id=event_id,
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            aggregate_type=payload.aggregate_type,
            aggregate_id=aggregate,
            aggregate_version=version,
            team_id=team,
            occurred_at=self.start + timedelta(seconds=len(self.events)),
            correlation_id=event_id,
            causation_id=event_id,
            payload=payload.model_dump(mode="json"),
        )
        self.events.append((topic, envelope))


def programme(seed: int, teams: int, profile_topic: str, teams_topic: str) -> Stream:
    """``teams`` teams of 1 coordinator, 4 mentors and 12 mentees each."""
    stream = Stream(random.Random(seed), profile_topic, teams_topic)
    people: list[tuple[UUID, str]] = []
    for _ in range(teams):
        people += _team(stream)
    for person, role in people:
        _profile(stream, person, role)
    stream.rng.shuffle(people)
    for person, role in people:
        _changes(stream, person, role)
    return stream


def _team(stream: Stream) -> list[tuple[UUID, str]]:
    team, coordinator = stream.uuid(), stream.uuid()
    created = t.TeamCreated(
        name=f"Consortium {team.hex[:6]}",
        kind="association",
        settings=t.ProgrammeSettings.model_validate({}),
        founded_by=coordinator,
    )
    stream.add(stream.teams_topic, team, created, team)
    members = [(coordinator, "coordinator")]
    members += [(stream.uuid(), "mentor") for _ in range(4)]
    members += [(stream.uuid(), "mentee") for _ in range(12)]
    for person, role in members:
        joined = t.MemberJoined(
            person_id=person,
            roles=[role],
            mentor_capacity=2 if role == "mentor" else None,
            via="invitation",
        )
        stream.add(stream.teams_topic, team, joined, team)
    return members


def _profile(stream: Stream, person: UUID, role: str) -> None:
    rng = stream.rng
    years = rng.randint(1, 30)
    stream.add(stream.profile_topic, person, p.ProfileCreated(display_name="M"), None)
    details = p.DetailsUpdated(
        display_name=f"Member {person.hex[:6]}",
        current_role="Librarian",
        years_of_experience=years,
        languages=["en"],
    )
    stream.add(stream.profile_topic, person, details, None)
    stream.add(stream.profile_topic, person, _place(rng), None)
    stream.add(stream.profile_topic, person, _skills_or_goals(rng, role), None)


def _changes(stream: Stream, person: UUID, role: str) -> None:
    rng = stream.rng
    stream.add(stream.profile_topic, person, _skills_or_goals(rng, role), None)
    if rng.random() < 0.5:
        stream.add(stream.profile_topic, person, _place(rng), None)


def _place(rng: random.Random) -> p.LocationChanged:
    city, region, latitude, longitude = rng.choice(PLACES)
    return p.LocationChanged(
        city=city,
        region=region,
        country="US",
        latitude=latitude,
        longitude=longitude,
        time_zone="America/Chicago",
    )


def _skills_or_goals(rng: random.Random, role: str) -> EventPayload:
    chosen = rng.sample(SKILLS, rng.randint(1, 4))
    if role == "mentee":
        return p.LearningGoalsUpdated(skill_ids=chosen)
    levels = [SkillLevel(skill_id=s, proficiency=rng.randint(2, 5)) for s in chosen]
    return p.SkillsUpdated(skills=levels)
