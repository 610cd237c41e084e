"""Withdrawal, expiry while a question waits, the next choice that can accept,
one open request per pair, who sees whom and stale versions: the commands on the
in-memory event store."""

from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from carrel_events.contracts.teams import ProgrammeSettings, Visibility
from carrel_teams.adapters.recorders import MentorshipRow
from carrel_teams.application import TeamsApplication, mentorship_row
from carrel_teams.domain.errors import (
    AlreadyRequested,
    NotPermitted,
    RuleViolated,
    VersionConflict,
)
from carrel_teams.domain.mentorship import Mentorship
from carrel_teams.testing import ManualClock, Programme
from eventsourcing.persistence import IntegrityError


def ask(
    teams: TeamsApplication,
    programme: Programme,
    mentor: UUID,
    alternatives: list[UUID] | None = None,
    mentee: UUID | None = None,
) -> Mentorship:
    return teams.request_mentorship(
        programme.team.id,
        mentee or programme.mentees[0],
        mentor,
        "Could you help me with archives?",
        alternatives or [],
        uuid4(),
    )


def limit(programme: Programme) -> timedelta:
    return timedelta(hours=programme.team.settings.request_expiry_hours)


def another_mentor(teams: TeamsApplication, programme: Programme) -> UUID:
    person = uuid4()
    team = teams.team(programme.team.id)
    team.admit(person, ["mentor"], "invitation", None, uuid4())
    teams.save(team)
    return person


# Withdrawal.


def test_a_mentee_withdraws_and_may_ask_the_same_mentor_again(
    teams: TeamsApplication, programme: Programme, clock: ManualClock
) -> None:
    mentor = programme.mentors[0]
    first = ask(teams, programme, mentor, [programme.mentors[1]])
    with pytest.raises(AlreadyRequested, match="withdraw the request"):
        ask(teams, programme, mentor)

    withdrawn = teams.withdraw_mentorship(first.id, programme.mentees[0], 1, uuid4())

    assert withdrawn.status == "withdrawn"
    assert teams.expire_overdue_requests(clock.now + timedelta(days=365)) == []
    assert ask(teams, programme, mentor).status == "requested"


def test_only_the_mentee_withdraws_and_only_a_waiting_request(
    teams: TeamsApplication, programme: Programme
) -> None:
    mentor = programme.mentors[0]
    asked = ask(teams, programme, mentor)
    with pytest.raises(NotPermitted):
        teams.withdraw_mentorship(asked.id, mentor, None, uuid4())
    with pytest.raises(NotPermitted):
        teams.withdraw_mentorship(asked.id, programme.coordinator, None, uuid4())
    with pytest.raises(VersionConflict):
        teams.withdraw_mentorship(asked.id, programme.mentees[0], 7, uuid4())

    teams.accept_mentorship(asked.id, mentor, None, uuid4())

    with pytest.raises(RuleViolated, match="accepted"):
        teams.withdraw_mentorship(asked.id, programme.mentees[0], None, uuid4())


def test_a_request_waiting_for_the_mentees_answer_can_be_withdrawn(
    teams: TeamsApplication, programme: Programme
) -> None:
    mentor = programme.mentors[0]
    asked = ask(teams, programme, mentor)
    teams.ask_for_information(asked.id, mentor, "Which archives?", None, uuid4())

    teams.withdraw_mentorship(asked.id, programme.mentees[0], None, uuid4())

    assert ask(teams, programme, mentor).status == "requested"


# The clock while a question waits.


def test_a_question_left_unanswered_expires_at_the_mentees_own_deadline(
    teams: TeamsApplication, programme: Programme, clock: ManualClock
) -> None:
    mentor, alternative = programme.mentors
    asked = ask(teams, programme, mentor, [alternative])
    clock.advance(hours=5)
    teams.ask_for_information(asked.id, mentor, "Which archives?", None, uuid4())

    assert teams.expire_overdue_requests(clock.now + limit(programme) / 2) == []
    [expired] = teams.expire_overdue_requests(clock.now + limit(programme))

    assert expired.id == asked.id and expired.status == "expired"
    assert expired.next_mentorship_id is None, "the mentee went quiet: no next"
    standing = teams.standing(programme.team.id, mentor, mentor)
    assert standing.expired_in_a_row == 0, "the mentor did answer"
    assert ask(teams, programme, mentor).status == "requested"


def test_the_mentees_answer_gives_the_mentor_the_full_limit_again(
    teams: TeamsApplication, programme: Programme, clock: ManualClock
) -> None:
    mentor = programme.mentors[0]
    asked = ask(teams, programme, mentor)
    teams.ask_for_information(asked.id, mentor, "Which archives?", None, uuid4())
    clock.advance(hours=10)
    teams.clarify_request(asked.id, programme.mentees[0], "Parish", None, uuid4())

    assert teams.expire_overdue_requests(clock.now + limit(programme) / 2) == []
    [expired] = teams.expire_overdue_requests(clock.now + limit(programme))
    assert expired.id == asked.id


# The next choice at expiry.


def test_expiry_passes_over_alternatives_who_left_or_are_paused(
    teams: TeamsApplication, programme: Programme, clock: ManualClock
) -> None:
    first, leaving = programme.mentors
    paused, able = another_mentor(teams, programme), another_mentor(teams, programme)
    asked = ask(teams, programme, first, [leaving, paused, able])
    team = teams.team(programme.team.id)
    team.pause_if_silent(paused, 99, uuid4())
    teams.save(team)
    teams.remove_member(
        programme.team.id, leaving, programme.coordinator, None, uuid4()
    )

    [expired] = teams.expire_overdue_requests(clock.now + limit(programme))

    following = teams.mentorship(expired.next_mentorship_id or uuid4())
    assert expired.id == asked.id
    assert (following.mentor_id, following.choice) == (able, 4)
    assert following.mentor_team_id == programme.team.id
    assert expired.skipped_mentor_ids == [leaving, paused]


