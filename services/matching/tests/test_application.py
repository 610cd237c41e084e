"""The consumer's handler against the real PostgreSQL, without Kafka."""

from collections.abc import Iterator
from uuid import uuid4

import pytest
from carrel_events.contracts import profile
from carrel_events.contracts import teams as t
from carrel_matching.adapters import candidate_store, directory
from carrel_matching.adapters.tables import (
    connect,
    create_tables,
    mentorships,
    outbox,
)
from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.application import MatchingConsumer
from carrel_matching.settings import MatchingSettings
from sqlalchemy import Engine, func, select

from .events import EventLog
from .programme import Programme

pytestmark = pytest.mark.integration


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
def programme() -> Programme:
    programme = Programme(EventLog(), "profile", "teams")
    programme.everyone_joins_with_profiles()
    return programme


def listed(engine: Engine, programme: Programme) -> list[object]:
    with engine.connect() as c:
        stored = candidate_store.candidates_of(
            c, programme.team_id, programme.mentee_id
        )
    return [s.mentor_id for s in stored]


def outbox_size(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(outbox)).scalar_one())


def test_a_batch_stores_the_list_and_its_event_in_one_go(
    engine: Engine, consumer: MatchingConsumer, programme: Programme
) -> None:
    consumer.apply_batch(programme.log.deliveries())

    assert listed(engine, programme) == [
        programme.near_mentor_id,
        programme.far_mentor_id,
    ]
    assert outbox_size(engine) == 1


def test_a_redelivered_batch_changes_nothing(
    engine: Engine, consumer: MatchingConsumer, programme: Programme
) -> None:
    deliveries = programme.log.deliveries()
    consumer.apply_batch(deliveries)
    consumer.apply_batch(deliveries)
    assert outbox_size(engine) == 1


def test_a_mentor_who_pauses_leaves_the_list_and_a_new_event_says_so(
    engine: Engine, consumer: MatchingConsumer, programme: Programme
) -> None:
    consumer.apply_batch(programme.log.deliveries())

    programme.profile(
        programme.near_mentor_id, profile.AvailabilityChanged(available=False)
    )
    consumer.apply_batch(programme.log.deliveries())

    assert listed(engine, programme) == [programme.far_mentor_id]
    assert outbox_size(engine) == 2


def test_a_declined_request_keeps_that_mentor_away_for_good(
    engine: Engine, consumer: MatchingConsumer, programme: Programme
) -> None:
    consumer.apply_batch(programme.log.deliveries())
    mentorship = uuid4()
    log, team = programme.log, programme.team_id
    log.add("teams", mentorship, request(programme), team)
    log.add(
        "teams",
        mentorship,
        t.MentorshipDeclined(mentor_id=programme.near_mentor_id, reason="too busy"),
        team,
    )
    consumer.apply_batch(log.deliveries())

    assert listed(engine, programme) == [programme.far_mentor_id]


def test_a_withdrawn_request_frees_the_mentee_and_keeps_the_mentor_away(
    engine: Engine, consumer: MatchingConsumer, programme: Programme
) -> None:
    consumer.apply_batch(programme.log.deliveries())
    mentorship = uuid4()
    log, team = programme.log, programme.team_id
    log.add("teams", mentorship, request(programme), team)
    consumer.apply_batch(log.deliveries())
    with engine.connect() as c:
        busy = programme.mentee_id not in directory.unmatched_mentee_ids(c, team)

    log.add(
        "teams",
        mentorship,
        t.MentorshipWithdrawn(
            mentor_id=programme.near_mentor_id,
            mentee_id=programme.mentee_id,
            withdrawn_by=programme.mentee_id,
        ),
        team,
    )
    consumer.apply_batch(log.deliveries())

    with engine.connect() as c:
        assert programme.mentee_id in directory.unmatched_mentee_ids(c, team)
        state = c.execute(
            select(mentorships.c.state).where(mentorships.c.mentorship_id == mentorship)
        ).scalar_one()
    assert busy, "an open request kept the mentee busy"
    assert state == "withdrawn"
    assert listed(engine, programme) == [programme.far_mentor_id]


def test_an_accepted_mentorship_fills_the_mentor_for_everyone(
    engine: Engine, consumer: MatchingConsumer, programme: Programme
) -> None:
    programme.joins(programme.near_mentor_id, "mentor", capacity=1)
    consumer.apply_batch(programme.log.deliveries())
    other_mentee = uuid4()
    programme.joins(other_mentee, "mentee")
    mentorship = uuid4()
    programme.log.add(
        "teams",
        mentorship,
        t.MentorshipAccepted(
            mentor_id=programme.near_mentor_id, mentee_id=other_mentee
        ),
        programme.team_id,
    )
    consumer.apply_batch(programme.log.deliveries())

    assert listed(engine, programme) == [programme.far_mentor_id]


def test_a_member_who_leaves_takes_their_list_along(
    engine: Engine, consumer: MatchingConsumer, programme: Programme
) -> None:
    consumer.apply_batch(programme.log.deliveries())
    programme.log.add(
        "teams",
        programme.team_id,
        t.MemberLeft(person_id=programme.mentee_id, removed_by=programme.mentee_id),
        programme.team_id,
    )
    consumer.apply_batch(programme.log.deliveries())
    assert listed(engine, programme) == []


def test_a_second_process_rebuilds_the_team_from_the_tables(
    engine: Engine,
    skills: VocabularySkills,
    consumer: MatchingConsumer,
    programme: Programme,
) -> None:
    consumer.apply_batch(programme.log.deliveries())
    other = MatchingConsumer(engine, skills, consumer="matching-test", topic="m")
    programme.profile(
        programme.near_mentor_id, profile.AvailabilityChanged(available=False)
    )
    other.apply_batch(programme.log.deliveries())
    programme.profile(
        programme.near_mentor_id, profile.AvailabilityChanged(available=True)
    )
    consumer.apply_batch(programme.log.deliveries())

    assert listed(engine, programme) == [
        programme.near_mentor_id,
        programme.far_mentor_id,
    ]


def request(programme: Programme) -> t.MentorshipRequested:
    from datetime import UTC, datetime, timedelta

    return t.MentorshipRequested(
        mentee_id=programme.mentee_id,
        mentor_id=programme.near_mentor_id,
        expires_at=datetime.now(UTC) + timedelta(days=14),
        choice=1,
    )
