"""The aggregates of the resources service and the events they record.

Event attributes stay JSON-friendly (str, UUID, lists and dicts of them) so
the event store keeps them as they are; the contracts in
``carrel_events.contracts.resources`` give them their public shape. Every event
takes the ``correlation_id`` of the request that caused it, and events inside
a team take its ``team_id``, so the relay puts both on the envelope.
"""

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from carrel_resources.domain.errors import RuleViolation, VersionConflict
from carrel_resources.domain.urls import resource_id_for

JsonObject = dict[str, Any]


def check_version(aggregate: Aggregate, expected_version: int) -> None:
    """Refuse a change made on a stale read of the aggregate."""
    if aggregate.version != expected_version:
        raise VersionConflict(expected_version, aggregate.version)


class Resource(Aggregate):
    """An entry of the central index, one per normalised URL, for every team."""

    @staticmethod
    def create_id(url: str) -> UUID:
        return resource_id_for(url)

    @event("ResourceCatalogued")
    def __init__(
        self,
        *,
        url: str,
        title: str,
        resource_type: str,
        topics: list[str],
        description: str,
        sources: list[JsonObject],
        skill_tags: list[JsonObject],
        catalogued_by: UUID | None,
        correlation_id: UUID,
    ) -> None:
        self.url = url
        self.title = title
        self.resource_type = resource_type
        self.topics = topics
        self.description = description
        self.sources = sources
        self.skill_tags = skill_tags
        self.retired = False

    def retire(
        self,
        *,
        reason: str,
        retired_by: UUID | None,
        expected_version: int,
        correlation_id: UUID,
    ) -> None:
        check_version(self, expected_version)
        if self.retired:
            raise RuleViolation(
                ("resource_id",), "the entry is already retired", "retired"
            )
        self._retire(
            reason=reason, retired_by=retired_by, correlation_id=correlation_id
        )

    @event("ResourceRetired")
    def _retire(
        self, *, reason: str, retired_by: UUID | None, correlation_id: UUID
    ) -> None:
        self.retired = True

    def restore(
        self,
        *,
        reason: str,
        restored_by: UUID | None,
        expected_version: int,
        correlation_id: UUID,
    ) -> None:
        """Bring a retired entry back; its URL keeps its one entry."""
        check_version(self, expected_version)
        if not self.retired:
            raise RuleViolation(
                ("resource_id",), "the entry is not retired", "not_retired"
            )
        self._restore(
            reason=reason, restored_by=restored_by, correlation_id=correlation_id
        )

    @event("ResourceRestored")
    def _restore(
        self, *, reason: str, restored_by: UUID | None, correlation_id: UUID
    ) -> None:
        self.retired = False


class Material(Aggregate):
    """A team's own learning material: text, links and perhaps one file."""

    @event("MaterialPublished")
    def __init__(
        self,
        *,
        team_id: UUID,
        title: str,
        body_markdown: str,
        links: list[JsonObject],
        attachment: JsonObject | None,
        skill_tags: list[JsonObject],
        published_by: UUID,
        correlation_id: UUID,
    ) -> None:
        self.team_id = team_id
        self.title = title
        self.body_markdown = body_markdown
        self.links = links
        self.attachment = attachment
        self.skill_tags = skill_tags
        self.withdrawn = False

    def revise(
        self,
        *,
        title: str,
        body_markdown: str,
        links: list[JsonObject],
        skill_tags: list[JsonObject],
        revised_by: UUID,
        expected_version: int,
        correlation_id: UUID,
    ) -> None:
        check_version(self, expected_version)
        self._refuse_if_withdrawn()
        self._revise(
            team_id=self.team_id,
            title=title,
            body_markdown=body_markdown,
            links=links,
            skill_tags=skill_tags,
            revised_by=revised_by,
            correlation_id=correlation_id,
        )

    @event("MaterialRevised")
    def _revise(
        self,
        *,
        team_id: UUID,
        title: str,
        body_markdown: str,
        links: list[JsonObject],
        skill_tags: list[JsonObject],
        revised_by: UUID,
        correlation_id: UUID,
    ) -> None:
        self.title = title
        self.body_markdown = body_markdown
        self.links = links
        self.skill_tags = skill_tags

    def withdraw(
        self,
        *,
        reason: str,
        withdrawn_by: UUID,
        expected_version: int,
        correlation_id: UUID,
    ) -> None:
        check_version(self, expected_version)
        self._refuse_if_withdrawn()
        self._withdraw(
            team_id=self.team_id,
            reason=reason,
            withdrawn_by=withdrawn_by,
            correlation_id=correlation_id,
        )

    @event("MaterialWithdrawn")
    def _withdraw(
        self, *, team_id: UUID, reason: str, withdrawn_by: UUID, correlation_id: UUID
    ) -> None:
        self.withdrawn = True

    def _refuse_if_withdrawn(self) -> None:
        if self.withdrawn:
            raise RuleViolation(
                ("material_id",), "the material has been withdrawn", "withdrawn"
            )


