"""A member's place in one team: the roles that decide what each route allows."""

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

Role = Literal["coordinator", "mentor", "mentee"]


@dataclass(frozen=True)
class Membership:
    """The acting member in the path's team, as the teams service knows them."""

    team_id: UUID
    member_id: UUID
    roles: frozenset[Role]

    def holds(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_coordinator(self) -> bool:
        return self.holds("coordinator")

    def may_act_for(self, person_id: UUID) -> bool:
        """A member acts for themself; a coordinator for anyone in the team."""
        return person_id == self.member_id or self.is_coordinator
