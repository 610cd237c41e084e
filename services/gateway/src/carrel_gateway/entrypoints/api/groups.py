"""Groups of a team (teams service), reached only through their team."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status
from starlette.responses import Response

from carrel_gateway.entrypoints.api.documented import (
    GroupBody,
    GroupMemberBody,
    GroupRenameBody,
    GroupView,
    Recorded,
    VersionedBody,
)
from carrel_gateway.entrypoints.dependencies import Coordinator, RelayDep, TeamMember

router = APIRouter(prefix="/api/v1/teams/{team_id}/groups", tags=["groups"])


async def _in_team(relay: RelayDep, team_id: UUID, group_id: UUID) -> str:
    path = f"/api/v1/groups/{group_id}"
    await relay.ensure_in_team("teams", path, team_id)
    return path


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Recorded)
async def create_group(
    team_id: UUID, body: GroupBody, _: Coordinator, relay: RelayDep
) -> Response:
    """Form a group of team members (name, member_ids); coordinators only."""
    return await relay.to("teams", f"/api/v1/teams/{team_id}/groups")


@router.get("")
async def list_groups(
    team_id: UUID, _: TeamMember, relay: RelayDep, archived: bool = False
) -> Response:
    """The team's groups with their members (from the dashboard projection)."""
    return await relay.to("projection", f"/api/v1/teams/{team_id}/groups")


@router.get("/{group_id}", response_model=GroupView)
async def read_group(
    team_id: UUID, group_id: UUID, _: TeamMember, relay: RelayDep
) -> Response:
    """A group and its members."""
    return await relay.to("teams", await _in_team(relay, team_id, group_id))


@router.put("/{group_id}/name", response_model=Recorded)
async def rename_group(
    team_id: UUID,
    group_id: UUID,
    body: GroupRenameBody,
    _: Coordinator,
    relay: RelayDep,
) -> Response:
    """Rename a group; coordinators only."""
    path = await _in_team(relay, team_id, group_id)
    return await relay.to("teams", f"{path}/name")


@router.post("/{group_id}/archive", response_model=Recorded)
async def archive_group(
    team_id: UUID, group_id: UUID, body: VersionedBody, _: Coordinator, relay: RelayDep
) -> Response:
    """Archive a group; it no longer changes. Coordinators only."""
    path = await _in_team(relay, team_id, group_id)
    return await relay.to("teams", f"{path}/archive")


@router.post("/{group_id}/members", response_model=Recorded)
async def add_group_member(
    team_id: UUID,
    group_id: UUID,
    body: GroupMemberBody,
    _: Coordinator,
    relay: RelayDep,
) -> Response:
    """Add a team member (person_id) to a group; coordinators only."""
    path = await _in_team(relay, team_id, group_id)
    return await relay.to("teams", f"{path}/members")


@router.delete("/{group_id}/members/{person_id}", response_model=Recorded)
async def remove_group_member(
    team_id: UUID,
    group_id: UUID,
    person_id: UUID,
    _: Coordinator,
    relay: RelayDep,
    expected_version: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Take a member out of a group; coordinators only."""
    path = await _in_team(relay, team_id, group_id)
    return await relay.to("teams", f"{path}/members/{person_id}")
