"""What the service reads back: entries, shares and progress, folded from events.

This view answers the service's own questions (is this resource visible to
the team, what did a member receive, what to recommend). The read models that
teams browse live in OpenSearch, fed from Kafka by the dashboard projection.

Known shortcoming: each process folds the whole notification log into memory
when it starts, and one lock serialises reads with the catch-up. That is
seconds and megabytes at programme scale (hundreds of entries, thousands of
shares), but a process start grows with the log and reads do not run in
parallel; a PostgreSQL projection with tracking would lift both limits.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from carrel_resources.domain.recommendations import Recommendable

ProgressState = str  # "shared", "opened" or "completed"


@dataclass(frozen=True)
class EntryView:
    """An entry of the central index or a team's material, as it stands."""

    id: UUID
    kind: str
    version: int
    title: str
    team_id: UUID | None = None
    url: str | None = None
    resource_type: str = "material"
    topics: tuple[str, ...] = ()
    description: str = ""
    skill_tags: tuple[dict[str, str], ...] = ()
    sources: tuple[dict[str, Any], ...] = ()
    links: tuple[dict[str, str], ...] = ()
    attachment: dict[str, Any] | None = None
    retired: bool = False

    def visible_to(self, team_id: UUID) -> bool:
        return not self.retired and self.team_id in (None, team_id)

    def recommendable(self) -> Recommendable:
        return Recommendable(self.id, self.title, self.kind, self.skill_tags)


@dataclass(frozen=True)
class ShareView:
    id: UUID
    team_id: UUID
    resource_id: UUID
    audience: dict[str, Any]
    recipients: tuple[UUID, ...]
    note: str
    shared_by: UUID
    shared_at: datetime


@dataclass
class CatalogueView:
    """Everything the service needs to read, kept current by ``apply``."""

    position: int = 0
    entries: dict[UUID, EntryView] = field(default_factory=dict)
    shares: dict[UUID, ShareView] = field(default_factory=dict)
    received: dict[tuple[UUID, UUID], list[UUID]] = field(
        default_factory=lambda: defaultdict(list)
    )
    progress: dict[tuple[UUID, UUID, UUID], ProgressState] = field(default_factory=dict)
    completed: dict[UUID, set[UUID]] = field(default_factory=lambda: defaultdict(set))

    def apply(self, event: Any) -> None:
        """Fold one domain event of the service's aggregates into the view."""
        handler = getattr(self, f"_on_{type(event).__name__}", None)
        if handler is not None:
            handler(event)

    def entries_for(self, team_id: UUID | None) -> Iterator[EntryView]:
        """Entries a team may see: the central index and its own material."""
        for entry in self.entries.values():
            if not entry.retired and entry.team_id in (None, team_id):
                yield entry

    def state_of(self, team_id: UUID, member_id: UUID, resource_id: UUID) -> str:
        return self.progress.get((team_id, member_id, resource_id), "shared")

    def reached(self, team_id: UUID, member_id: UUID, resource_id: UUID) -> bool:
        """The resource was shared with the member in the team, or they opened it."""
        if (team_id, member_id, resource_id) in self.progress:
            return True
        return any(
            self.shares[share_id].resource_id == resource_id
            for share_id in self.received.get((team_id, member_id), [])
        )

    def _on_ResourceCatalogued(self, event: Any) -> None:
        self.entries[event.originator_id] = EntryView(
            id=event.originator_id,
            kind="central",
            version=event.originator_version,
            title=event.title,
            url=event.url,
            resource_type=event.resource_type,
            topics=tuple(event.topics),
            description=event.description,
            skill_tags=tuple(event.skill_tags),
            sources=tuple(event.sources),
        )

    def _on_ResourceRetired(self, event: Any) -> None:
        self._update(event, retired=True)

    def _on_ResourceRestored(self, event: Any) -> None:
        self._update(event, retired=False)

    def _on_MaterialPublished(self, event: Any) -> None:
        self.entries[event.originator_id] = EntryView(
            id=event.originator_id,
            kind="material",
            version=event.originator_version,
            title=event.title,
            team_id=event.team_id,
            description=event.body_markdown,
            skill_tags=tuple(event.skill_tags),
            links=tuple(event.links),
            attachment=event.attachment,
        )

    def _on_MaterialRevised(self, event: Any) -> None:
        self._update(
            event,
            title=event.title,
            description=event.body_markdown,
            links=tuple(event.links),
            skill_tags=tuple(event.skill_tags),
        )

    def _on_MaterialWithdrawn(self, event: Any) -> None:
        self._update(event, retired=True)

    def _on_ResourceShared(self, event: Any) -> None:
        share = ShareView(
            id=event.originator_id,
            team_id=event.team_id,
            resource_id=event.resource_id,
            audience=event.audience,
            recipients=tuple(event.recipients),
            note=event.note,
            shared_by=event.shared_by,
            shared_at=event.timestamp,
        )
        self.shares[share.id] = share
        for member_id in share.recipients:
            self.received[(share.team_id, member_id)].append(share.id)

    def _on_ResourceOpened(self, event: Any) -> None:
        key = (event.team_id, event.member_id, event.resource_id)
        if self.progress.get(key) != "completed":
            self.progress[key] = "opened"

    def _on_ResourceCompleted(self, event: Any) -> None:
        self.progress[(event.team_id, event.member_id, event.resource_id)] = "completed"
        self.completed[event.member_id].add(event.resource_id)

    def _update(self, event: Any, **changes: Any) -> None:
        entry = self.entries[event.originator_id]
        changes["version"] = event.originator_version
        self.entries[event.originator_id] = replace(entry, **changes)


@dataclass(frozen=True)
class EntryFilter:
    """A simple filter of the index; the real search is OpenSearch's, later."""

    topic: str | None = None
    resource_type: str | None = None
    skill_id: str | None = None
    text: str | None = None

    def admits(self, entry: EntryView) -> bool:
        return (
            self._topic_fits(entry)
            and self._type_fits(entry)
            and self._skill_fits(entry)
            and self._text_fits(entry)
        )

    def _topic_fits(self, entry: EntryView) -> bool:
        return self.topic is None or self.topic.casefold() in {
            t.casefold() for t in entry.topics
        }

    def _type_fits(self, entry: EntryView) -> bool:
        types = {entry.resource_type} | {s["resource_type"] for s in entry.sources}
        return self.resource_type is None or self.resource_type in types

    def _skill_fits(self, entry: EntryView) -> bool:
        return self.skill_id is None or any(
            t["skill_id"] == self.skill_id for t in entry.skill_tags
        )

    def _text_fits(self, entry: EntryView) -> bool:
        if not self.text:
            return True
        needle = self.text.casefold()
        haystack = f"{entry.title}\n{entry.description}\n{entry.url or ''}"
        return needle in haystack.casefold()
