from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from carrel_events.contracts.teams import SessionLogged
from carrel_events.relay import EnvelopeFactory
from carrel_teams.domain.errors import MentorAtCapacity, NotPermitted, RuleViolated
from carrel_teams.domain.mentorship import MentorLoad, Mentorship, mentor_load_id

NOON = datetime(2026, 3, 2, 12, tzinfo=UTC)


def requested(alternatives: list[UUID] | None = None) -> Mentorship:
    return Mentorship.request(
        team_id=uuid4(),
        mentee_id=uuid4(),
        mentor_id=uuid4(),
        message="I would like to learn metadata work.",
        alternative_mentor_ids=alternatives or [],
        expires_at=NOON,
        correlation_id=uuid4(),
    )


def accepted() -> Mentorship:
    mentorship = requested()
    mentorship.accept(mentorship.mentor_id, uuid4(), uuid4())
    return mentorship


def test_only_the_mentor_named_in_the_request_accepts_it() -> None:
    mentorship = requested()

    with pytest.raises(NotPermitted):
        mentorship.accept(mentorship.mentee_id, uuid4(), uuid4())
    mentorship.accept(mentorship.mentor_id, uuid4(), uuid4())

    assert mentorship.status == "accepted"


def test_a_declined_request_can_be_neither_accepted_nor_declined_again() -> None:
    mentorship = requested()
    mentorship.decline(mentorship.mentor_id, "my diary is full", uuid4())

    with pytest.raises(RuleViolated, match="declined"):
        mentorship.accept(mentorship.mentor_id, uuid4(), uuid4())


def test_a_mentee_cannot_ask_themselves() -> None:
    mentee = uuid4()
    with pytest.raises(RuleViolated, match="own mentor"):
        Mentorship.request(uuid4(), mentee, mentee, "hi", [], NOON, uuid4())


def test_alternatives_may_not_repeat_the_mentor() -> None:
    mentor = uuid4()
    with pytest.raises(RuleViolated) as refused:
        Mentorship.request(uuid4(), uuid4(), mentor, "hi", [mentor], NOON, uuid4())
    assert refused.value.field == ("alternative_mentor_ids",)


def test_asking_for_information_gives_the_mentee_a_deadline_of_their_own() -> None:
    mentorship = requested()
    mentees_deadline = NOON + timedelta(days=14)
    mentorship.ask_for_information(
        mentorship.mentor_id, "Which systems?", mentees_deadline, uuid4()
    )
    assert not mentorship.is_overdue(NOON + timedelta(days=13))
    assert mentorship.is_overdue(mentees_deadline)

    later = NOON + timedelta(days=20)
    mentorship.clarify(mentorship.mentee_id, "Alma and Koha.", later, uuid4())

    assert mentorship.status == "requested"
    assert not mentorship.is_overdue(mentees_deadline)
    assert mentorship.is_overdue(later)


def test_a_request_the_mentee_left_unanswered_expires_with_no_next_choice() -> None:
    mentorship = requested([uuid4()])
    mentorship.ask_for_information(mentorship.mentor_id, "Which?", NOON, uuid4())

    assert mentorship.expire(NOON, NOON + timedelta(days=1), uuid4()) is None
    expired = vars(mentorship.collect_events()[-1])
    assert (expired["awaited"], expired["next_mentor_id"]) == ("mentee", None)
    assert mentorship.status == "expired"


def test_the_mentee_withdraws_a_waiting_request_and_no_one_else_can() -> None:
    mentorship = requested([uuid4()])
    with pytest.raises(NotPermitted):
        mentorship.withdraw(mentorship.mentor_id, uuid4())

    mentorship.withdraw(mentorship.mentee_id, uuid4())

    assert mentorship.status == "withdrawn"
    assert not mentorship.is_overdue(NOON + timedelta(days=365))
    with pytest.raises(RuleViolated, match="withdrawn"):
        mentorship.accept(mentorship.mentor_id, uuid4(), uuid4())


def test_a_question_awaiting_its_answer_can_be_withdrawn_an_acceptance_not() -> None:
    asked = requested()
    asked.ask_for_information(asked.mentor_id, "Which?", NOON, uuid4())
    asked.withdraw(asked.mentee_id, uuid4())
    assert asked.status == "withdrawn"

    taken = accepted()
    with pytest.raises(RuleViolated, match="accepted"):
        taken.withdraw(taken.mentee_id, uuid4())


def test_a_withdrawal_reaches_the_envelope_without_the_message() -> None:
    mentorship = requested()
    mentorship.withdraw(mentorship.mentee_id, uuid4())

    envelope = EnvelopeFactory()(mentorship.collect_events()[-1])

    assert envelope is not None and envelope.event_type == "MentorshipWithdrawn"
    assert envelope.payload == {
        "mentor_id": str(mentorship.mentor_id),
        "mentee_id": str(mentorship.mentee_id),
        "withdrawn_by": str(mentorship.mentee_id),
    }


def test_alternatives_who_cannot_accept_are_passed_over_and_named() -> None:
    gone, able, after = uuid4(), uuid4(), uuid4()
    home = uuid4()
    mentorship = requested([gone, able, after])

    following = mentorship.expire(NOON, NOON, uuid4(), {able: home, after: home})

    assert following is not None
    assert (following.mentor_id, following.mentor_team_id) == (able, home)
    assert (following.choice, following.alternative_mentor_ids) == (3, [after])
    assert mentorship.skipped_mentor_ids == [gone]


