"""What only the operator does: found teams, hand out sign-in links, keep the index.

The operator authenticates with ``X-Carrel-Operator-Key``, the key set in
``CARREL_OPERATOR_KEY``; without that setting these routes answer 403.
"""

from datetime import datetime
from typing import Annotated
from uuid import UUID, uuid4

from carrel_events.names import plain_name
from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import AfterValidator, BaseModel, Field
from starlette.responses import Response

from carrel_gateway.adapters.services import Caller
from carrel_gateway.entrypoints.api.bodies import JsonBody
from carrel_gateway.entrypoints.api.sessions import (
    Body,
    DisplayName,
    create_profile,
    sign_in_link,
)
from carrel_gateway.entrypoints.dependencies import (
    GatewayDep,
    operator,
    request_id_of,
)
from carrel_gateway.entrypoints.refusals import refusal

router = APIRouter(
    prefix="/api/v1/operator", tags=["operator"], dependencies=[Depends(operator)]
)


class TeamFounding(Body):
    name: Annotated[
        str, Field(min_length=1, max_length=200), AfterValidator(plain_name)
    ]
    kind: Annotated[str, Field(pattern="^(library|association|consortium)$")]
    coordinator_name: DisplayName


class Founded(BaseModel):
    team_id: UUID
    coordinator_id: UUID
    sign_in_link: str
    """One-time: the first coordinator signs in with it."""
    expires_at: datetime


class SignInLinkOrder(Body):
    team_id: UUID
    member_id: UUID


class IssuedLink(BaseModel):
    link: str
    expires_at: datetime


@router.post("/teams", status_code=status.HTTP_201_CREATED)
async def found_team(
    body: TeamFounding, gateway: GatewayDep, request: Request
) -> Founded:
    """Create a team and its first coordinator; their sign-in link comes back."""
    coordinator = Caller(request_id_of(request), uuid4())
    answer = await gateway.services.call(
        "teams",
        "POST",
        "/api/v1/teams",
        coordinator,
        json={"name": body.name, "kind": body.kind},
    )
    if not answer.is_success:
        raise refusal(answer)
    team_id = UUID(answer.json()["id"])
    assert coordinator.member_id is not None
    await create_profile(gateway, coordinator, body.coordinator_name)
    link = sign_in_link(gateway, coordinator.member_id, team_id)
    return Founded(
        team_id=team_id,
        coordinator_id=coordinator.member_id,
        sign_in_link=link.link,
        expires_at=link.expires_at,
    )


@router.post("/sign-in-links", status_code=status.HTTP_201_CREATED)
async def issue_sign_in_link(
    body: SignInLinkOrder, gateway: GatewayDep, request: Request
) -> IssuedLink:
    """A one-time sign-in link for any member of any team."""
    place = await gateway.memberships.of(
        body.team_id, body.member_id, request_id_of(request)
    )
    if place is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such member in that team")
    link = sign_in_link(gateway, body.member_id, body.team_id)
    return IssuedLink(link=link.link, expires_at=link.expires_at)


@router.post(
    "/catalogue/entries", status_code=status.HTTP_201_CREATED, tags=["central index"]
)
async def add_central_entry(
    body: JsonBody, gateway: GatewayDep, request: Request
) -> Response:
    """Add an entry to the central index (url, title, resource_type, topics)."""
    caller = Caller(request_id_of(request))
    path = "/api/v1/catalogue/entries"
    return await gateway.services.forward(request, "resources", path, caller)


@router.post("/catalogue/entries/{resource_id}/retirement", tags=["central index"])
async def retire_central_entry(
    resource_id: UUID, body: JsonBody, gateway: GatewayDep, request: Request
) -> Response:
    """Retire an entry: it stays readable but is no longer found or shared."""
    caller = Caller(request_id_of(request))
    path = f"/api/v1/catalogue/entries/{resource_id}/retirement"
    return await gateway.services.forward(request, "resources", path, caller)


@router.post("/catalogue/entries/{resource_id}/restoration", tags=["central index"])
async def restore_central_entry(
    resource_id: UUID, body: JsonBody, gateway: GatewayDep, request: Request
) -> Response:
    """Bring a retired entry back (reason, expected_version)."""
    caller = Caller(request_id_of(request))
    path = f"/api/v1/catalogue/entries/{resource_id}/restoration"
    return await gateway.services.forward(request, "resources", path, caller)
