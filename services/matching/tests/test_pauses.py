"""A dated pause ends by the calendar, and hiding a section retells the reasons.

The consumer's handler against the real PostgreSQL, with its clock injected.
"""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from carrel_events.contracts import profile
from carrel_matching.adapters import candidate_store
from carrel_matching.adapters.tables import connect, create_tables
from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.application import MatchingConsumer
from carrel_matching.settings import MatchingSettings
from sqlalchemy import Engine

from .events import EventLog
from .programme import Programme

pytestmark = pytest.mark.integration

RETURNS_ON = date(2030, 3, 1)


class Clock:
    def __init__(self) -> None:
        self.today = RETURNS_ON - timedelta(days=30)

    def __call__(self) -> date:
        return self.today


@pytest.fixture
def engine(matching_settings: MatchingSettings) -> Iterator[Engine]:
    engine = connect(matching_settings.database_url, matching_settings.matching_schema)
    create_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def consumer(
    engine: Engine, skills: VocabularySkills, clock: Clock
) -> MatchingConsumer:
    return MatchingConsumer(
        engine, skills, consumer="matching-test", topic="m", today=clock
    )


@pytest.fixture
def programme(consumer: MatchingConsumer) -> Programme:
    programme = Programme(EventLog(), "profile", "teams")
    programme.everyone_joins_with_profiles()
    consumer.apply_batch(programme.log.deliveries())
    return programme


def stored(
    engine: Engine, programme: Programme
) -> list[candidate_store.StoredCandidate]:
    with engine.connect() as c:
        return candidate_store.candidates_of(c, programme.team_id, programme.mentee_id)


def listed(engine: Engine, programme: Programme) -> list[object]:
    return [s.mentor_id for s in stored(engine, programme)]


def pause(programme: Programme, until: date | None) -> None:
    programme.profile(
        programme.near_mentor_id,
        profile.AvailabilityChanged(available=False, paused_until=until),
    )


def test_a_mentor_paused_until_a_day_is_offered_again_that_day_without_an_event(
    engine: Engine, consumer: MatchingConsumer, programme: Programme, clock: Clock
) -> None:
    pause(programme, RETURNS_ON)
    consumer.apply_batch(programme.log.deliveries())
    assert listed(engine, programme) == [programme.far_mentor_id]

    clock.today = RETURNS_ON - timedelta(days=1)
    assert consumer.resume_ended_pauses() == 0
    assert listed(engine, programme) == [programme.far_mentor_id]

    clock.today = RETURNS_ON
    assert consumer.resume_ended_pauses() == 1
    assert listed(engine, programme) == [
        programme.near_mentor_id,
        programme.far_mentor_id,
    ]
    assert consumer.resume_ended_pauses() == 0


def test_a_pause_until_further_notice_outlasts_any_day(
    engine: Engine, consumer: MatchingConsumer, programme: Programme, clock: Clock
) -> None:
    pause(programme, None)
    consumer.apply_batch(programme.log.deliveries())
    clock.today = RETURNS_ON + timedelta(days=3650)

    assert consumer.resume_ended_pauses() == 0
    assert listed(engine, programme) == [programme.far_mentor_id]


def test_a_mentor_who_hides_their_location_is_no_longer_placed_in_the_reasons(
    engine: Engine, consumer: MatchingConsumer, programme: Programme
) -> None:
    before = stored(engine, programme)[0]
    assert before.mentor_id == programme.near_mentor_id
    assert any("km away" in r for r in before.reasons)

    programme.profile(
        programme.near_mentor_id,
        profile.VisibilityChanged(sections={"location": "private"}),
    )
    consumer.apply_batch(programme.log.deliveries())

    after = stored(engine, programme)[0]
    assert after.mentor_id == programme.near_mentor_id
    assert after.score == before.score
    assert not any("km" in r or "same state" in r for r in after.reasons)
    assert "place" not in after.breakdown
