"""A team's programme page, readable before one belongs to the team.

Served by dashboard-projection, which decides from the team's settings who may
read it (anyone, or members only); the gateway passes the member along when
someone is signed in, and names each skill from the vocabulary.
"""

import asyncio
import json
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from carrel_gateway.adapters.services import Caller
from carrel_gateway.entrypoints.dependencies import (
    Coordinator,
    GatewayDep,
    MaybeSession,
    RelayDep,
    TeamMember,
    request_id_of,
)

router = APIRouter(prefix="/api/v1/teams/{team_id}", tags=["programme"])


@router.get("/programme")
async def read_programme(
    team_id: UUID, session: MaybeSession, gateway: GatewayDep, request: Request
) -> Response:
    """What the programme offers, its open mentor places by skill, how to join.

    Open to anyone when the team's page is public; to its members otherwise.
    """
    member = session.member_id if session else None
    caller = Caller(request_id_of(request), member)
    path = f"/api/v1/teams/{team_id}/programme"
    answer = await gateway.services.call("projection", "GET", path, caller)
    if not answer.is_success:
        return Response(
            answer.content,
            answer.status_code,
            media_type=answer.headers.get("content-type"),
        )
    page: dict[str, Any] = answer.json()
    await _name_skills(gateway, caller, page["open_places_by_skill"])
    return JSONResponse(page)


@router.get("/join-requests")
async def list_join_requests(
    team_id: UUID, _: Coordinator, relay: RelayDep
) -> list[dict[str, Any]]:
    """Who asked to join through the join link and waits for approval, by name."""
    team = await relay.read("teams", f"/api/v1/teams/{team_id}")

    async def named(person_id: str) -> dict[str, Any]:
        path = f"/api/v1/profiles/{person_id}/public"
        answer = await relay.services.call("profile", "GET", path, relay.caller)
        name = answer.json().get("display_name") if answer.is_success else None
        return {"person_id": person_id, "display_name": name or ""}

    return list(await asyncio.gather(*(named(p) for p in team["join_requests"])))


@router.get("/mentors/response-times")
async def read_response_times(
    team_id: UUID, _: TeamMember, relay: RelayDep
) -> Response:
    """How quickly each named mentor (``mentor_id``, repeated) usually answers."""
    return await relay.to(
        "projection", f"/api/v1/teams/{team_id}/mentors/response-times"
    )


async def _name_skills(
    gateway: GatewayDep, caller: Caller, places: list[dict[str, Any]]
) -> None:
    """Each skill's label from the vocabulary; its id when the lookup fails."""

    async def label(skill_id: str) -> str:
        path = f"/api/v1/skills/{skill_id}"
        answer = await gateway.services.call("profile", "GET", path, caller)
        if not answer.is_success:
            return skill_id
        return str(json.loads(answer.content).get("label") or skill_id)

    labels = await asyncio.gather(*(label(p["skill_id"]) for p in places))
    for place, skill_label in zip(places, labels, strict=True):
        place["label"] = skill_label
