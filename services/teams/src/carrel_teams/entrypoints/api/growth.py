"""The growth loop: referrals, pauses for silence, graduation, cohort rollover.

A referral is accepted like any invitation (``/invitations/{id}/accept``);
the routes here start, approve and decline it.
"""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from carrel_events.contracts.teams import MemberRole
from fastapi import APIRouter, status
from pydantic import BaseModel, EmailStr, Field

from carrel_teams.application import Standing
from carrel_teams.domain.referral import Referral
from carrel_teams.domain.team import Team
from carrel_teams.entrypoints.api.dependencies import (
    Actor,
    Body,
    Correlation,
    PlainName,
    Recorded,
    Teams,
    Versioned,
)
from carrel_teams.entrypoints.api.invitations import InvitationLink, invitation_link

router = APIRouter(prefix="/api/v1", tags=["growth"])

Capacity = Annotated[int, Field(ge=1, le=20)]


class ReferralCreate(Body):
    name: PlainName = Field(min_length=1)
    email: EmailStr
    roles: Annotated[
        list[Literal["mentor", "mentee"]], Field(min_length=1, max_length=2)
    ]


class ReferralAnswer(BaseModel):
    id: UUID
    version: int
    link: str | None
    """The invitation link when it works at once; None while approval is awaited."""
    expires_at: datetime
    awaiting_approval: bool


class ReferralView(BaseModel):
    """A referral waiting for approval, with what a coordinator needs to judge it."""

    id: UUID
    version: int
    name: str
    email: str
    roles: list[MemberRole]
    referred_by: UUID
    referred_at: datetime


class GraduationAcceptance(Body):
    mentor_capacity: Capacity


class Rollover(Versioned):
    cohort_starts_on: date
    cohort_ends_on: date


class RolloverAnswer(BaseModel):
    id: UUID
    version: int
    carried_over_mentee_ids: list[UUID]
    returning_mentor_ids: list[UUID]


class CapacityConfirmation(Body):
    mentor_capacity: int = Field(ge=0, le=20)


class GraduationView(BaseModel):
    mentorship_id: UUID
    goal_titles: list[str]


class StandingView(BaseModel):
    paused: bool
    paused_after_expired_requests: int | None
    """How many requests in a row expired unanswered when the mentor was paused."""
    expired_in_a_row: int
    pause_after_expired_requests: int
    """The team's limit: this many expiries in a row pause a mentor."""
    graduation_invitation: GraduationView | None
    capacity_to_confirm: bool


def recorded(team: Team) -> Recorded:
    return Recorded(id=team.id, version=team.version)


def referral_view(referral: Referral) -> ReferralView:
    return ReferralView(
        id=referral.id,
        version=referral.version,
        name=referral.name,
        email=referral.email,
        roles=referral.roles,
        referred_by=referral.referred_by,
        referred_at=referral.created_on,
    )


@router.post("/teams/{team_id}/referrals", status_code=status.HTTP_201_CREATED)
def refer(
    team_id: UUID,
    body: ReferralCreate,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> ReferralAnswer:
    """Refer a colleague as mentor or mentee; any member of the team."""
    referred = teams.refer(
        team_id, body.name, body.email, body.roles, actor, correlation
    )
    return ReferralAnswer(
        id=referred.id,
        version=referred.version,
        link=referred.link,
        expires_at=referred.expires_at,
        awaiting_approval=referred.awaiting_approval,
    )


@router.get("/teams/{team_id}/referrals")
def referrals_awaiting(team_id: UUID, teams: Teams, actor: Actor) -> list[ReferralView]:
    """Referrals waiting for approval, oldest first; coordinators only."""
    return [referral_view(r) for r in teams.referrals_awaiting(team_id, actor)]


@router.post("/referrals/{invitation_id}/approve")
def approve_referral(
    invitation_id: UUID,
    body: Versioned,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> InvitationLink:
    """Approve a referral; its link works from now on. Coordinators only."""
    issued = teams.approve_referral(
        invitation_id, actor, body.expected_version, correlation
    )
    return invitation_link(issued)


@router.post("/referrals/{invitation_id}/decline")
def decline_referral(
    invitation_id: UUID,
    body: Versioned,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Decline a referral waiting for approval; coordinators only."""
    referral = teams.decline_referral(
        invitation_id, actor, body.expected_version, correlation
    )
    return Recorded(id=referral.id, version=referral.version)


@router.get("/teams/{team_id}/members/{person_id}/standing")
def standing(
    team_id: UUID, person_id: UUID, teams: Teams, actor: Actor
) -> StandingView:
    """Paused for silence, invited to mentor, asked to confirm capacity."""
    found: Standing = teams.standing(team_id, person_id, actor)
    graduation = found.graduation
    return StandingView(
        paused=found.paused_after is not None,
        paused_after_expired_requests=found.paused_after,
        expired_in_a_row=found.expired_in_a_row,
        pause_after_expired_requests=(
            teams.team(team_id).settings.pause_after_expired_requests
        ),
        graduation_invitation=(
            None
            if graduation is None
            else GraduationView(
                mentorship_id=graduation.mentorship_id,
                goal_titles=list(graduation.goal_titles),
            )
        ),
        capacity_to_confirm=found.capacity_to_confirm,
    )


@router.post("/teams/{team_id}/members/{person_id}/resume")
def resume(
    team_id: UUID,
    person_id: UUID,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Take requests again after a pause; the mentor or a coordinator."""
    return recorded(teams.resume_mentor(team_id, person_id, actor, correlation))


@router.post("/teams/{team_id}/graduation/accept")
def accept_graduation(
    team_id: UUID,
    body: GraduationAcceptance,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Accept the invitation to mentor: the acting member becomes a mentor."""
    team = teams.accept_graduation(team_id, actor, body.mentor_capacity, correlation)
    return recorded(team)


@router.post("/teams/{team_id}/cohort/rollover")
def roll_over(
    team_id: UUID,
    body: Rollover,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> RolloverAnswer:
    """End the cohort and open the next; coordinators of a cohort team only."""
    team = teams.roll_over_cohort(
        team_id,
        body.cohort_starts_on,
        body.cohort_ends_on,
        actor,
        body.expected_version,
        correlation,
    )
    return RolloverAnswer(
        id=team.id,
        version=team.version,
        carried_over_mentee_ids=sorted(team.carried_over, key=str),
        returning_mentor_ids=sorted(team.returning, key=str),
    )


@router.post("/teams/{team_id}/members/{person_id}/capacity-confirmation")
def confirm_capacity(
    team_id: UUID,
    person_id: UUID,
    body: CapacityConfirmation,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Confirm a returning mentor's capacity; the mentor or a coordinator."""
    team = teams.confirm_capacity(
        team_id, person_id, body.mentor_capacity, actor, correlation
    )
    return recorded(team)
