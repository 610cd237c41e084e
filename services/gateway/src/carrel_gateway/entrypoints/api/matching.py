"""Mentor candidates, fitting mentees, pairings and group suggestions (matching).

Downstream paths are the matching service's own (``carrel_matching.entrypoints
.http``); the gateway adds the membership and role checks in front of them.
"""

from uuid import UUID

from fastapi import APIRouter, status
from starlette.responses import Response

from carrel_gateway.entrypoints.api.bodies import JsonBody
from carrel_gateway.entrypoints.dependencies import (
    Coordinator,
    RelayDep,
    SelfOrCoordinator,
    TeamMember,
)

router = APIRouter(prefix="/api/v1/teams/{team_id}", tags=["matching"])


@router.get("/candidates")
async def my_candidates(
    team_id: UUID, membership: TeamMember, relay: RelayDep
) -> Response:
    """My ranked mentor candidates, each with the reasons it fits."""
    path = f"/api/v1/teams/{team_id}/mentees/{membership.member_id}/candidates"
    return await relay.to("matching", path)


@router.get("/mentees/{member_id}/candidates")
async def candidates_of(
    team_id: UUID, member_id: SelfOrCoordinator, relay: RelayDep
) -> Response:
    """A mentee's ranked mentor candidates; the mentee or a coordinator."""
    path = f"/api/v1/teams/{team_id}/mentees/{member_id}/candidates"
    return await relay.to("matching", path)


@router.get("/mentors/{member_id}/fitting-mentees")
async def fitting_mentees(
    team_id: UUID, member_id: SelfOrCoordinator, relay: RelayDep
) -> Response:
    """Mentees who would fit a mentor, best first; the mentor or a coordinator."""
    path = f"/api/v1/teams/{team_id}/mentors/{member_id}/fitting-mentees"
    return await relay.to("matching", path)


@router.post("/pairings/previews", status_code=status.HTTP_201_CREATED)
async def preview_pairing(
    team_id: UUID, body: JsonBody, _: Coordinator, relay: RelayDep
) -> Response:
    """Propose pairs for the whole pool without publishing them."""
    return await relay.to("matching", f"/api/v1/teams/{team_id}/pairings/previews")


@router.post("/pairings/comparisons")
async def compare_pairings(
    team_id: UUID, body: JsonBody, _: Coordinator, relay: RelayDep
) -> Response:
    """Compare pairing previews side by side."""
    path = f"/api/v1/teams/{team_id}/pairings/comparisons"
    return await relay.to("matching", path)


@router.post(
    "/pairings/previews/{pairing_id}/publication",
    status_code=status.HTTP_202_ACCEPTED,
)
async def publish_pairing(
    team_id: UUID, pairing_id: UUID, body: JsonBody, _: Coordinator, relay: RelayDep
) -> Response:
    """Publish a previewed pairing: each pair becomes a mentorship request."""
    path = f"/api/v1/teams/{team_id}/pairings/previews/{pairing_id}/publication"
    return await relay.to("matching", path)


@router.post("/group-suggestions", status_code=status.HTTP_201_CREATED)
async def suggest_groups(
    team_id: UUID, body: JsonBody, _: Coordinator, relay: RelayDep
) -> Response:
    """Suggest groups (basis geography or interests, smallest, largest)."""
    return await relay.to("matching", f"/api/v1/teams/{team_id}/group-suggestions")