class Share(Aggregate):
    """One act of sharing a resource, with the recipients resolved at the time."""

    @event("ResourceShared")
    def __init__(
        self,
        *,
        team_id: UUID,
        resource_id: UUID,
        audience: JsonObject,
        recipients: list[UUID],
        note: str,
        shared_by: UUID,
        correlation_id: UUID,
    ) -> None:
        self.team_id = team_id
        self.resource_id = resource_id
        self.audience = audience
        self.recipients = recipients
        self.note = note
        self.shared_by = shared_by

    @classmethod
    def with_id(cls, share_id: UUID, **fields: Any) -> "Share":
        """A share whose id the caller chose, so that sharing twice makes one."""
        created = cls.ResourceShared  # type: ignore[attr-defined]
        return cls._create(event_class=created, id=share_id, **fields)


def welcome_share_id(team_id: UUID, member_id: UUID, resource_id: UUID) -> UUID:
    """One welcome share per team, newcomer and resource, however often asked."""
    return uuid5(NAMESPACE_URL, f"carrel:welcome:{team_id}:{member_id}:{resource_id}")


def progress_id(team_id: UUID, member_id: UUID, resource_id: UUID) -> UUID:
    """One progress record per member, resource and team the member acts in."""
    return uuid5(NAMESPACE_URL, f"carrel:progress:{team_id}:{member_id}:{resource_id}")


class ResourceProgress(Aggregate):
    """How far one member got with one resource: opened, then completed."""

    @staticmethod
    def create_id(team_id: UUID, member_id: UUID, resource_id: UUID) -> UUID:
        return progress_id(team_id, member_id, resource_id)

    # Starting a record is not news outside the service: the catalogue does not
    # know this event type, so the relay keeps it in.
    @event("ProgressStarted")
    def __init__(self, *, team_id: UUID, member_id: UUID, resource_id: UUID) -> None:
        self.team_id = team_id
        self.member_id = member_id
        self.resource_id = resource_id
        self.opened = False
        self.completed = False

    def open(self, correlation_id: UUID) -> None:
        """Record the first opening; opening again changes nothing."""
        if not self.opened:
            self._open(
                team_id=self.team_id,
                member_id=self.member_id,
                resource_id=self.resource_id,
                correlation_id=correlation_id,
            )

    def complete(self, correlation_id: UUID) -> None:
        """Completing implies opening; completing twice changes nothing."""
        self.open(correlation_id)
        if not self.completed:
            self._complete(
                team_id=self.team_id,
                member_id=self.member_id,
                resource_id=self.resource_id,
                correlation_id=correlation_id,
            )

    @event("ResourceOpened")
    def _open(
        self, *, team_id: UUID, member_id: UUID, resource_id: UUID, correlation_id: UUID
    ) -> None:
        self.opened = True

    @event("ResourceCompleted")
    def _complete(
        self, *, team_id: UUID, member_id: UUID, resource_id: UUID, correlation_id: UUID
    ) -> None:
        self.completed = True
