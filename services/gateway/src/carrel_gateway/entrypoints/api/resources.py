"""The central index and a team's resources: material, shares, progress."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, status
from starlette.responses import Response

from carrel_gateway.entrypoints.api.bodies import JsonBody
from carrel_gateway.entrypoints.dependencies import (
    Coordinator,
    RelayDep,
    SelfOrCoordinator,
    TeamMember,
)

router = APIRouter(prefix="/api/v1", tags=["resources"])

MATERIAL_UPLOAD: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "title": {"type": "string"},
                        "body_markdown": {"type": "string"},
                        "links": {"type": "string", "description": "JSON array"},
                        "skill_ids": {"type": "array", "items": {"type": "string"}},
                        "file": {"type": "string", "format": "binary"},
                    },
                    "required": ["title"],
                }
            }
        },
    }
}
Text = Annotated[str | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]


@router.get("/catalogue/entries", tags=["central index"])
async def search_central_index(
    relay: RelayDep,
    topic: str | None = None,
    resource_type: str | None = None,
    skill_id: str | None = None,
    q: Text = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    """Entries of the central index that fit every filter given."""
    return await relay.to("resources", "/api/v1/catalogue/entries")


@router.get("/catalogue/entries/{resource_id}", tags=["central index"])
async def read_central_entry(resource_id: UUID, relay: RelayDep) -> Response:
    """One entry of the central index, retired or not."""
    return await relay.to("resources", f"/api/v1/catalogue/entries/{resource_id}")


@router.get("/teams/{team_id}/resources")
async def search_team_resources(
    team_id: UUID,
    _: TeamMember,
    relay: RelayDep,
    topic: str | None = None,
    resource_type: str | None = None,
    skill_id: str | None = None,
    q: Text = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    """The central index and the team's own material, filtered."""
    return await relay.to("resources", f"/api/v1/teams/{team_id}/resources")


@router.post(
    "/teams/{team_id}/materials",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=MATERIAL_UPLOAD,
)
async def publish_material(team_id: UUID, _: Coordinator, relay: RelayDep) -> Response:
    """Publish the team's own material, with at most one attached file."""
    return await relay.to("resources", f"/api/v1/teams/{team_id}/materials")


@router.get("/teams/{team_id}/materials/{material_id}")
async def read_material(
    team_id: UUID, material_id: UUID, _: TeamMember, relay: RelayDep
) -> Response:
    """One piece of the team's material."""
    path = f"/api/v1/teams/{team_id}/materials/{material_id}"
    return await relay.to("resources", path)


@router.get("/teams/{team_id}/materials/{material_id}/attachment")
async def download_attachment(
    team_id: UUID, material_id: UUID, _: TeamMember, relay: RelayDep
) -> Response:
    """The file attached to the material, as it was uploaded."""
    path = f"/api/v1/teams/{team_id}/materials/{material_id}/attachment"
    return await relay.to("resources", path)


@router.put("/teams/{team_id}/materials/{material_id}")
async def revise_material(
    team_id: UUID, material_id: UUID, body: JsonBody, _: Coordinator, relay: RelayDep
) -> Response:
    """Change the material's text, links and chosen skills."""
    path = f"/api/v1/teams/{team_id}/materials/{material_id}"
    return await relay.to("resources", path)


@router.post("/teams/{team_id}/materials/{material_id}/withdrawal")
async def withdraw_material(
    team_id: UUID, material_id: UUID, body: JsonBody, _: Coordinator, relay: RelayDep
) -> Response:
    """Withdraw the material: no longer found, shared or recommended."""
    path = f"/api/v1/teams/{team_id}/materials/{material_id}/withdrawal"
    return await relay.to("resources", path)


@router.post("/teams/{team_id}/shares", status_code=status.HTTP_201_CREATED)
async def share_resource(
    team_id: UUID, body: JsonBody, _: Coordinator, relay: RelayDep
) -> Response:
    """Share a resource with the team, a group or chosen members, with a note."""
    return await relay.to("resources", f"/api/v1/teams/{team_id}/shares")


@router.get("/teams/{team_id}/shares/{share_id}")
async def read_share(
    team_id: UUID, share_id: UUID, _: Coordinator, relay: RelayDep
) -> Response:
    """A share and where each recipient got to with the resource."""
    return await relay.to("resources", f"/api/v1/teams/{team_id}/shares/{share_id}")


@router.get("/teams/{team_id}/members/{member_id}/received")
async def received_resources(
    team_id: UUID, member_id: SelfOrCoordinator, relay: RelayDep
) -> Response:
    """What was shared with the member in this team, newest first."""
    path = f"/api/v1/teams/{team_id}/members/{member_id}/received"
    return await relay.to("resources", path)


@router.get("/teams/{team_id}/members/{member_id}/recommendations")
async def recommend_resources(
    team_id: UUID,
    member_id: SelfOrCoordinator,
    relay: RelayDep,
    goal: Annotated[list[str] | None, Query(max_length=50)] = None,
) -> Response:
    """Resources meeting the member's learning goals, not yet completed."""
    path = f"/api/v1/teams/{team_id}/members/{member_id}/recommendations"
    return await relay.to("resources", path)


@router.post("/teams/{team_id}/resources/{resource_id}/opening")
async def open_resource(
    team_id: UUID, resource_id: UUID, _: TeamMember, relay: RelayDep
) -> Response:
    """I opened the resource."""
    path = f"/api/v1/teams/{team_id}/resources/{resource_id}/opening"
    return await relay.to("resources", path)


@router.post("/teams/{team_id}/resources/{resource_id}/completion")
async def complete_resource(
    team_id: UUID, resource_id: UUID, _: TeamMember, relay: RelayDep
) -> Response:
    """I completed the resource."""
    path = f"/api/v1/teams/{team_id}/resources/{resource_id}/completion"
    return await relay.to("resources", path)
