"""The growth rules on the in-memory event store: referrals, pauses, graduation,
cohort rollover (the API tests drive the same through HTTP on PostgreSQL)."""

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest
from carrel_events.contracts.teams import ProgrammeSettings
from carrel_events.relay import EnvelopeFactory
from carrel_teams.application import TeamsApplication
from carrel_teams.domain.errors import NotFound, NotPermitted, RuleViolated
from carrel_teams.domain.mentorship import Mentorship
from carrel_teams.testing import ManualClock, Programme


def token_of(link: str) -> str:
    return link.rsplit("token=", 1)[1]


def recorded(teams: TeamsApplication) -> list[str]:
    """The types of every event recorded so far, in order."""
    notifications = teams.recorder.select_notifications(1, 100_000)
    return [n.topic.rsplit(".", 1)[1] for n in notifications]


def payload_of(teams: TeamsApplication, event_type: str) -> dict[str, object]:
    """The last recorded event of that type, decoded."""
    notifications = teams.recorder.select_notifications(1, 100_000)
    found = [n for n in notifications if n.topic.endswith(f".{event_type}")]
    return teams.mapper.to_domain_event(found[-1]).__dict__


def change(teams: TeamsApplication, programme: Programme, **settings: object) -> None:
    current = teams.team(programme.team.id).settings
    teams.change_settings(
        programme.team.id,
        current.model_copy(update=settings),
        programme.coordinator,
        None,
        uuid4(),
    )


# Referrals.


def test_a_referral_without_approval_works_at_once_and_names_the_referrer(
    teams: TeamsApplication, programme: Programme
) -> None:
    change(teams, programme, referrals_need_approval=False)
    referrer, newcomer = programme.mentees[0], uuid4()

    referred = teams.refer(
        programme.team.id, "Ada", "ada@example.org", ["mentee"], referrer, uuid4()
    )
    assert referred.link is not None and not referred.awaiting_approval
    teams.accept_invitation(referred.id, token_of(referred.link), newcomer, uuid4())

    assert teams.team(programme.team.id).member(newcomer).roles == {"mentee"}
    assert payload_of(teams, "MemberJoined")["referred_by"] == referrer
    assert len(teams.mailer_messages(programme.team.id)) == 1


def test_a_referral_that_needs_approval_gives_no_working_link_until_approved(
    teams: TeamsApplication, programme: Programme
) -> None:
    team_id, referrer = programme.team.id, programme.mentors[0]

    referred = teams.refer(
        team_id, "Bea", "bea@example.org", ["mentor"], referrer, uuid4()
    )
    assert referred.awaiting_approval and referred.link is None
    assert teams.mailer_messages(team_id) == []
    [waiting] = teams.referrals_awaiting(team_id, programme.coordinator)
    approved = teams.approve_referral(waiting.id, programme.coordinator, None, uuid4())
    teams.accept_invitation(approved.id, token_of(approved.link), uuid4(), uuid4())

    assert teams.referrals_awaiting(team_id, programme.coordinator) == []
    assert recorded(teams)[-4:] == [
        "MemberReferred",
        "ReferralApproved",
        "InvitationAccepted",
        "MemberJoined",
    ]


def test_a_referral_awaiting_approval_cannot_be_accepted(
    teams: TeamsApplication, programme: Programme
) -> None:
    referred = teams.refer(
        programme.team.id,
        "C",
        "c@example.org",
        ["mentee"],
        programme.mentees[1],
        uuid4(),
    )
    token = token_of(
        teams.approve_referral(referred.id, programme.coordinator, None, uuid4()).link
    )
    other = teams.refer(
        programme.team.id,
        "D",
        "d@example.org",
        ["mentee"],
        programme.mentees[1],
        uuid4(),
    )

    with pytest.raises(RuleViolated, match="waits for a coordinator"):
        teams.accept_invitation(other.id, token, uuid4(), uuid4())


