"""What routes take from a request: the caller, checked against the team.

Every route under ``/api/v1/teams/{team_id}`` depends on :func:`team_member`:
a caller who is not a member of that team gets 404, as if the team were not
there, so nothing of another team shows, not even that it exists.
"""

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy import Engine

from carrel_matching.adapters import directory
from carrel_matching.planning import Coordination


@dataclass(frozen=True)
class Caller:
    """The member making the request, and their roles in the team asked about."""

    team_id: UUID
    member_id: UUID
    roles: frozenset[str]

    @property
    def coordinator(self) -> bool:
        return "coordinator" in self.roles


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def coordination_of(request: Request) -> Coordination:
    coordination: Coordination = request.app.state.coordination
    return coordination


def team_member(
    team_id: UUID,
    engine: Annotated[Engine, Depends(engine_of)],
    x_carrel_member: Annotated[UUID, Header(alias="X-Carrel-Member")],
) -> Caller:
    """The caller as a member of ``team_id``; 404 for anyone else."""
    with engine.connect() as c:
        roles = directory.roles_in(c, team_id, x_carrel_member)
    if roles is None:
        raise HTTPException(404, "no such team")
    return Caller(team_id, x_carrel_member, roles)


def coordinator(caller: Annotated[Caller, Depends(team_member)]) -> Caller:
    """The caller, who must coordinate the team."""
    if not caller.coordinator:
        raise HTTPException(403, "only a coordinator of the team may do this")
    return caller


def allowed_to_see(caller: Caller, person_id: UUID) -> None:
    """A member sees their own matches; a coordinator sees everyone's."""
    if caller.member_id != person_id and not caller.coordinator:
        raise HTTPException(403, "only the member or a coordinator may see this")


TeamMember = Annotated[Caller, Depends(team_member)]
TeamCoordinator = Annotated[Caller, Depends(coordinator)]
Db = Annotated[Engine, Depends(engine_of)]
Plans = Annotated[Coordination, Depends(coordination_of)]
