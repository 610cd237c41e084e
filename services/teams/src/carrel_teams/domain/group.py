"""Groups of members, by place or by interest, made by hand or from a suggestion."""

from uuid import UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate, event

from carrel_teams.domain.errors import DomainError, RuleViolated


class GroupAlreadyFormed(DomainError):
    """The team formed this group of a suggestion already."""

    def __init__(self, group_id: UUID, suggestion_id: UUID) -> None:
        super().__init__(
            f"this group of suggestion {suggestion_id} is already formed"
            f" as group {group_id}"
        )
        self.group_id = group_id


class Group(Aggregate):
    """A named set of team members; an archived group no longer changes."""

    @staticmethod
    def create_id(
        team_id: UUID, suggestion_id: UUID | None, member_ids: list[UUID]
    ) -> UUID:
        """A new id for a group made by hand; one id per group of a suggestion.

        A suggestion proposes several groups; each is named by the team, the
        suggestion and its members. The event store records one first event
        per id, so two saves of the same suggested group (a double click, two
        coordinators at once) cannot both commit, whatever the timing. An
        archived group still holds its place. Groups formed before ids were
        derived this way have random ids, so each may be formed once more.
        """
        if suggestion_id is None:
            return uuid4()
        members = ",".join(sorted(str(member) for member in member_ids))
        return uuid5(team_id, f"suggestion:{suggestion_id}:{members}")

    @event("GroupCreated")
    def __init__(
        self,
        team_id: UUID,
        name: str,
        member_ids: list[UUID],
        origin: str,
        suggestion_id: UUID | None,
        created_by: UUID,
        correlation_id: UUID,
    ) -> None:
        self.team_id = team_id
        self.name = name
        self.member_ids = list(dict.fromkeys(member_ids))
        self.origin = origin
        self.suggestion_id = suggestion_id
        self.archived = False

    def rename(self, name: str, actor: UUID, correlation_id: UUID) -> None:
        self._require_active()
        self._renamed(
            team_id=self.team_id,
            name=name,
            renamed_by=actor,
            correlation_id=correlation_id,
        )

    @event("GroupRenamed")
    def _renamed(
        self, team_id: UUID, name: str, renamed_by: UUID, correlation_id: UUID
    ) -> None:
        self.name = name

    def archive(self, actor: UUID, correlation_id: UUID) -> None:
        self._require_active()
        self._archived(
            team_id=self.team_id, archived_by=actor, correlation_id=correlation_id
        )

    @event("GroupArchived")
    def _archived(self, team_id: UUID, archived_by: UUID, correlation_id: UUID) -> None:
        self.archived = True

    def add(self, person_id: UUID, actor: UUID, correlation_id: UUID) -> None:
        self._require_active()
        if person_id in self.member_ids:
            msg = "the person is already in the group"
            raise RuleViolated(["person_id"], msg, "value_error.duplicate")
        self._member_added(
            team_id=self.team_id,
            person_id=person_id,
            added_by=actor,
            correlation_id=correlation_id,
        )

    @event("GroupMemberAdded")
    def _member_added(
        self, team_id: UUID, person_id: UUID, added_by: UUID, correlation_id: UUID
    ) -> None:
        self.member_ids.append(person_id)

    def remove(self, person_id: UUID, actor: UUID, correlation_id: UUID) -> None:
        self._require_active()
        if person_id not in self.member_ids:
            msg = "the person is not in the group"
            raise RuleViolated(["person_id"], msg, "value_error.not_in_group")
        self._member_removed(
            team_id=self.team_id,
            person_id=person_id,
            removed_by=actor,
            correlation_id=correlation_id,
        )

    @event("GroupMemberRemoved")
    def _member_removed(
        self, team_id: UUID, person_id: UUID, removed_by: UUID, correlation_id: UUID
    ) -> None:
        self.member_ids.remove(person_id)

    def _require_active(self) -> None:
        if self.archived:
            msg = "the group is archived"
            raise RuleViolated(["group_id"], msg, "value_error.archived")
