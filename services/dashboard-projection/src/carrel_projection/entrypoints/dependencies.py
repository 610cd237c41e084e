"""What routes need from a request: the read models, and who is asking.

:func:`team_member` is the one place that decides whether a caller may read a
team: the gateway authenticates and passes ``X-Carrel-Member``; the directory
read model knows who is a member of which team. Anyone else gets a 404, the
same answer as for a team that does not exist, so ids cannot be probed.
"""

import logging
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Header, HTTPException, Path, Request, status

from carrel_projection.adapters.reads import ReadModels
from carrel_projection.settings import ProjectionSettings

logger = logging.getLogger(__name__)


def read_models(request: Request) -> ReadModels:
    reads: ReadModels = request.app.state.reads
    return reads


def projection_settings(request: Request) -> ProjectionSettings:
    settings: ProjectionSettings = request.app.state.settings
    return settings


Reads = Annotated[ReadModels, Depends(read_models)]
Settings = Annotated[ProjectionSettings, Depends(projection_settings)]


@dataclass(frozen=True)
class Caller:
    """A member of the team in the path, with their roles there."""

    team_id: str
    person_id: str
    roles: tuple[str, ...]


async def team_member(
    team_id: Annotated[UUID, Path()],
    reads: Reads,
    x_carrel_member: Annotated[str | None, Header()] = None,
) -> Caller:
    """The caller, if they are a member of the team; 404 otherwise."""
    if x_carrel_member is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "X-Carrel-Member is missing")
    try:
        person_id = str(UUID(x_carrel_member))
    except ValueError:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, "X-Carrel-Member is not a member id"
        ) from None
    entry = await reads.membership(str(team_id), person_id)
    if entry is None:
        logger.info("refused %s on team %s: not a member", person_id, team_id)
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such team")
    return Caller(str(team_id), person_id, tuple(entry["roles"]))


Member = Annotated[Caller, Depends(team_member)]


async def team_coordinator(caller: Member) -> Caller:
    """The caller, if they coordinate the team; 403 for its other members."""
    if "coordinator" not in caller.roles:
        logger.info(
            "refused %s on team %s: not a coordinator", caller.person_id, caller.team_id
        )
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "only the team's coordinators may do this"
        )
    return caller


Coordinator = Annotated[Caller, Depends(team_coordinator)]
