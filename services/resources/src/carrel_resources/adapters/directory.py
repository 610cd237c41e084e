"""The teams, groups, members and learning goals this service has heard of."""

from uuid import UUID

from sqlalchemy import Engine, select

from carrel_resources.adapters.tables import (
    group_members,
    groups,
    learning_goals,
    team_members,
)


class PostgresDirectory:
    """Reads the copies that the consumer keeps of teams and profile events."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def roles_of(self, team_id: UUID, member_id: UUID) -> frozenset[str] | None:
        query = select(team_members.c.roles).where(
            team_members.c.team_id == team_id, team_members.c.member_id == member_id
        )
        with self._engine.connect() as connection:
            roles = connection.execute(query).scalar_one_or_none()
        return frozenset(roles) if roles is not None else None

    def members_of_team(self, team_id: UUID) -> set[UUID]:
        query = select(team_members.c.member_id).where(
            team_members.c.team_id == team_id
        )
        with self._engine.connect() as connection:
            return set(connection.execute(query).scalars())

    def members_of_group(self, team_id: UUID, group_id: UUID) -> set[UUID] | None:
        group = select(groups.c.group_id).where(
            groups.c.group_id == group_id,
            groups.c.team_id == team_id,
            groups.c.archived.is_(False),
        )
        # A member who left the team stays in the group's list but gets nothing.
        members = (
            select(group_members.c.member_id)
            .join(team_members, team_members.c.member_id == group_members.c.member_id)
            .where(
                group_members.c.group_id == group_id, team_members.c.team_id == team_id
            )
        )
        with self._engine.connect() as connection:
            if connection.execute(group).first() is None:
                return None
            return set(connection.execute(members).scalars())

    def goals_of(self, member_id: UUID) -> list[str]:
        """The member's learning goals as skill ids, as the profile last said."""
        query = select(learning_goals.c.skill_ids).where(
            learning_goals.c.member_id == member_id
        )
        with self._engine.connect() as connection:
            goals = connection.execute(query).scalar_one_or_none()
        return list(goals or [])