def test_a_declined_referral_is_neither_accepted_nor_referred_again(
    teams: TeamsApplication, programme: Programme
) -> None:
    team_id, referrer = programme.team.id, programme.mentees[0]
    referred = teams.refer(team_id, "E", "e@example.org", ["mentee"], referrer, uuid4())

    teams.decline_referral(referred.id, programme.coordinator, None, uuid4())

    assert teams.invitation(referred.id).status == "declined"
    with pytest.raises(RuleViolated, match="invited to the team before"):
        teams.refer(team_id, "E", "e@example.org", ["mentee"], referrer, uuid4())
    with pytest.raises(RuleViolated, match="declined, not awaiting"):
        teams.approve_referral(referred.id, programme.coordinator, None, uuid4())


def test_only_members_refer_and_only_coordinators_approve(
    teams: TeamsApplication, programme: Programme
) -> None:
    team_id = programme.team.id
    with pytest.raises(NotPermitted):
        teams.refer(team_id, "F", "f@example.org", ["mentee"], uuid4(), uuid4())
    referred = teams.refer(
        team_id, "F", "f@example.org", ["mentee"], programme.mentees[0], uuid4()
    )
    with pytest.raises(NotPermitted):
        teams.approve_referral(referred.id, programme.mentors[0], None, uuid4())
    with pytest.raises(NotPermitted):
        teams.referrals_awaiting(team_id, programme.mentees[0])


def test_a_referral_cannot_offer_the_coordinator_role(
    teams: TeamsApplication, programme: Programme
) -> None:
    with pytest.raises(RuleViolated, match="not coordinator"):
        teams.refer(
            programme.team.id,
            "G",
            "g@example.org",
            ["coordinator"],
            programme.mentees[0],
            uuid4(),
        )


def test_an_address_with_a_referral_waiting_is_not_invited_over_it(
    teams: TeamsApplication, programme: Programme
) -> None:
    team_id = programme.team.id
    teams.refer(
        team_id, "H", "h@example.org", ["mentee"], programme.mentees[0], uuid4()
    )

    with pytest.raises(RuleViolated, match="waiting for a coordinator"):
        teams.invite(
            team_id, "H", "h@example.org", ["mentee"], programme.coordinator, uuid4()
        )


# Pauses for silence.


def ask(
    teams: TeamsApplication, programme: Programme, mentee: UUID, mentor: UUID
) -> Mentorship:
    return teams.request_mentorship(
        programme.team.id, mentee, mentor, "Hello", [], uuid4()
    )


def let_expire(teams: TeamsApplication, clock: ManualClock) -> list[Mentorship]:
    clock.advance(days=15)
    return teams.expire_overdue_requests()


def test_a_mentor_is_paused_after_the_teams_number_of_expiries_in_a_row(
    teams: TeamsApplication, programme: Programme, clock: ManualClock
) -> None:
    change(teams, programme, pause_after_expired_requests=2)
    mentor = programme.mentors[0]
    ask(teams, programme, programme.mentees[0], mentor)
    let_expire(teams, clock)
    assert not teams.team(programme.team.id).is_paused(mentor)
    ask(teams, programme, programme.mentees[1], mentor)
    let_expire(teams, clock)

    assert teams.team(programme.team.id).paused == {mentor: 2}
    assert payload_of(teams, "MentorPaused")["expired_requests"] == 2
    with pytest.raises(RuleViolated, match="paused in this team") as refused:
        ask(teams, programme, programme.mentees[2], mentor)
    assert refused.value.kind == "value_error.mentor_paused"


def test_an_answer_between_expiries_starts_the_count_again(
    teams: TeamsApplication, programme: Programme, clock: ManualClock
) -> None:
    change(teams, programme, pause_after_expired_requests=2)
    mentor = programme.mentors[0]
    ask(teams, programme, programme.mentees[0], mentor)
    let_expire(teams, clock)
    declined = ask(teams, programme, programme.mentees[1], mentor)
    teams.decline_mentorship(declined.id, mentor, "Too busy", None, uuid4())
    ask(teams, programme, programme.mentees[2], mentor)
    let_expire(teams, clock)

    standing = teams.standing(programme.team.id, mentor, mentor)
    assert standing.paused_after is None and standing.expired_in_a_row == 1