def test_when_no_alternative_can_accept_the_expiry_says_so() -> None:
    first, second = uuid4(), uuid4()
    mentorship = requested([first, second])

    assert mentorship.expire(NOON, NOON, uuid4(), {}) is None
    expired = vars(mentorship.collect_events()[-1])
    assert expired["next_mentor_id"] is None
    assert expired["skipped_mentor_ids"] == [first, second]


def test_an_overdue_request_expires_and_offers_the_next_choice() -> None:
    second, third = uuid4(), uuid4()
    mentorship = requested([second, third])
    assert not mentorship.is_overdue(NOON - timedelta(seconds=1))

    following = mentorship.expire(NOON, NOON + timedelta(days=1), uuid4())

    assert mentorship.status == "expired"
    assert following is not None
    assert (following.mentor_id, following.choice) == (second, 2)
    assert following.alternative_mentor_ids == [third]
    assert mentorship.next_mentorship_id == following.id


def test_the_last_choice_expires_with_no_one_next() -> None:
    mentorship = requested()

    assert mentorship.expire(NOON, NOON, uuid4()) is None
    expired = mentorship.collect_events()[-1]
    assert vars(expired)["next_mentor_id"] is None


def test_a_request_not_yet_overdue_does_not_expire() -> None:
    with pytest.raises(RuleViolated, match="not overdue"):
        requested().expire(NOON - timedelta(hours=1), NOON, uuid4())


def test_sessions_are_logged_only_by_the_pair_of_an_active_mentorship() -> None:
    mentorship = accepted()

    with pytest.raises(NotPermitted):
        mentorship.log_session(uuid4(), date(2026, 3, 3), 45, "", uuid4(), uuid4())
    mentorship.log_session(
        uuid4(), date(2026, 3, 3), 45, "talked", mentorship.mentee_id, uuid4()
    )

    assert [s.minutes for s in mentorship.sessions] == [45]


def test_session_notes_never_reach_the_envelope() -> None:
    mentorship = accepted()
    mentorship.log_session(
        uuid4(), date(2026, 3, 3), 30, "private words", mentorship.mentor_id, uuid4()
    )
    logged = mentorship.collect_events()[-1]

    envelope = EnvelopeFactory()(logged)

    assert vars(logged)["notes"] == "private words"
    assert envelope is not None and envelope.event_type == "SessionLogged"
    assert "notes" not in envelope.payload
    assert "notes" not in SessionLogged.model_fields
    assert envelope.team_id == mentorship.team_id


def test_goals_progress_and_unknown_goals_are_refused() -> None:
    mentorship = accepted()
    goal = uuid4()
    mentorship.set_goal(
        goal, "Catalogue 50 records", None, mentorship.mentee_id, uuid4()
    )
    mentorship.progress_goal(goal, 40, mentorship.mentor_id, uuid4())

    assert mentorship.goals[goal].progress == 40
    with pytest.raises(RuleViolated, match="no such goal"):
        mentorship.progress_goal(uuid4(), 10, mentorship.mentor_id, uuid4())


def test_feedback_names_the_side_that_gave_it() -> None:
    mentorship = accepted()
    mentorship.give_feedback(5, "", mentorship.mentor_id, uuid4())
    mentorship.give_feedback(4, "", mentorship.mentee_id, uuid4())

    assert [f.side for f in mentorship.feedback] == ["mentor", "mentee"]


def test_a_sides_later_feedback_replaces_its_earlier_one() -> None:
    mentorship = accepted()
    mentorship.give_feedback(3, "Midway", mentorship.mentee_id, uuid4())
    mentorship.give_feedback(5, "", mentorship.mentor_id, uuid4())
    mentorship.give_feedback(4, "At the end", mentorship.mentee_id, uuid4())

    assert [(f.side, f.rating) for f in mentorship.feedback] == [
        ("mentor", 5),
        ("mentee", 4),
    ]


def test_a_stranger_cannot_end_a_mentorship_but_a_coordinator_can() -> None:
    mentorship = accepted()

    with pytest.raises(NotPermitted):
        mentorship.end("completed", uuid4(), False, uuid4())
    mentorship.end("completed", uuid4(), True, uuid4())

    assert (mentorship.status, mentorship.outcome) == ("ended", "completed")


def test_a_mentor_load_never_goes_past_capacity() -> None:
    load = MentorLoad(team_id=uuid4(), mentor_id=uuid4())
    first, second = uuid4(), uuid4()
    load.take(first, capacity=1)

    with pytest.raises(MentorAtCapacity):
        load.take(second, capacity=1)
    load.release(first)
    load.take(second, capacity=1)

    assert load.active == [second]


def test_a_mentor_load_has_one_id_per_team_and_mentor() -> None:
    team, mentor = uuid4(), uuid4()

    assert MentorLoad(team_id=team, mentor_id=mentor).id == mentor_load_id(team, mentor)
    assert mentor_load_id(team, mentor) != mentor_load_id(uuid4(), mentor)
