"""My profile, team members' profiles, and the vocabulary a profile form needs."""

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from starlette.responses import Response

from carrel_gateway.entrypoints.api.bodies import JsonBody
from carrel_gateway.entrypoints.dependencies import (
    CurrentSession,
    GatewayDep,
    RelayDep,
    TeamMember,
    request_id_of,
)

router = APIRouter(prefix="/api/v1", tags=["profiles"])

Section = Literal[
    "details",
    "skills",
    "interests",
    "learning-goals",
    "aspirations",
    "location",
    "mentoring",
    "private-preferences",
    "availability",
    "visibility",
]
SearchText = Annotated[str, Query(min_length=1, max_length=100)]
Limit = Annotated[int, Query(ge=1, le=50)]
# The vocabulary's id syntax; anything else could not be put in a URL as it is.
SkillId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._:-]{0,119}$")]


@router.get("/me/profile")
async def read_my_profile(session: CurrentSession, relay: RelayDep) -> Response:
    """My whole profile, private parts and visibility included."""
    return await relay.to("profile", f"/api/v1/profiles/{session.member_id}")


@router.post("/me/profile", status_code=status.HTTP_201_CREATED)
async def create_my_profile(body: JsonBody, relay: RelayDep) -> Response:
    """Create my profile (display_name) if signing in did not already."""
    return await relay.to("profile", "/api/v1/profiles")


@router.put("/me/profile/{section}")
async def update_my_profile(
    section: Section, body: JsonBody, session: CurrentSession, relay: RelayDep
) -> Response:
    """Replace one section of my profile; send the expected_version you read."""
    return await relay.to("profile", f"/api/v1/profiles/{session.member_id}/{section}")


@router.delete("/me/profile", status_code=status.HTTP_204_NO_CONTENT)
async def erase_my_profile(
    session: CurrentSession,
    relay: RelayDep,
    expected_version: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Erase my profile: read models drop me; nothing can be changed after."""
    return await relay.to("profile", f"/api/v1/profiles/{session.member_id}")


@router.get("/teams/{team_id}/profiles/{member_id}")
async def read_member_profile(
    team_id: UUID,
    member_id: UUID,
    _: TeamMember,
    gateway: GatewayDep,
    relay: RelayDep,
    request: Request,
) -> Response:
    """A fellow member's profile as the team may see it."""
    if await gateway.memberships.of(team_id, member_id, request_id_of(request)) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no member {member_id}")
    path = f"/api/v1/profiles/{member_id}/public"
    answer = await relay.services.call(
        "profile", "GET", path, relay.caller, params={"viewer_scope": "team"}
    )
    return Response(
        answer.content,
        status_code=answer.status_code,
        media_type=answer.headers.get("content-type"),
    )


@router.get("/skills", tags=["vocabulary"])
async def search_skills(q: SearchText, relay: RelayDep, limit: Limit = 10) -> Response:
    """Skills whose name starts with, contains or resembles the text, best first."""
    return await relay.to("profile", "/api/v1/skills")


@router.post("/skills/normalise", tags=["vocabulary"])
async def normalise_skills(body: JsonBody, relay: RelayDep) -> Response:
    """The canonical skills that a phrase or longer text (``text``) mentions."""
    return await relay.to("profile", "/api/v1/skills/normalise")


@router.get("/skills/{skill_id}", tags=["vocabulary"])
async def read_skill(skill_id: SkillId, relay: RelayDep) -> Response:
    """One skill of the vocabulary."""
    return await relay.to("profile", f"/api/v1/skills/{skill_id}")


@router.get("/skill-categories", tags=["vocabulary"])
async def list_skill_categories(relay: RelayDep) -> Response:
    """The broader categories that skills belong to."""
    return await relay.to("profile", "/api/v1/skill-categories")


@router.get("/job-titles", tags=["vocabulary"])
async def search_job_titles(
    q: SearchText, relay: RelayDep, limit: Limit = 10
) -> Response:
    """Job titles of library occupations, for career aspirations."""
    return await relay.to("profile", "/api/v1/job-titles")


@router.get("/institutions", tags=["vocabulary"])
async def search_institutions(
    q: SearchText,
    relay: RelayDep,
    state: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    limit: Limit = 10,
) -> Response:
    """US public library systems whose name starts with the text (IMLS)."""
    return await relay.to("profile", "/api/v1/institutions")
