"""Groups of members, made by hand or accepted from matching's suggestion."""

from typing import Annotated
from uuid import UUID

from carrel_events.contracts.teams import GroupOrigin
from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from carrel_teams.domain.group import Group, GroupAlreadyFormed
from carrel_teams.entrypoints.api.dependencies import (
    Actor,
    Body,
    Correlation,
    PlainName,
    Recorded,
    Teams,
    Versioned,
)

router = APIRouter(prefix="/api/v1", tags=["groups"])


class GroupCreate(Body):
    name: PlainName = Field(min_length=1)
    member_ids: list[UUID] = Field(default_factory=list, max_length=500)
    suggestion_id: UUID | None = None
    """The matching suggestion this group accepts; none for a group made by hand.

    Recorded as the coordinator gives it, not checked against matching's
    suggestions (the teams service does not read them); the members are checked
    to be members of the team either way. A team forms one group per
    suggestion: a second is refused with 409 naming the first."""


class GroupRename(Versioned):
    name: PlainName = Field(min_length=1)


class GroupMemberAdd(Versioned):
    person_id: UUID


class GroupView(BaseModel):
    id: UUID
    version: int
    team_id: UUID
    name: str
    member_ids: list[UUID]
    origin: GroupOrigin
    suggestion_id: UUID | None
    archived: bool


def recorded(group: Group) -> Recorded:
    return Recorded(id=group.id, version=group.version)


@router.post("/teams/{team_id}/groups", status_code=status.HTTP_201_CREATED)
def create_group(
    team_id: UUID,
    body: GroupCreate,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Form a group of team members; coordinators only. One group per suggestion."""
    try:
        group = teams.create_group(
            team_id, body.name, body.member_ids, body.suggestion_id, actor, correlation
        )
    except GroupAlreadyFormed as formed:
        raise HTTPException(status.HTTP_409_CONFLICT, str(formed)) from None
    return recorded(group)


@router.get("/groups/{group_id}")
def read_group(group_id: UUID, teams: Teams) -> GroupView:
    """A group and its members."""
    group = teams.group(group_id)
    return GroupView(
        id=group.id,
        version=group.version,
        team_id=group.team_id,
        name=group.name,
        member_ids=group.member_ids,
        origin=group.origin,
        suggestion_id=group.suggestion_id,
        archived=group.archived,
    )


@router.put("/groups/{group_id}/name")
def rename_group(
    group_id: UUID,
    body: GroupRename,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Rename a group; coordinators only."""
    group = teams.rename_group(
        group_id, body.name, actor, body.expected_version, correlation
    )
    return recorded(group)


@router.post("/groups/{group_id}/archive")
def archive_group(
    group_id: UUID,
    body: Versioned,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Archive a group; it no longer changes. Coordinators only."""
    group = teams.archive_group(group_id, actor, body.expected_version, correlation)
    return recorded(group)


@router.post("/groups/{group_id}/members")
def add_group_member(
    group_id: UUID,
    body: GroupMemberAdd,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Add a team member to a group; coordinators only."""
    group = teams.add_to_group(
        group_id, body.person_id, actor, body.expected_version, correlation
    )
    return recorded(group)


@router.delete("/groups/{group_id}/members/{person_id}")
def remove_group_member(
    group_id: UUID,
    person_id: UUID,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
    expected_version: Annotated[int | None, Query()] = None,
) -> Recorded:
    """Take a member out of a group; coordinators only."""
    group = teams.remove_from_group(
        group_id, person_id, actor, expected_version, correlation
    )
    return recorded(group)
