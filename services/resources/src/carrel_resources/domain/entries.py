"""Drafts of central index entries, and how listed rows fold into one entry.

The LIBER guides list some resources under several topics. One URL is one
entry, so rows that share a normalised URL become one draft that keeps every
row as a source: each row is loaded exactly once, into exactly one entry.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args
from uuid import UUID

from carrel_resources.domain.urls import normalise_url, resource_id_for

ResourceType = Literal[
    "tutorial",
    "reading",
    "community",
    "network",
    "competency_framework_or_report",
    "training_platform",
    "course",
    "video",
    "tool",
    "dataset",
]
RESOURCE_TYPES: tuple[str, ...] = get_args(ResourceType)


@dataclass(frozen=True)
class ListedSource:
    """One row of a published list that names the resource."""

    source: str
    source_id: str | None
    topic: str
    resource_type: str
    section: str
    title: str
    url: str
    context: str

    def as_event(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "source_id": self.source_id,
            "topic": self.topic,
            "resource_type": self.resource_type,
            "section": self.section,
            "context": self.context,
        }


@dataclass(frozen=True)
class EntryDraft:
    """What an entry of the central index will say, before it is tagged."""

    url: str
    title: str
    resource_type: str
    topics: list[str]
    description: str = ""
    sources: list[ListedSource] = field(default_factory=list)

    @property
    def resource_id(self) -> UUID:
        return resource_id_for(self.url)


def drafts_from_listing(rows: Iterable[ListedSource]) -> list[EntryDraft]:
    """One draft per normalised URL, in the order the URLs first appear."""
    groups: dict[str, list[ListedSource]] = {}
    for row in rows:
        groups.setdefault(normalise_url(row.url), []).append(row)
    return [_draft(url, sources) for url, sources in groups.items()]


def _draft(url: str, sources: list[ListedSource]) -> EntryDraft:
    first = sources[0]
    # Link texts are sometimes as vague as "here"; the longest one of the rows
    # is the best title the listing offers.
    title = max((s.title.strip() for s in sources), key=len) or url
    topics = list(dict.fromkeys(s.topic for s in sources if s.topic))
    return EntryDraft(
        url=url,
        title=title[:300],
        resource_type=first.resource_type,
        topics=topics,
        description=first.context[:2000],
        sources=sources,
    )