def test_expiry_passes_over_a_full_mentor_and_one_already_asked(
    teams: TeamsApplication, programme: Programme, clock: ManualClock
) -> None:
    first, full = programme.mentors
    asked_already = another_mentor(teams, programme)
    taken = ask(teams, programme, full, mentee=programme.mentees[1])
    teams.accept_mentorship(taken.id, full, None, uuid4())  # capacity 1
    due = clock.now + limit(programme)
    ask(teams, programme, first, [full, asked_already])
    clock.advance(hours=1)
    ask(teams, programme, asked_already)

    [expired] = teams.expire_overdue_requests(due)

    assert expired.mentor_id == first
    assert expired.next_mentorship_id is None
    assert expired.skipped_mentor_ids == [full, asked_already]


def test_when_no_alternative_can_accept_the_expiry_names_them_all(
    teams: TeamsApplication, programme: Programme, clock: ManualClock
) -> None:
    first, leaving = programme.mentors
    ask(teams, programme, first, [leaving])
    teams.remove_member(
        programme.team.id, leaving, programme.coordinator, None, uuid4()
    )

    [expired] = teams.expire_overdue_requests(clock.now + limit(programme))

    assert expired.next_mentorship_id is None
    assert expired.skipped_mentor_ids == [leaving]


# One open request per pair, even when the command's check is passed twice.


def test_the_store_refuses_a_second_open_request_of_the_same_pair(
    teams: TeamsApplication, programme: Programme
) -> None:
    mentor, mentee = programme.mentors[0], programme.mentees[0]
    ask(teams, programme, mentor)
    twin = Mentorship.request(
        programme.team.id,
        mentee,
        mentor,
        "again",
        [],
        programme.team.created_on,
        uuid4(),
    )
    row: MentorshipRow = mentorship_row(twin)

    with pytest.raises(IntegrityError):
        teams.recorder.insert_events([], mentorship_rows=[row])
    assert twin.id not in teams.repository


# Who sees whom.


def seen(
    teams: TeamsApplication, programme: Programme, viewer: UUID | None
) -> set[UUID]:
    return {m.person_id for m in teams.members_seen_by(programme.team.id, viewer)}


def set_visibility(
    teams: TeamsApplication, programme: Programme, mentors: str, mentees: str
) -> None:
    settings = ProgrammeSettings(
        visibility=Visibility.model_validate(
            {"mentors_visible_to": mentors, "mentees_visible_to": mentees}
        )
    )
    teams.change_settings(
        programme.team.id, settings, programme.coordinator, None, uuid4()
    )


def test_a_mentee_sees_no_other_mentee_when_mentees_are_shown_to_mentors(
    teams: TeamsApplication, programme: Programme
) -> None:
    everyone = {programme.coordinator, *programme.mentors, *programme.mentees}
    mentee = programme.mentees[0]

    assert seen(teams, programme, mentee) == {
        programme.coordinator,
        *programme.mentors,
        mentee,
    }
    assert seen(teams, programme, programme.mentors[0]) == everyone
    assert seen(teams, programme, programme.coordinator) == everyone
    assert seen(teams, programme, None) == everyone, "the gateway's own read"


def test_mentors_shown_to_coordinators_only_leave_the_pool_empty_for_mentees(
    teams: TeamsApplication, programme: Programme
) -> None:
    set_visibility(teams, programme, mentors="coordinators", mentees="team")
    mentee, mentor = programme.mentees[0], programme.mentors[0]

    assert seen(teams, programme, mentee) == {programme.coordinator, *programme.mentees}
    assert mentor in seen(teams, programme, mentor), "a member always sees themself"
    assert teams.mentor_pool(programme.team.id, mentee) == []
    by_coordinator = teams.mentor_pool(programme.team.id, programme.coordinator)
    assert {person for _, person, _ in by_coordinator} == set(programme.mentors)


def test_a_stranger_sees_no_members(
    teams: TeamsApplication, programme: Programme
) -> None:
    with pytest.raises(NotPermitted):
        teams.members_seen_by(programme.team.id, uuid4())
    with pytest.raises(NotPermitted):
        teams.mentor_pool(programme.team.id, uuid4())


# Stale versions of commands that took none before.


def test_consent_and_join_answers_refuse_a_stale_version(
    teams: TeamsApplication, programme: Programme
) -> None:
    organiser = uuid4()
    consortium = teams.create_team(
        "Valley", "consortium", ProgrammeSettings(), organiser, uuid4()
    )
    added = teams.add_member_team(
        consortium.id, programme.team.id, organiser, None, uuid4()
    )
    with pytest.raises(VersionConflict):
        teams.set_consortium_consent(
            consortium.id,
            programme.team.id,
            True,
            programme.coordinator,
            uuid4(),
            added.version - 1,
        )
    link = teams.issue_join_link(programme.team.id, programme.coordinator, uuid4())
    person = uuid4()
    asked = teams.request_to_join(
        programme.team.id, link.link.rsplit("token=", 1)[1], ["mentee"], person, uuid4()
    )

    with pytest.raises(VersionConflict):
        teams.answer_join_request(
            programme.team.id,
            person,
            True,
            programme.coordinator,
            uuid4(),
            asked.version - 1,
        )
    approved = teams.answer_join_request(
        programme.team.id, person, True, programme.coordinator, uuid4(), asked.version
    )
    assert person in approved.members
