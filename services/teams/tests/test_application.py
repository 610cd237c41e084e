"""The commands, on the in-memory event store (the API tests use PostgreSQL)."""

from datetime import timedelta
from uuid import uuid4

import pytest
from carrel_events.contracts.teams import ProgrammeSettings
from carrel_teams.application import TeamsApplication
from carrel_teams.domain.errors import (
    MentorAtCapacity,
    NotPermitted,
    RuleViolated,
    VersionConflict,
)
from carrel_teams.testing import ManualClock, Programme


def token_of(link: str) -> str:
    return link.rsplit("token=", 1)[1]


def test_an_invited_person_joins_with_the_invitations_roles(
    teams: TeamsApplication, programme: Programme
) -> None:
    team_id, person = programme.team.id, uuid4()
    issued = teams.invite(
        team_id, "Ada", "ada@example.org", ["mentor"], programme.coordinator, uuid4()
    )

    teams.accept_invitation(issued.id, token_of(issued.link), person, uuid4())

    assert teams.team(team_id).member(person).roles == {"mentor"}
    [message] = teams.mailer_messages(team_id)
    assert (message.email, message.link) == ("ada@example.org", issued.link)


def test_only_a_coordinator_invites(
    teams: TeamsApplication, programme: Programme
) -> None:
    with pytest.raises(NotPermitted):
        teams.invite(
            programme.team.id,
            "A",
            "a@example.org",
            ["mentee"],
            programme.mentors[0],
            uuid4(),
        )


def test_a_pending_address_is_not_invited_twice_but_an_expired_one_is(
    teams: TeamsApplication, programme: Programme, clock: ManualClock
) -> None:
    team_id, coordinator = programme.team.id, programme.coordinator
    first = teams.invite(
        team_id, "A", "a@example.org", ["mentee"], coordinator, uuid4()
    )

    with pytest.raises(RuleViolated, match="pending invitation"):
        teams.invite(team_id, "A", "A@example.org", ["mentee"], coordinator, uuid4())
    clock.advance(days=15)
    again = teams.invite(
        team_id, "A", "a@example.org", ["mentee"], coordinator, uuid4()
    )

    assert again.id == first.id and again.version == 2
    assert len(teams.mailer_messages(team_id)) == 2


def test_the_import_rejects_addresses_already_invited_or_in_the_team(
    teams: TeamsApplication, programme: Programme
) -> None:
    team_id, coordinator = programme.team.id, programme.coordinator
    teams.invite(team_id, "A", "a@example.org", ["mentee"], coordinator, uuid4())
    joined = teams.invite(
        team_id, "B", "b@example.org", ["mentee"], coordinator, uuid4()
    )
    teams.accept_invitation(joined.id, token_of(joined.link), uuid4(), uuid4())
    text = (
        "name,email,role\n"
        "A,a@example.org,mentee\nB,b@example.org,mentor\nC,c@example.org,mentor\n"
    )

    rows = teams.import_invitees(team_id, text, coordinator, uuid4())

    assert [(r.row, r.status, r.reason) for r in rows] == [
        (2, "rejected", "the address already has a pending invitation"),
        (3, "rejected", "the address belongs to a member of the team"),
        (4, "accepted", None),
    ]
    assert rows[2].invitation_id is not None


def test_accepting_never_takes_a_mentor_past_capacity(
    teams: TeamsApplication, programme: Programme
) -> None:
    mentor = programme.mentors[0]
    first, second = (
        teams.request_mentorship(programme.team.id, mentee, mentor, "hi", [], uuid4())
        for mentee in programme.mentees[:2]
    )
    teams.accept_mentorship(first.id, mentor, first.version, uuid4())

    with pytest.raises(MentorAtCapacity):
        teams.accept_mentorship(second.id, mentor, second.version, uuid4())
    teams.end_mentorship(first.id, "completed", mentor, None, uuid4())
    teams.accept_mentorship(second.id, mentor, second.version, uuid4())

    assert teams.mentorship(second.id).status == "accepted"


def test_a_stale_version_is_refused(
    teams: TeamsApplication, programme: Programme
) -> None:
    with pytest.raises(VersionConflict):
        teams.change_settings(
            programme.team.id, ProgrammeSettings(), programme.coordinator, 1, uuid4()
        )


def test_overdue_requests_expire_and_the_next_choice_is_asked(
    teams: TeamsApplication, programme: Programme, clock: ManualClock
) -> None:
    first_choice, second_choice = programme.mentors
    mentee = programme.mentees[0]
    request = teams.request_mentorship(
        programme.team.id, mentee, first_choice, "hi", [second_choice], uuid4()
    )
    hours = programme.team.settings.request_expiry_hours

    assert teams.expire_overdue_requests(clock.now + timedelta(hours=hours - 1)) == []
    [expired] = teams.expire_overdue_requests(clock.now + timedelta(hours=hours))

    assert expired.id == request.id and expired.status == "expired"
    assert expired.next_mentorship_id is not None
    following = teams.mentorship(expired.next_mentorship_id)
    assert (following.mentor_id, following.status, following.choice) == (
        second_choice,
        "requested",
        2,
    )
    later = following.expires_at
    [last] = teams.expire_overdue_requests(later)
    assert last.id == following.id and last.next_mentorship_id is None
    assert teams.expire_overdue_requests(later + timedelta(days=100)) == []


def test_an_answered_request_does_not_expire(
    teams: TeamsApplication, programme: Programme, clock: ManualClock
) -> None:
    mentor = programme.mentors[0]
    request = teams.request_mentorship(
        programme.team.id, programme.mentees[0], mentor, "hi", [], uuid4()
    )
    teams.decline_mentorship(request.id, mentor, "full", None, uuid4())

    assert teams.expire_overdue_requests(clock.now + timedelta(days=365)) == []


def test_a_consortium_pools_the_mentors_of_consenting_member_teams(
    teams: TeamsApplication, programme: Programme
) -> None:
    organiser = uuid4()
    consortium = teams.create_team(
        "Valley Consortium", "consortium", ProgrammeSettings(), organiser, uuid4()
    )
    teams.add_member_team(consortium.id, programme.team.id, organiser, None, uuid4())
    assert teams.mentor_pool(consortium.id) == []

    with pytest.raises(NotPermitted):
        teams.set_consortium_consent(
            consortium.id, programme.team.id, True, organiser, uuid4()
        )
    teams.set_consortium_consent(
        consortium.id, programme.team.id, True, programme.coordinator, uuid4()
    )

    pool = {person for _, person, _ in teams.mentor_pool(consortium.id)}
    assert pool == set(programme.mentors)