def test_a_paused_mentor_resumes_with_one_action_and_is_asked_again(
    teams: TeamsApplication, programme: Programme, clock: ManualClock
) -> None:
    change(teams, programme, pause_after_expired_requests=1)
    mentor = programme.mentors[1]
    ask(teams, programme, programme.mentees[0], mentor)
    let_expire(teams, clock)

    teams.resume_mentor(programme.team.id, mentor, mentor, uuid4())

    assert not teams.team(programme.team.id).is_paused(mentor)
    assert teams.standing(programme.team.id, mentor, mentor).expired_in_a_row == 0
    assert ask(teams, programme, programme.mentees[0], mentor).status == "requested"
    assert payload_of(teams, "MentorResumed")["resumed_by"] == mentor


def test_only_the_mentor_or_a_coordinator_resumes_and_only_when_paused(
    teams: TeamsApplication, programme: Programme, clock: ManualClock
) -> None:
    change(teams, programme, pause_after_expired_requests=1)
    mentor = programme.mentors[0]
    with pytest.raises(RuleViolated, match="not paused"):
        teams.resume_mentor(programme.team.id, mentor, mentor, uuid4())
    ask(teams, programme, programme.mentees[0], mentor)
    let_expire(teams, clock)

    with pytest.raises(NotPermitted):
        teams.resume_mentor(programme.team.id, mentor, programme.mentors[1], uuid4())
    teams.resume_mentor(programme.team.id, mentor, programme.coordinator, uuid4())


def test_the_mentee_of_an_expired_request_still_gets_their_next_choice(
    teams: TeamsApplication, programme: Programme, clock: ManualClock
) -> None:
    change(teams, programme, pause_after_expired_requests=1)
    first, second = programme.mentors
    teams.request_mentorship(
        programme.team.id, programme.mentees[0], first, "Hi", [second], uuid4()
    )

    [expired] = let_expire(teams, clock)

    following = teams.mentorship(expired.next_mentorship_id or uuid4())
    assert following.mentor_id == second and following.status == "requested"
    assert teams.team(programme.team.id).is_paused(first)


def test_a_paused_mentor_is_refused_as_an_alternative_too(
    teams: TeamsApplication, programme: Programme, clock: ManualClock
) -> None:
    change(teams, programme, pause_after_expired_requests=1)
    first, second = programme.mentors
    ask(teams, programme, programme.mentees[0], first)
    let_expire(teams, clock)

    with pytest.raises(RuleViolated) as refused:
        teams.request_mentorship(
            programme.team.id, programme.mentees[1], second, "Hi", [first], uuid4()
        )
    assert refused.value.field == ("body", "alternative_mentor_ids", "0")


# Graduation.


def completed(
    teams: TeamsApplication, programme: Programme, mentee: UUID
) -> Mentorship:
    mentor = programme.mentors[0]
    asked = ask(teams, programme, mentee, mentor)
    teams.accept_mentorship(asked.id, mentor, None, uuid4())
    _, reached = teams.set_goal(
        asked.id, "Catalogue rare books", None, mentee, None, uuid4()
    )
    teams.set_goal(asked.id, "Run a workshop", None, mentee, None, uuid4())
    teams.progress_goal(asked.id, reached, 100, mentee, None, uuid4())
    return teams.end_mentorship(asked.id, "completed", mentor, None, uuid4())


def test_a_mentee_who_completes_with_feedback_is_invited_to_mentor_their_goals(
    teams: TeamsApplication, programme: Programme
) -> None:
    mentee = programme.mentees[0]
    mentorship = completed(teams, programme, mentee)
    assert teams.team(programme.team.id).graduates == {}

    teams.give_feedback(mentorship.id, 5, "Great", mentee, None, uuid4())

    invited = payload_of(teams, "GraduationInvited")
    assert invited["person_id"] == mentee
    assert invited["mentorship_id"] == mentorship.id
    assert invited["goal_titles"] == ["Catalogue rare books"]


def test_feedback_before_completion_invites_once_the_mentorship_completes(
    teams: TeamsApplication, programme: Programme
) -> None:
    mentee, mentor = programme.mentees[1], programme.mentors[0]
    asked = ask(teams, programme, mentee, mentor)
    teams.accept_mentorship(asked.id, mentor, None, uuid4())
    teams.give_feedback(asked.id, 4, "Good so far", mentee, None, uuid4())
    assert "GraduationInvited" not in recorded(teams)

    teams.end_mentorship(asked.id, "completed", mentee, None, uuid4())
    teams.give_feedback(asked.id, 5, "And after", mentee, None, uuid4())

    assert recorded(teams).count("GraduationInvited") == 1


