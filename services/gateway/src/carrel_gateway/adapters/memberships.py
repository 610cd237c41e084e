"""Who belongs to a team, asked of the teams service and remembered briefly.

The teams service has no route for one member's place in a team, so a miss
reads the team's whole member list (``GET /api/v1/teams/{id}/members``) and
caches every member of it. For a team of thousands that list is large; a
route ``GET /api/v1/teams/{id}/members/{person_id}`` would make a miss cheap.
"""

import logging
import time
from collections.abc import Callable
from uuid import UUID

from carrel_gateway.adapters.services import Caller, Services, ServiceUnavailable
from carrel_gateway.identity.membership import Membership, Role

logger = logging.getLogger(__name__)

_KNOWN_ROLES: frozenset[Role] = frozenset({"coordinator", "mentor", "mentee"})

# A team's members by person, or None for a team that does not exist.
TeamRoster = dict[UUID, Membership] | None


class Memberships:
    """Looks up a member's roles in a team; forgets after ``ttl`` seconds."""

    def __init__(
        self,
        services: Services,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._services = services
        self._ttl = ttl
        self._clock = clock
        self._rosters: dict[UUID, tuple[float, TeamRoster]] = {}

    async def of(
        self, team_id: UUID, member_id: UUID, request_id: str
    ) -> Membership | None:
        """The member's place in the team; None if not a member or no such team."""
        roster = await self._roster(team_id, request_id)
        return None if roster is None else roster.get(member_id)

    async def members(self, team_id: UUID, request_id: str) -> list[Membership]:
        """Every member of the team, as last read."""
        roster = await self._roster(team_id, request_id)
        return [] if roster is None else list(roster.values())

    def forget(self, team_id: UUID) -> None:
        """Drop what is known of a team, after a change of its members."""
        self._rosters.pop(team_id, None)

    async def _roster(self, team_id: UUID, request_id: str) -> TeamRoster:
        cached = self._rosters.get(team_id)
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        roster = await self._read(team_id, request_id)
        if self._ttl > 0:
            self._rosters[team_id] = (self._clock() + self._ttl, roster)
        return roster

    async def _read(self, team_id: UUID, request_id: str) -> TeamRoster:
        path = f"/api/v1/teams/{team_id}/members"
        answer = await self._services.call("teams", "GET", path, Caller(request_id))
        if answer.status_code in (404, 422):
            return None
        if not answer.is_success:
            logger.warning("teams answered %s for members", answer.status_code)
            raise ServiceUnavailable("teams", f"status {answer.status_code}")
        return {
            UUID(row["person_id"]): Membership(
                team_id,
                UUID(row["person_id"]),
                frozenset(r for r in row["roles"] if r in _KNOWN_ROLES),
            )
            for row in answer.json()
        }
