"""Teams, their settings, their members, consortia and the join link.

The member list and the mentor pool apply the visibility settings ("who may
see whom") to the member the gateway names; a read with no member named is a
service's own (the gateway learning who belongs) and sees everyone. The team
itself and one member's record answer anyone the gateway lets through.
"""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from carrel_events.contracts.teams import MemberRole, ProgrammeSettings, TeamKind
from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from carrel_teams.domain.team import Team
from carrel_teams.entrypoints.api.dependencies import (
    Actor,
    Body,
    Correlation,
    PlainName,
    Recorded,
    Teams,
    Versioned,
    Viewer,
)

router = APIRouter(prefix="/api/v1/teams", tags=["teams"])

Roles = Annotated[list[MemberRole], Field(min_length=1, max_length=3)]
MaybeVersion = Annotated[int | None, Query()]


class TeamCreate(Body):
    name: PlainName = Field(min_length=1)
    kind: TeamKind
    settings: ProgrammeSettings = ProgrammeSettings()


class SettingsChange(Versioned):
    settings: ProgrammeSettings


class MemberView(BaseModel):
    person_id: UUID
    roles: list[MemberRole]
    mentor_capacity: int
    """The capacity in force: the member's own, or the team's default."""


class MemberTeamView(BaseModel):
    team_id: UUID
    consent: bool


class TeamView(BaseModel):
    id: UUID
    version: int
    name: str
    kind: TeamKind
    settings: ProgrammeSettings
    member_count: int
    member_teams: list[MemberTeamView]
    join_requests: list[UUID]


class RolesChange(Versioned):
    roles: Roles


class CapacityChange(Versioned):
    mentor_capacity: int | None = Field(ge=0, le=20)
    """None returns the member to the team's default capacity."""


class MemberTeamAdd(Versioned):
    member_team_id: UUID


class Consent(Versioned):
    consent: bool
    """``expected_version`` is the consortium's."""


class PoolMentor(BaseModel):
    team_id: UUID
    person_id: UUID
    mentor_capacity: int


class JoinLink(BaseModel):
    link: str
    expires_at: datetime


class JoinRequest(Body):
    token: str = Field(min_length=1, max_length=200)
    roles: Roles


def recorded(team: Team) -> Recorded:
    return Recorded(id=team.id, version=team.version)


def team_view(team: Team) -> TeamView:
    return TeamView(
        id=team.id,
        version=team.version,
        name=team.name,
        kind=team.kind,
        settings=team.settings,
        member_count=len(team.members),
        member_teams=[
            MemberTeamView(team_id=member_team, consent=consent)
            for member_team, consent in team.member_teams.items()
        ],
        join_requests=list(team.join_requests),
    )


@router.post("", status_code=status.HTTP_201_CREATED)
def create_team(
    body: TeamCreate, teams: Teams, actor: Actor, correlation: Correlation
) -> Recorded:
    """Create a team; the acting member becomes its first coordinator."""
    team = teams.create_team(body.name, body.kind, body.settings, actor, correlation)
    return recorded(team)


@router.get("/{team_id}")
def read_team(team_id: UUID, teams: Teams) -> TeamView:
    """A team with its settings and its member teams."""
    return team_view(teams.team(team_id))


