from datetime import timedelta
from uuid import uuid4

import pytest
from carrel_events.contracts.teams import ProgrammeSettings
from carrel_teams.domain.errors import NotPermitted, RuleViolated
from carrel_teams.domain.team import Team
from carrel_teams.testing import ManualClock
from pydantic import ValidationError


def founded(kind: str = "library") -> Team:
    return Team.found(uuid4(), "Riverside", kind, ProgrammeSettings(), uuid4(), uuid4())


def test_the_founder_is_the_first_coordinator_and_every_event_names_the_team() -> None:
    team = founded()
    founder = next(iter(team.members))

    events = team.collect_events()

    assert team.is_coordinator(founder)
    assert [type(e).__name__ for e in events] == ["TeamCreated", "MemberJoined"]
    assert all(vars(e)["team_id"] == team.id for e in events)


def test_only_a_coordinator_changes_the_settings() -> None:
    team = founded()

    with pytest.raises(NotPermitted):
        team.change_settings(ProgrammeSettings(), uuid4(), uuid4())


def test_a_cohort_needs_dates_that_end_after_they_start() -> None:
    with pytest.raises(ValidationError, match="cohort needs"):
        ProgrammeSettings(mode="cohort")
    with pytest.raises(ValidationError, match="end after"):
        ProgrammeSettings(
            mode="cohort", cohort_starts_on="2026-09-01", cohort_ends_on="2026-01-01"
        )


def test_a_mentor_capacity_falls_back_to_the_team_default() -> None:
    team = founded()
    founder = next(iter(team.members))
    mentor = uuid4()
    team.admit(mentor, ["mentor", "mentee"], "invitation", None, uuid4())

    assert team.capacity_of(mentor) == ProgrammeSettings().default_mentor_capacity
    team.set_mentor_capacity(mentor, 5, founder, uuid4())
    assert team.capacity_of(mentor) == 5
    assert team.member(mentor).roles == {"mentor", "mentee"}


def test_the_last_coordinator_cannot_leave_or_lose_the_role() -> None:
    team = founded()
    founder = next(iter(team.members))

    with pytest.raises(RuleViolated, match="at least one coordinator"):
        team.remove(founder, founder, uuid4())
    with pytest.raises(RuleViolated, match="at least one coordinator"):
        team.change_roles(founder, ["mentor"], founder, uuid4())


def test_a_member_may_leave_but_not_remove_another() -> None:
    team = founded()
    first, second = uuid4(), uuid4()
    team.admit(first, ["mentee"], "invitation", None, uuid4())
    team.admit(second, ["mentee"], "invitation", None, uuid4())

    with pytest.raises(NotPermitted):
        team.remove(second, first, uuid4())
    team.remove(first, first, uuid4())

    assert first not in team.members


def test_an_unknown_role_is_refused_with_the_field_named() -> None:
    team = founded()

    with pytest.raises(RuleViolated) as refused:
        team.admit(uuid4(), ["librarian"], "invitation", None, uuid4())

    assert refused.value.field == ("roles",)


def test_a_join_link_request_waits_for_a_coordinators_approval(
    clock: ManualClock,
) -> None:
    team = founded()
    founder = next(iter(team.members))
    person = uuid4()
    team.issue_join_link("a" * 64, clock.now + timedelta(days=1), founder, uuid4())

    team.request_to_join(person, "a" * 64, ["mentee"], clock.now, uuid4())
    assert person not in team.members
    team.approve_join(person, founder, uuid4())

    assert team.member(person).roles == {"mentee"}


def test_a_join_link_refuses_a_wrong_or_expired_token(clock: ManualClock) -> None:
    team = founded()
    founder = next(iter(team.members))
    expires_at = clock.now + timedelta(days=1)
    team.issue_join_link("a" * 64, expires_at, founder, uuid4())

    with pytest.raises(RuleViolated, match="not valid"):
        team.request_to_join(uuid4(), "b" * 64, ["mentee"], clock.now, uuid4())
    with pytest.raises(RuleViolated, match="expired"):
        team.request_to_join(uuid4(), "a" * 64, ["mentee"], expires_at, uuid4())


def test_a_join_link_cannot_make_a_coordinator(clock: ManualClock) -> None:
    team = founded()
    founder = next(iter(team.members))
    team.issue_join_link("a" * 64, clock.now + timedelta(days=1), founder, uuid4())

    with pytest.raises(RuleViolated, match="coordinator"):
        team.request_to_join(uuid4(), "a" * 64, ["coordinator"], clock.now, uuid4())


def test_only_a_consortium_has_member_teams_and_consent_starts_withheld() -> None:
    library, consortium = founded(), founded("consortium")
    coordinator = next(iter(consortium.members))

    with pytest.raises(RuleViolated, match="only a consortium"):
        library.add_member_team(uuid4(), next(iter(library.members)), uuid4())
    consortium.add_member_team(library.id, coordinator, uuid4())
    assert consortium.sharing_teams() == []
    consortium.record_consent(library.id, True, uuid4(), uuid4())

    assert consortium.sharing_teams() == [library.id]
