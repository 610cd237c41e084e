"""The read side of a team: directory, dashboard, activity, export, live stream.

Served by dashboard-projection (``carrel_projection.entrypoints``); the stream
announces ``ready`` and then ``changed`` events.
"""

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from starlette.responses import Response

from carrel_gateway.entrypoints.dependencies import Coordinator, RelayDep, TeamMember

router = APIRouter(prefix="/api/v1/teams/{team_id}", tags=["dashboard"])

ExportedModel = Literal[
    "directory", "groups", "mentorships", "shares", "progress", "material", "activity"
]


Terms = Annotated[list[str] | None, Query(max_length=50)]
DirectorySort = Literal["relevance", "name", "distance", "joined", "experience"]


@router.get("/directory")
async def search_directory(
    team_id: UUID,
    _: TeamMember,
    relay: RelayDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    skill: Terms = None,
    interest: Terms = None,
    region: Terms = None,
    role: Terms = None,
    match_status: Terms = None,
    available: bool | None = None,
    near: Annotated[str | None, Query(description="lat,lon")] = None,
    within_km: Annotated[float | None, Query(gt=0, le=20000)] = None,
    sort: DirectorySort = "relevance",
    offset: Annotated[int, Query(ge=0, le=10000)] = 0,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    """Search the team's members: text, facets, distance, sorting, map.

    Each facet the answer counts (skills, interests, region, role,
    availability, match_status) is chosen with its query key (skill, interest,
    region, role, available, match_status); a key given several times matches
    any of its values.
    """
    return await relay.to("projection", f"/api/v1/teams/{team_id}/directory")


@router.get("/dashboard")
async def read_dashboard(team_id: UUID, _: Coordinator, relay: RelayDep) -> Response:
    """Counters, skills supply and demand, mentor load, the match funnel."""
    return await relay.to("projection", f"/api/v1/teams/{team_id}/dashboard")


@router.get("/activity")
async def read_activity(team_id: UUID, _: Coordinator, relay: RelayDep) -> Response:
    """What happened in the team lately, newest first."""
    return await relay.to("projection", f"/api/v1/teams/{team_id}/activity")


@router.get("/export/{model}.csv")
async def export_csv(
    team_id: UUID, model: ExportedModel, _: Coordinator, relay: RelayDep
) -> Response:
    """One of the team's read models as CSV, streamed."""
    path = f"/api/v1/teams/{team_id}/export/{model}.csv"
    return await relay.to("projection", path, streaming=True)


@router.get("/shared-resources")
async def shared_resources(team_id: UUID, _: Coordinator, relay: RelayDep) -> Response:
    """Resources shared in the team, with whom, and how far each got."""
    return await relay.to("projection", f"/api/v1/teams/{team_id}/resources")


@router.get("/stream")
async def stream_changes(team_id: UUID, _: TeamMember, relay: RelayDep) -> Response:
    """Server-sent events: what changed in the team, as it happens."""
    path = f"/api/v1/teams/{team_id}/stream"
    return await relay.to("projection", path, streaming=True)
