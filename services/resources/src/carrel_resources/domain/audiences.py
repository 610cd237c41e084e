"""Who a share reaches: the whole team, one group, or chosen members.

The teams service owns teams and groups; this service learns them from
``teams.events`` into its directory and resolves an audience to the members
it holds at the moment of sharing. The share records those members, so later
changes to the team or group do not change who received it.

Known shortcoming: the directory trails the teams service by the time the
teams relay and this service's consumer take to carry ``teams.events``: a
fraction of a second when both run (not measured here), and as long as an
outage lasts when Kafka, the relay or the consumer is down. A group created
or changed just before a share is resolved as this service last heard of it:
a new group is refused as ``unknown_group``, a member added a moment ago is
left out, one removed a moment ago still receives it. Asking the teams
service at share time would close the gap at the cost of a synchronous
dependency on it; the coordinator can instead share again once the change
has arrived.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol
from uuid import UUID

from carrel_resources.domain.errors import NotPermitted, RuleViolation

AudienceKind = Literal["team", "group", "members"]
COORDINATOR = "coordinator"


class AudienceDirectory(Protocol):
    """The teams, groups and members this service knows of."""

    def roles_of(self, team_id: UUID, member_id: UUID) -> frozenset[str] | None:
        """The member's roles in the team; None when they are not a member."""

    def members_of_team(self, team_id: UUID) -> set[UUID]: ...

    def members_of_group(self, team_id: UUID, group_id: UUID) -> set[UUID] | None:
        """The group's members; None when the team has no such group."""


@dataclass(frozen=True)
class AudienceChoice:
    kind: AudienceKind
    group_id: UUID | None = None
    member_ids: Sequence[UUID] = field(default_factory=tuple)

    def as_event(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "group_id": self.group_id,
            "member_ids": list(self.member_ids),
        }


def require_coordinator(
    directory: AudienceDirectory, team_id: UUID, member_id: UUID
) -> None:
    """Only a coordinator of the team publishes its material and shares."""
    roles = directory.roles_of(team_id, member_id)
    if roles is None or COORDINATOR not in roles:
        msg = f"member {member_id} is not a coordinator of team {team_id}"
        raise NotPermitted(msg)


def require_member(
    directory: AudienceDirectory, team_id: UUID, member_id: UUID
) -> None:
    if directory.roles_of(team_id, member_id) is None:
        raise NotPermitted(f"member {member_id} is not in team {team_id}")


def recipients_of(
    directory: AudienceDirectory, team_id: UUID, audience: AudienceChoice
) -> list[UUID]:
    """The members the audience stands for now, or a RuleViolation naming an id."""
    if audience.kind == "team":
        return sorted(directory.members_of_team(team_id))
    if audience.kind == "group":
        return _group(directory, team_id, audience.group_id)
    return _chosen(directory, team_id, audience.member_ids)


def _group(
    directory: AudienceDirectory, team_id: UUID, group_id: UUID | None
) -> list[UUID]:
    loc = ("audience", "group_id")
    if group_id is None:
        raise RuleViolation(loc, "a group audience needs a group_id", "missing")
    members = directory.members_of_group(team_id, group_id)
    if members is None:
        msg = (
            f"unknown group {group_id} in team {team_id}"
            " (a group created moments ago may not have arrived yet)"
        )
        raise RuleViolation(loc, msg, "unknown_group")
    return sorted(members)


def _chosen(
    directory: AudienceDirectory, team_id: UUID, member_ids: Sequence[UUID]
) -> list[UUID]:
    if not member_ids:
        msg = "choose at least one member"
        raise RuleViolation(("audience", "member_ids"), msg, "missing")
    for index, member_id in enumerate(member_ids):
        if directory.roles_of(team_id, member_id) is None:
            msg = f"unknown member {member_id} in team {team_id}"
            raise RuleViolation(
                ("audience", "member_ids", index), msg, "unknown_member"
            )
    return list(dict.fromkeys(member_ids))
