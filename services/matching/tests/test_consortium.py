"""A consortium's shared pool, as the demo loads it: many libraries, one pool.

The demo (48 libraries of one consortium) left 217 of 1,303 mentees without a
list because every event re-ranked every library of the pool, and the
consumer fell minutes behind. These tests pin down which libraries an event
may touch, and what a mentee is told while they have no list.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from carrel_events.contracts import profile
from carrel_events.contracts import teams as t
from carrel_events.contracts.common import SkillLevel
from carrel_matching.adapters import candidate_store
from carrel_matching.adapters.tables import connect, create_tables, outbox, teams
from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.application import Changes, MatchingConsumer
from carrel_matching.settings import MatchingSettings
from sqlalchemy import Engine, func, select

from .events import EventLog
from .programme import CATALOGUING, METADATA, details

pytestmark = pytest.mark.integration

TEAMS = "teams"


@dataclass
class Consortium:
    log: EventLog
    consortium_id: UUID = field(default_factory=uuid4)
    coordinator_id: UUID = field(default_factory=uuid4)
    libraries: list[UUID] = field(default_factory=list)

    def founded(self, libraries: int) -> None:
        self._team(self.consortium_id, "consortium")
        for _ in range(libraries):
            library = uuid4()
            self.libraries.append(library)
            self._team(library, "library")
            self._event(
                self.consortium_id,
                t.ConsortiumMemberTeamAdded(
                    member_team_id=library, added_by=self.coordinator_id
                ),
            )
            self._event(
                self.consortium_id,
                t.ConsortiumConsentGiven(
                    member_team_id=library, given_by=self.coordinator_id
                ),
            )

    def joins(self, library: UUID, role: t.MemberRole) -> UUID:
        person_id = uuid4()
        capacity = 2 if role == "mentor" else None
        joined = t.MemberJoined(
            person_id=person_id,
            roles=[role],
            mentor_capacity=capacity,
            via="invitation",
        )
        self._event(library, joined)
        return person_id

    def also_joins(self, library: UUID, person_id: UUID, role: t.MemberRole) -> None:
        joined = t.MemberJoined(
            person_id=person_id, roles=[role], mentor_capacity=2, via="invitation"
        )
        self._event(library, joined)

    def pauses(self, library: UUID, mentor_id: UUID) -> None:
        self._event(library, t.MentorPaused(person_id=mentor_id, expired_requests=3))

    def resumes(self, library: UUID, mentor_id: UUID) -> None:
        resumed = t.MentorResumed(person_id=mentor_id, resumed_by=mentor_id)
        self._event(library, resumed)

    def describes(self, person_id: UUID, *, mentor: bool) -> None:
        self.log.add("profile", person_id, details("Sam", "Librarian", 5))
        if mentor:
            skills = [SkillLevel(skill_id=METADATA, proficiency=4)]
            self.log.add("profile", person_id, profile.SkillsUpdated(skills=skills))
        else:
            goals = profile.LearningGoalsUpdated(skill_ids=[METADATA, CATALOGUING])
            self.log.add("profile", person_id, goals)

    def requests(self, library: UUID, mentee_id: UUID, mentor_id: UUID) -> None:
        requested = t.MentorshipRequested(
            mentee_id=mentee_id,
            mentor_id=mentor_id,
            expires_at=datetime.now(UTC) + timedelta(days=14),
            choice=1,
        )
        self.log.add(TEAMS, uuid4(), requested, library)

    def _team(self, team_id: UUID, kind: t.TeamKind) -> None:
        created = t.TeamCreated(
            name="Ocean State Libraries",
            kind=kind,
            settings=t.ProgrammeSettings(),
            founded_by=self.coordinator_id,
        )
        self._event(team_id, created)

    def _event(self, team_id: UUID, payload: t.TeamEvent) -> None:
        self.log.add(TEAMS, team_id, payload, team_id)


@pytest.fixture
def engine(matching_settings: MatchingSettings) -> Iterator[Engine]:
    engine = connect(matching_settings.database_url, matching_settings.matching_schema)
    create_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def consumer(engine: Engine, skills: VocabularySkills) -> MatchingConsumer:
    return MatchingConsumer(engine, skills, consumer="matching-test", topic="m")


@pytest.fixture
def consortium() -> Consortium:
    consortium = Consortium(EventLog())
    consortium.founded(libraries=4)
    return consortium


def generations(engine: Engine) -> dict[UUID, int]:
    with engine.connect() as c:
        rows = c.execute(select(teams.c.team_id, teams.c.generation))
        return {row.team_id: int(row.generation) for row in rows}


def outbox_size(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(outbox)).scalar_one())


def listed(engine: Engine, library: UUID, mentee_id: UUID) -> list[UUID]:
    with engine.connect() as c:
        stored = candidate_store.candidates_of(c, library, mentee_id)
    return [s.mentor_id for s in stored]


def test_a_mentee_joining_one_library_re_ranks_that_library_alone(
    engine: Engine, consumer: MatchingConsumer, consortium: Consortium
) -> None:
    first, *others = consortium.libraries
    for library in consortium.libraries:
        consortium.describes(consortium.joins(library, "mentor"), mentor=True)
    consumer.apply_batch(consortium.log.deliveries())
    before = generations(engine)

    mentee_id = consortium.joins(first, "mentee")
    consortium.describes(mentee_id, mentor=False)
    consumer.apply_batch(consortium.log.deliveries())

    after = generations(engine)
    assert after[first] == before[first] + 1
    assert [after[o] - before[o] for o in others] == [0] * len(others)
    assert len(listed(engine, first, mentee_id)) == len(consortium.libraries)


def test_a_mentor_joining_one_library_reaches_the_mentees_of_every_library(
    engine: Engine, consumer: MatchingConsumer, consortium: Consortium
) -> None:
    mentees = {
        library: consortium.joins(library, "mentee") for library in consortium.libraries
    }
    for mentee_id in mentees.values():
        consortium.describes(mentee_id, mentor=False)
    consumer.apply_batch(consortium.log.deliveries())

    mentor_id = consortium.joins(consortium.libraries[0], "mentor")
    consortium.describes(mentor_id, mentor=True)
    consumer.apply_batch(consortium.log.deliveries())

    assert {
        library: listed(engine, library, mentee_id)
        for library, mentee_id in mentees.items()
    } == {library: [mentor_id] for library in consortium.libraries}


def test_a_mentor_the_mentee_has_asked_is_no_longer_offered_to_them(
    engine: Engine, consumer: MatchingConsumer, consortium: Consortium
) -> None:
    library = consortium.libraries[0]
    mentee_id = consortium.joins(library, "mentee")
    consortium.describes(mentee_id, mentor=False)
    asked, other = (consortium.joins(library, "mentor") for _ in range(2))
    for mentor_id in (asked, other):
        consortium.describes(mentor_id, mentor=True)
    consumer.apply_batch(consortium.log.deliveries())

    consortium.requests(library, mentee_id, asked)
    consumer.apply_batch(consortium.log.deliveries())

    assert listed(engine, library, mentee_id) == [other]


def test_many_newcomers_in_one_batch_are_ranked_as_a_fresh_start_would(
    engine: Engine,
    consumer: MatchingConsumer,
    skills: VocabularySkills,
    consortium: Consortium,
) -> None:
    consumer.apply_batch(consortium.log.deliveries())
    newcomers = []
    for library in consortium.libraries:
        for role in ("mentor", "mentee", "mentee") * 6:
            person_id = consortium.joins(library, role)
            consortium.describes(person_id, mentor=role == "mentor")
            newcomers.append((library, person_id))
    consumer.apply_batch(consortium.log.deliveries())
    incremental = {n: listed(engine, *n) for n in newcomers}

    fresh = MatchingConsumer(engine, skills, consumer="matching-test", topic="m")
    with engine.begin() as c:
        for library in consortium.libraries:
            fresh._rank_from_scratch(c, library, Changes())

    assert {n: listed(engine, *n) for n in newcomers} == incremental


def test_a_mentor_paused_by_their_library_leaves_every_list_of_the_pool_until_resumed(
    engine: Engine,
    consumer: MatchingConsumer,
    skills: VocabularySkills,
    consortium: Consortium,
) -> None:
    home = consortium.libraries[0]
    everywhere = [consortium.consortium_id, *consortium.libraries]
    mentees = {team: consortium.joins(team, "mentee") for team in everywhere}
    for mentee_id in mentees.values():
        consortium.describes(mentee_id, mentor=False)
    paused, other = (consortium.joins(home, "mentor") for _ in range(2))
    for mentor_id in (paused, other):
        consortium.describes(mentor_id, mentor=True)
    consumer.apply_batch(consortium.log.deliveries())

    consortium.pauses(home, paused)
    delivered = consortium.log.deliveries()
    consumer.apply_batch(delivered)
    told = outbox_size(engine)
    consumer.apply_batch(delivered)
    redelivered = outbox_size(engine)
    after_pause = {team: listed(engine, team, e) for team, e in mentees.items()}

    consortium.resumes(home, paused)
    consumer.apply_batch(consortium.log.deliveries())
    after_resume = {team: listed(engine, team, e) for team, e in mentees.items()}
    fresh = MatchingConsumer(engine, skills, consumer="matching-test", topic="m")
    with engine.begin() as c:
        for team in everywhere:
            fresh._rank_from_scratch(c, team, Changes())

    assert after_pause == {team: [other] for team in everywhere}
    assert redelivered == told
    assert all(set(found) == {paused, other} for found in after_resume.values())
    assert {t: listed(engine, t, e) for t, e in mentees.items()} == after_resume


def test_a_pause_in_one_library_leaves_the_mentor_to_another_they_mentor_in(
    engine: Engine, consumer: MatchingConsumer, consortium: Consortium
) -> None:
    first, second, third, _ = consortium.libraries
    mentees = {lib: consortium.joins(lib, "mentee") for lib in (first, second, third)}
    for mentee_id in mentees.values():
        consortium.describes(mentee_id, mentor=False)
    mentor_id = consortium.joins(first, "mentor")
    consortium.also_joins(second, mentor_id, "mentor")
    consortium.describes(mentor_id, mentor=True)
    consumer.apply_batch(consortium.log.deliveries())

    consortium.pauses(first, mentor_id)
    consumer.apply_batch(consortium.log.deliveries())

    assert listed(engine, first, mentees[first]) == []
    assert listed(engine, second, mentees[second]) == [mentor_id]
    assert listed(engine, third, mentees[third]) == []