def test_no_invitation_for_an_early_end_a_mentor_or_the_mentors_feedback(
    teams: TeamsApplication, programme: Programme
) -> None:
    mentee, mentor = programme.mentees[2], programme.mentors[0]
    asked = ask(teams, programme, mentee, mentor)
    teams.accept_mentorship(asked.id, mentor, None, uuid4())
    teams.end_mentorship(asked.id, "ended_early", mentee, None, uuid4())
    teams.give_feedback(asked.id, 3, "Short", mentee, None, uuid4())
    teams.change_roles(
        programme.team.id,
        mentee,
        ["mentee", "mentor"],
        programme.coordinator,
        None,
        uuid4(),
    )
    other = completed(teams, programme, mentee)
    teams.give_feedback(other.id, 5, "Done", mentee, None, uuid4())
    third = completed(teams, programme, programme.mentees[0])
    teams.give_feedback(third.id, 5, "Done", mentor, None, uuid4())

    assert "GraduationInvited" not in recorded(teams)


def test_accepting_graduation_makes_the_member_a_mentor_with_their_capacity(
    teams: TeamsApplication, programme: Programme
) -> None:
    mentee = programme.mentees[0]
    mentorship = completed(teams, programme, mentee)
    teams.give_feedback(mentorship.id, 5, "Great", mentee, None, uuid4())

    teams.accept_graduation(programme.team.id, mentee, 3, uuid4())

    member, capacity = teams.member_of(programme.team.id, mentee)
    assert member.roles == {"mentee", "mentor"} and capacity == 3
    assert recorded(teams)[-3:] == [
        "GraduationAccepted",
        "MemberRoleChanged",
        "MentorCapacityChanged",
    ]
    with pytest.raises(NotFound):
        teams.accept_graduation(programme.team.id, mentee, 3, uuid4())


def test_only_an_invited_member_accepts_graduation(
    teams: TeamsApplication, programme: Programme
) -> None:
    with pytest.raises(NotFound):
        teams.accept_graduation(programme.team.id, programme.mentees[1], 2, uuid4())


# Cohort rollover.


def cohort_programme(teams: TeamsApplication, programme: Programme) -> None:
    change(
        teams,
        programme,
        mode="cohort",
        cohort_starts_on=date(2026, 1, 5),
        cohort_ends_on=date(2026, 6, 30),
    )


def test_rollover_carries_unmatched_mentees_and_asks_mentors_back(
    teams: TeamsApplication, programme: Programme
) -> None:
    cohort_programme(teams, programme)
    matched, mentor = programme.mentees[0], programme.mentors[0]
    asked = ask(teams, programme, matched, mentor)
    teams.accept_mentorship(asked.id, mentor, None, uuid4())
    ask(teams, programme, programme.mentees[1], programme.mentors[1])

    team = teams.roll_over_cohort(
        programme.team.id,
        date(2026, 9, 1),
        date(2027, 2, 28),
        programme.coordinator,
        None,
        uuid4(),
    )

    assert team.carried_over == programme.mentees[1:]
    assert team.returning == set(programme.mentors)
    settings = team.settings
    assert (settings.cohort_starts_on, settings.cohort_ends_on) == (
        date(2026, 9, 1),
        date(2027, 2, 28),
    )
    assert recorded(teams)[-2:] == ["CohortRolledOver", "TeamSettingsChanged"]
    rolled = payload_of(teams, "CohortRolledOver")
    assert rolled["ended_cohort_ends_on"] == date(2026, 6, 30)


