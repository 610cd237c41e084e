"""Copies of teams and profile events: the directory and the learning goals.

Each event is claimed in :class:`AppliedVersions` in the same transaction as
the write it causes, so a redelivered event changes nothing.
"""

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from carrel_events.consumer import AppliedVersions, Delivery
from carrel_events.contracts import profile, teams
from carrel_events.envelope import Envelope
from sqlalchemy import Connection, Engine, delete, update
from sqlalchemy.dialects.postgresql import insert

from carrel_resources.adapters.tables import (
    group_members,
    groups,
    learning_goals,
    team_members,
)

logger = logging.getLogger(__name__)

Apply = Callable[[Connection, Envelope, Any], None]


class DirectoryListener:
    """The batch handler that keeps the directory and goals tables current."""

    def __init__(self, engine: Engine, consumer: str) -> None:
        self._engine = engine
        self._ledger = AppliedVersions(consumer)

    async def __call__(self, deliveries: Sequence[Delivery]) -> None:
        await asyncio.to_thread(self.apply_all, deliveries)

    def apply_all(self, deliveries: Sequence[Delivery]) -> None:
        with self._engine.begin() as connection:
            for delivery in deliveries:
                envelope, payload = delivery.event.envelope, delivery.event.payload
                apply = _APPLY.get(envelope.event_type)
                if apply is None or not self._ledger.claim(connection, envelope):
                    continue
                apply(connection, envelope, payload)
                logger.debug(
                    "applied %s %s (correlation %s)",
                    envelope.event_type,
                    envelope.event_id,
                    envelope.correlation_id,
                )


def _member_joined(c: Connection, e: Envelope, p: teams.MemberJoined) -> None:
    statement = insert(team_members).values(
        team_id=e.team_id, member_id=p.person_id, roles=list(p.roles)
    )
    c.execute(
        statement.on_conflict_do_update(
            index_elements=["team_id", "member_id"], set_={"roles": list(p.roles)}
        )
    )


def _roles_changed(c: Connection, e: Envelope, p: teams.MemberRoleChanged) -> None:
    c.execute(
        update(team_members)
        .where(team_members.c.team_id == e.team_id)
        .where(team_members.c.member_id == p.person_id)
        .values(roles=list(p.roles))
    )


def _member_left(c: Connection, e: Envelope, p: teams.MemberLeft) -> None:
    c.execute(
        delete(team_members)
        .where(team_members.c.team_id == e.team_id)
        .where(team_members.c.member_id == p.person_id)
    )


def _group_created(c: Connection, e: Envelope, p: teams.GroupCreated) -> None:
    c.execute(
        insert(groups)
        .values(group_id=e.aggregate_id, team_id=e.team_id, archived=False)
        .on_conflict_do_nothing()
    )
    for member_id in p.member_ids:
        _add_to_group(c, e, member_id)


def _group_member_added(c: Connection, e: Envelope, p: teams.GroupMemberAdded) -> None:
    _add_to_group(c, e, p.person_id)


def _add_to_group(c: Connection, e: Envelope, member_id: Any) -> None:
    c.execute(
        insert(group_members)
        .values(group_id=e.aggregate_id, member_id=member_id)
        .on_conflict_do_nothing()
    )


def _group_member_removed(
    c: Connection, e: Envelope, p: teams.GroupMemberRemoved
) -> None:
    c.execute(
        delete(group_members)
        .where(group_members.c.group_id == e.aggregate_id)
        .where(group_members.c.member_id == p.person_id)
    )


def _group_archived(c: Connection, e: Envelope, p: teams.GroupArchived) -> None:
    c.execute(
        update(groups).where(groups.c.group_id == e.aggregate_id).values(archived=True)
    )


def _goals_updated(c: Connection, e: Envelope, p: profile.LearningGoalsUpdated) -> None:
    statement = insert(learning_goals).values(
        member_id=e.aggregate_id, skill_ids=list(p.skill_ids)
    )
    c.execute(
        statement.on_conflict_do_update(
            index_elements=["member_id"], set_={"skill_ids": list(p.skill_ids)}
        )
    )


def _profile_erased(c: Connection, e: Envelope, p: profile.ProfileErased) -> None:
    c.execute(
        delete(learning_goals).where(learning_goals.c.member_id == e.aggregate_id)
    )


_APPLY: dict[str, Apply] = {
    "MemberJoined": _member_joined,
    "MemberRoleChanged": _roles_changed,
    "MemberLeft": _member_left,
    "GroupCreated": _group_created,
    "GroupMemberAdded": _group_member_added,
    "GroupMemberRemoved": _group_member_removed,
    "GroupArchived": _group_archived,
    "LearningGoalsUpdated": _goals_updated,
    "ProfileErased": _profile_erased,
}
