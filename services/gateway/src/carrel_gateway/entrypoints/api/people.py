"""The team's members by name, for the coordinators' pages.

The teams service knows who is a member and in which roles, but not their
names. Names come from the directory (dashboard-projection), a hundred a call,
and from the profile service for whoever the directory has not heard of yet
(someone who joined a moment ago), one call each.

Known shortcoming: a team larger than the directory lets one page through
(10,000 members) is named one profile call per member past that, which is slow.
"""

import asyncio
import logging
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel

from carrel_gateway.adapters.services import ServiceUnavailable
from carrel_gateway.entrypoints.dependencies import Coordinator, Relay, RelayDep
from carrel_gateway.entrypoints.refusals import refusal
from carrel_gateway.identity.membership import Role

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/teams/{team_id}", tags=["teams"])

_KNOWN_ROLES = frozenset({"coordinator", "mentor", "mentee"})
_DIRECTORY_PAGE = 100
_DIRECTORY_DEEPEST = 10_000
_PROFILE_CALLS_AT_ONCE = 8


class Person(BaseModel):
    person_id: UUID
    display_name: str
    """Empty when neither the directory nor the profile service names them."""
    roles: list[Role]


@router.get("/people")
async def list_people(team_id: UUID, _: Coordinator, relay: RelayDep) -> list[Person]:
    """The team's members with their names and roles, by name; coordinators only."""
    members = await _members(relay, team_id)
    names = await _directory_names(relay, team_id)
    unnamed = [person for person in members if not names.get(person)]
    names |= await _profile_names(relay, unnamed)
    people = [
        Person(person_id=person, display_name=names.get(person, ""), roles=roles)
        for person, roles in members.items()
    ]
    return sorted(people, key=lambda p: (p.display_name.casefold(), str(p.person_id)))


async def _members(relay: Relay, team_id: UUID) -> dict[UUID, list[Role]]:
    path = f"/api/v1/teams/{team_id}/members"
    answer = await relay.services.call("teams", "GET", path, relay.caller)
    if not answer.is_success:
        raise refusal(answer)
    return {
        UUID(row["person_id"]): [r for r in row["roles"] if r in _KNOWN_ROLES]
        for row in answer.json()
    }


async def _directory_names(relay: Relay, team_id: UUID) -> dict[UUID, str]:
    """Names from the directory; what it gave so far if it stops answering."""
    names: dict[UUID, str] = {}
    path = f"/api/v1/teams/{team_id}/directory"
    offset, total = 0, 1
    while offset < min(total, _DIRECTORY_DEEPEST):
        page = await _directory_page(relay, path, offset)
        if page is None:
            break
        total = int(page["total"])
        for card in page["members"]:
            names[UUID(card["person_id"])] = str(card.get("display_name") or "")
        if not page["members"]:
            break
        offset += _DIRECTORY_PAGE
    return names


async def _directory_page(
    relay: Relay, path: str, offset: int
) -> dict[str, Any] | None:
    params = {"size": _DIRECTORY_PAGE, "offset": offset, "sort": "name"}
    try:
        answer = await relay.services.call(
            "projection", "GET", path, relay.caller, params=params
        )
    except ServiceUnavailable as error:
        logger.warning("names from profiles only: %s", error)
        return None
    if not answer.is_success:
        logger.warning(
            "the directory answered %s; names from profiles", answer.status_code
        )
        return None
    page: dict[str, Any] = answer.json()
    return page


async def _profile_names(relay: Relay, people: list[UUID]) -> dict[UUID, str]:
    at_once = asyncio.Semaphore(_PROFILE_CALLS_AT_ONCE)

    async def named(person: UUID) -> tuple[UUID, str]:
        path = f"/api/v1/profiles/{person}/public"
        async with at_once:
            answer = await relay.services.call("profile", "GET", path, relay.caller)
        name = answer.json().get("display_name") if answer.is_success else None
        return person, str(name or "")

    return dict(await asyncio.gather(*(named(p) for p in people)))