def test_a_returning_mentor_confirms_capacity_once(
    teams: TeamsApplication, programme: Programme
) -> None:
    cohort_programme(teams, programme)
    teams.roll_over_cohort(
        programme.team.id,
        date(2026, 7, 1),
        date(2026, 12, 31),
        programme.coordinator,
        None,
        uuid4(),
    )
    mentor = programme.mentors[0]

    teams.confirm_capacity(programme.team.id, mentor, 4, mentor, uuid4())

    assert teams.member_of(programme.team.id, mentor)[1] == 4
    assert recorded(teams)[-2:] == ["MentorCapacityConfirmed", "MentorCapacityChanged"]
    assert payload_of(teams, "MentorCapacityConfirmed")["cohort_starts_on"] == date(
        2026, 7, 1
    )
    with pytest.raises(RuleViolated, match="no capacity to confirm"):
        teams.confirm_capacity(programme.team.id, mentor, 4, mentor, uuid4())


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "rule"),
    [
        (date(2026, 6, 1), date(2026, 12, 31), "on or after 2026-06-30"),
        (date(2026, 9, 1), date(2026, 9, 1), "end after it starts"),
    ],
)
def test_the_next_cohort_follows_the_current_one(
    teams: TeamsApplication,
    programme: Programme,
    starts_on: date,
    ends_on: date,
    rule: str,
) -> None:
    cohort_programme(teams, programme)

    with pytest.raises(RuleViolated, match=rule):
        teams.roll_over_cohort(
            programme.team.id, starts_on, ends_on, programme.coordinator, None, uuid4()
        )


def test_a_rolling_programme_does_not_roll_over_and_mentors_cannot_either(
    teams: TeamsApplication, programme: Programme
) -> None:
    later = date.today() + timedelta(days=30)
    with pytest.raises(RuleViolated, match="runs in cohorts"):
        teams.roll_over_cohort(
            programme.team.id,
            later,
            later + timedelta(days=90),
            programme.coordinator,
            None,
            uuid4(),
        )
    with pytest.raises(NotPermitted):
        teams.roll_over_cohort(
            programme.team.id,
            later,
            later + timedelta(days=90),
            programme.mentors[0],
            None,
            uuid4(),
        )


def test_settings_of_a_new_team_allow_the_growth_defaults() -> None:
    settings = ProgrammeSettings()

    assert settings.referrals_need_approval
    assert settings.pause_after_expired_requests == 3


def test_every_growth_event_leaves_the_service_in_its_contracts_envelope(
    teams: TeamsApplication, programme: Programme, clock: ManualClock
) -> None:
    change(
        teams, programme, pause_after_expired_requests=1, referrals_need_approval=True
    )
    referred = teams.refer(
        programme.team.id,
        "I",
        "i@example.org",
        ["mentee"],
        programme.mentees[0],
        uuid4(),
    )
    approved = teams.approve_referral(referred.id, programme.coordinator, None, uuid4())
    teams.accept_invitation(approved.id, token_of(approved.link), uuid4(), uuid4())
    other = teams.refer(
        programme.team.id,
        "J",
        "j@example.org",
        ["mentee"],
        programme.mentees[0],
        uuid4(),
    )
    teams.decline_referral(other.id, programme.coordinator, None, uuid4())
    ask(teams, programme, programme.mentees[1], programme.mentors[1])
    let_expire(teams, clock)
    teams.resume_mentor(
        programme.team.id, programme.mentors[1], programme.coordinator, uuid4()
    )
    mentorship = completed(teams, programme, programme.mentees[0])
    teams.give_feedback(mentorship.id, 5, "Great", programme.mentees[0], None, uuid4())
    teams.accept_graduation(programme.team.id, programme.mentees[0], 2, uuid4())
    cohort_programme(teams, programme)
    teams.roll_over_cohort(
        programme.team.id,
        date(2026, 7, 1),
        date(2026, 12, 1),
        programme.coordinator,
        None,
        uuid4(),
    )
    teams.confirm_capacity(
        programme.team.id, programme.mentors[0], 1, programme.mentors[0], uuid4()
    )

    factory = EnvelopeFactory()
    envelopes = [
        factory(teams.mapper.to_domain_event(n))
        for n in teams.recorder.select_notifications(1, 100_000)
    ]
    published = {e.event_type: e for e in envelopes if e is not None}
    growth = {
        "MemberReferred",
        "ReferralApproved",
        "ReferralDeclined",
        "MentorPaused",
        "MentorResumed",
        "GraduationInvited",
        "GraduationAccepted",
        "CohortRolledOver",
        "MentorCapacityConfirmed",
    }
    assert growth <= set(published)
    assert all(published[name].team_id == programme.team.id for name in growth)
    assert published["MemberReferred"].payload["awaiting_approval"] is True
    assert "email" not in published["MemberReferred"].payload
    assert "token_hash" not in published["ReferralApproved"].payload
    assert published["MemberJoined"].payload["referred_by"] == str(programme.mentees[0])
