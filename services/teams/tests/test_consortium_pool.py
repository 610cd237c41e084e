"""A consortium's shared pool of mentors, on the in-memory event store."""

from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from carrel_teams.application import TeamsApplication
from carrel_teams.domain.errors import MentorAtCapacity, NotPermitted, RuleViolated
from carrel_teams.domain.mentorship import MentorLoad, mentor_load_id
from carrel_teams.testing import (
    ManualClock,
    Programme,
    start_consortium,
    start_programme,
)


@pytest.fixture
def other(teams: TeamsApplication) -> Programme:
    """A second library team, whose mentors the first team's mentees may ask."""
    return start_programme(teams)


def ask(teams: TeamsApplication, mentee_team: Programme, mentor: UUID) -> UUID:
    mentee = mentee_team.mentees[0]
    asked = teams.request_mentorship(
        mentee_team.team.id, mentee, mentor, "hi", [], uuid4()
    )
    return asked.id


def test_a_mentee_asks_a_mentor_of_another_team_of_the_same_consortium(
    teams: TeamsApplication, programme: Programme, other: Programme
) -> None:
    start_consortium(teams, programme, other)
    mentor = other.mentors[0]

    mentorship = teams.mentorship(ask(teams, programme, mentor))

    assert (mentorship.team_id, mentorship.mentor_team_id) == (
        programme.team.id,
        other.team.id,
    )
    assert mentorship.mentor_id == mentor


@pytest.mark.parametrize("consenting", ["neither", "mentee's team", "mentor's team"])
def test_a_mentor_of_a_team_that_does_not_share_is_refused(
    teams: TeamsApplication, programme: Programme, other: Programme, consenting: str
) -> None:
    consortium = start_consortium(teams, programme, other, consent=False)
    giving = {"mentee's team": [programme], "mentor's team": [other]}
    for member_team in giving.get(consenting, []):
        teams.set_consortium_consent(
            consortium.id, member_team.team.id, True, member_team.coordinator, uuid4()
        )

    with pytest.raises(RuleViolated) as refused:
        ask(teams, programme, other.mentors[0])

    assert refused.value.field == ("body", "mentor_id")
    assert "both teams must consent" in refused.value.rule


def test_teams_in_different_consortia_do_not_share(
    teams: TeamsApplication, programme: Programme, other: Programme
) -> None:
    start_consortium(teams, programme)
    start_consortium(teams, other)

    with pytest.raises(RuleViolated):
        ask(teams, programme, other.mentors[0])


def test_a_withdrawn_consent_stops_new_requests_and_their_accepts(
    teams: TeamsApplication, programme: Programme, other: Programme
) -> None:
    consortium = start_consortium(teams, programme, other)
    mentor = other.mentors[0]
    asked = ask(teams, programme, mentor)

    teams.set_consortium_consent(
        consortium.id, other.team.id, False, other.coordinator, uuid4()
    )

    with pytest.raises(RuleViolated):
        ask(teams, programme, other.mentors[1])
    with pytest.raises(RuleViolated, match="both teams must consent"):
        teams.accept_mentorship(asked, mentor, None, uuid4())


def test_the_place_is_counted_in_the_mentors_home_team(
    teams: TeamsApplication, programme: Programme, other: Programme
) -> None:
    start_consortium(teams, programme, other)
    mentor = other.mentors[0]
    from_afar = ask(teams, programme, mentor)
    from_home = ask(teams, other, mentor)

    teams.accept_mentorship(from_afar, mentor, None, uuid4())

    load: object = teams.repository.get(mentor_load_id(other.team.id, mentor))
    assert isinstance(load, MentorLoad) and load.active == [from_afar]
    with pytest.raises(MentorAtCapacity):
        teams.accept_mentorship(from_home, mentor, None, uuid4())


def test_only_the_named_mentor_accepts_a_request_from_another_team(
    teams: TeamsApplication, programme: Programme, other: Programme
) -> None:
    start_consortium(teams, programme, other)
    asked = ask(teams, programme, other.mentors[0])

    for stranger in (other.mentors[1], programme.mentors[0], other.coordinator):
        with pytest.raises(NotPermitted):
            teams.accept_mentorship(asked, stranger, None, uuid4())


def test_the_next_choice_after_an_expiry_may_come_from_another_team(
    teams: TeamsApplication, programme: Programme, other: Programme, clock: ManualClock
) -> None:
    start_consortium(teams, programme, other)
    first, second = programme.mentors[0], other.mentors[0]
    asked = teams.request_mentorship(
        programme.team.id, programme.mentees[0], first, "hi", [second], uuid4()
    )

    [expired] = teams.expire_overdue_requests(clock.now + timedelta(days=365))
    assert expired.id == asked.id and expired.next_mentorship_id is not None
    following = teams.mentorship(expired.next_mentorship_id)
    teams.accept_mentorship(following.id, second, None, uuid4())

    assert (following.team_id, following.mentor_team_id) == (
        programme.team.id,
        other.team.id,
    )
    assert teams.mentorship(following.id).status == "accepted"


def test_a_member_teams_pool_holds_the_consortiums_sharing_teams(
    teams: TeamsApplication, programme: Programme, other: Programme
) -> None:
    consortium = start_consortium(teams, programme, other)
    outsider = start_programme(teams)

    pool = {(home, person) for home, person, _ in teams.mentor_pool(programme.team.id)}

    assert pool == {(p.team.id, m) for p in (programme, other) for m in p.mentors}
    consortium_pool = {person for _, person, _ in teams.mentor_pool(consortium.id)}
    outsider_pool = {person for _, person, _ in teams.mentor_pool(outsider.team.id)}
    assert consortium_pool == {person for _, person in pool}
    assert outsider_pool == set(outsider.mentors)


def test_the_list_holds_a_members_mentorships_on_both_sides_of_the_pool(
    teams: TeamsApplication, programme: Programme, other: Programme
) -> None:
    start_consortium(teams, programme, other)
    mentor = other.mentors[0]
    asked = ask(teams, programme, mentor)

    as_mentee = teams.mentorships_in(
        programme.team.id, programme.mentees[0], None, False, (10, 0)
    )
    as_mentor = teams.mentorships_in(other.team.id, mentor, None, False, (10, 0))
    for_coordinator = teams.mentorships_in(
        other.team.id, other.coordinator, None, True, (10, 0)
    )

    for page in (as_mentee, as_mentor, for_coordinator):
        assert [row.mentorship_id for row in page.rows] == [asked]
    with pytest.raises(NotPermitted):
        teams.mentorships_in(
            other.team.id, mentor, programme.mentees[0], False, (10, 0)
        )