@router.put("/{team_id}/settings")
def change_settings(
    team_id: UUID,
    body: SettingsChange,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Replace the programme settings; coordinators only."""
    team = teams.change_settings(
        team_id, body.settings, actor, body.expected_version, correlation
    )
    return recorded(team)


@router.get("/{team_id}/members")
def list_members(team_id: UUID, teams: Teams, viewer: Viewer) -> list[MemberView]:
    """The members the caller may see, with their roles and mentor capacity."""
    return [
        MemberView(
            person_id=member.person_id,
            roles=sorted(member.roles),
            mentor_capacity=capacity,
        )
        for member, capacity in teams.members_and_capacities_seen_by(team_id, viewer)
    ]


@router.get("/{team_id}/members/{person_id}")
def read_member(team_id: UUID, person_id: UUID, teams: Teams) -> MemberView:
    """One member's roles and mentor capacity; 404 if not a member."""
    member, capacity = teams.member_of(team_id, person_id)
    return MemberView(
        person_id=member.person_id,
        roles=sorted(member.roles),
        mentor_capacity=capacity,
    )


@router.put("/{team_id}/members/{person_id}/roles")
def change_roles(
    team_id: UUID,
    person_id: UUID,
    body: RolesChange,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Give a member other roles; coordinators only."""
    team = teams.change_roles(
        team_id, person_id, body.roles, actor, body.expected_version, correlation
    )
    return recorded(team)


@router.put("/{team_id}/members/{person_id}/mentor-capacity")
def set_mentor_capacity(
    team_id: UUID,
    person_id: UUID,
    body: CapacityChange,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Set how many mentees a mentor takes here; the mentor or a coordinator."""
    team = teams.set_mentor_capacity(
        team_id,
        person_id,
        body.mentor_capacity,
        actor,
        body.expected_version,
        correlation,
    )
    return recorded(team)


@router.delete("/{team_id}/members/{person_id}")
def remove_member(
    team_id: UUID,
    person_id: UUID,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
    expected_version: MaybeVersion = None,
) -> Recorded:
    """Leave the team, or remove a member as a coordinator."""
    team = teams.remove_member(team_id, person_id, actor, expected_version, correlation)
    return recorded(team)


@router.post("/{team_id}/member-teams")
def add_member_team(
    team_id: UUID,
    body: MemberTeamAdd,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Name a member team of a consortium; its consent is still to be given."""
    team = teams.add_member_team(
        team_id, body.member_team_id, actor, body.expected_version, correlation
    )
    return recorded(team)


@router.put("/{team_id}/member-teams/{member_team_id}/consent")
def set_consent(
    team_id: UUID,
    member_team_id: UUID,
    body: Consent,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Share the member team's mentors with the consortium, or stop sharing."""
    team = teams.set_consortium_consent(
        team_id,
        member_team_id,
        body.consent,
        actor,
        correlation,
        body.expected_version,
    )
    return recorded(team)


@router.get("/{team_id}/mentor-pool")
def mentor_pool(team_id: UUID, teams: Teams, viewer: Viewer) -> list[PoolMentor]:
    """The mentors of the team and of its shared pool that the caller may see."""
    return [
        PoolMentor(team_id=home, person_id=person, mentor_capacity=capacity)
        for home, person, capacity in teams.mentor_pool(team_id, viewer)
    ]


@router.post("/{team_id}/join-link", status_code=status.HTTP_201_CREATED)
def issue_join_link(
    team_id: UUID, teams: Teams, actor: Actor, correlation: Correlation
) -> JoinLink:
    """Issue a join link; it replaces the previous one. Coordinators only."""
    issued = teams.issue_join_link(team_id, actor, correlation)
    return JoinLink(link=issued.link, expires_at=issued.expires_at)


@router.post("/{team_id}/join-requests", status_code=status.HTTP_201_CREATED)
def request_to_join(
    team_id: UUID,
    body: JoinRequest,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Ask to join through the join link; a coordinator approves."""
    team = teams.request_to_join(team_id, body.token, body.roles, actor, correlation)
    return recorded(team)


@router.post("/{team_id}/join-requests/{person_id}/approve")
def approve_join(
    team_id: UUID,
    person_id: UUID,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
    expected_version: MaybeVersion = None,
) -> Recorded:
    """Approve a join request; the person becomes a member."""
    team = teams.answer_join_request(
        team_id, person_id, True, actor, correlation, expected_version
    )
    return recorded(team)


@router.post("/{team_id}/join-requests/{person_id}/decline")
def decline_join(
    team_id: UUID,
    person_id: UUID,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
    expected_version: MaybeVersion = None,
) -> Recorded:
    """Decline a join request."""
    team = teams.answer_join_request(
        team_id, person_id, False, actor, correlation, expected_version
    )
    return recorded(team)
