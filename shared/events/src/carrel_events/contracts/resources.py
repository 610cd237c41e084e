"""Events of the resources service: the central index, material and distribution.

Entries of the central index belong to no team, so their envelopes carry no
``team_id``. A team's own material, a share and a member's progress with a
resource happen inside one team, and their envelopes carry it.
"""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from carrel_events.catalogue import Catalogue, EventPayload
from carrel_events.contracts.common import ShortText, SkillId, ValueObject

ResourceUrl = Annotated[
    str, StringConstraints(min_length=8, max_length=2000, pattern=r"^https?://")
]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)
]
Note = Annotated[str, StringConstraints(max_length=2000)]
Markdown = Annotated[str, StringConstraints(max_length=50_000)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
AudienceKind = Literal["team", "group", "members"]
ResourceType = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,59}$")]


class SkillTag(ValueObject):
    """A canonical skill a resource teaches, and why it was tagged with it."""

    skill_id: SkillId
    because: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class CatalogueSource(ValueObject):
    """Where an entry of the central index was listed, e.g. a LIBER topic guide."""

    source: ShortText
    source_id: ShortText | None = None
    topic: ShortText = ""
    resource_type: ResourceType
    section: ShortText = ""
    context: Note = ""


class Link(ValueObject):
    url: ResourceUrl
    title: ShortText = ""


class Attachment(ValueObject):
    """A file kept by the service under its hash; the event holds no bytes."""

    sha256: Sha256
    size_bytes: int = Field(ge=0)
    media_type: ShortText
    file_name: ShortText


class Audience(ValueObject):
    """Who a share was meant for: the whole team, one group or chosen members."""

    kind: AudienceKind
    group_id: UUID | None = None
    member_ids: list[UUID] = Field(default_factory=list, max_length=1000)


class ResourceEvent(EventPayload):
    aggregate_type = "Resource"


class ResourceCatalogued(ResourceEvent):
    """An entry joined the central index; its id derives from its URL."""

    event_type = "ResourceCatalogued"

    url: ResourceUrl
    title: Title
    resource_type: ResourceType
    topics: list[ShortText] = Field(max_length=50)
    description: Note = ""
    sources: list[CatalogueSource] = Field(default_factory=list, max_length=100)
    skill_tags: list[SkillTag] = Field(max_length=50)
    catalogued_by: UUID | None = None


class ResourceRetired(ResourceEvent):
    event_type = "ResourceRetired"

    reason: ShortText = ""
    retired_by: UUID | None = None


class ResourceRestored(ResourceEvent):
    """A retired entry came back: it is found, shared and recommended again."""

    event_type = "ResourceRestored"

    reason: ShortText = ""
    restored_by: UUID | None = None


class MaterialEvent(EventPayload):
    aggregate_type = "Material"


class MaterialPublished(MaterialEvent):
    """A coordinator published the team's own material."""

    event_type = "MaterialPublished"

    title: Title
    body_markdown: Markdown = ""
    links: list[Link] = Field(default_factory=list, max_length=50)
    attachment: Attachment | None = None
    skill_tags: list[SkillTag] = Field(max_length=50)
    published_by: UUID


class MaterialRevised(MaterialEvent):
    """The material's text or links changed; its attachment stays as it was."""

    event_type = "MaterialRevised"

    title: Title
    body_markdown: Markdown = ""
    links: list[Link] = Field(default_factory=list, max_length=50)
    skill_tags: list[SkillTag] = Field(max_length=50)
    revised_by: UUID


class MaterialWithdrawn(MaterialEvent):
    event_type = "MaterialWithdrawn"

    reason: ShortText = ""
    withdrawn_by: UUID


class ResourceShared(EventPayload):
    """A resource went to an audience; ``recipients`` as resolved at share time."""

    event_type = "ResourceShared"
    aggregate_type = "Share"

    resource_id: UUID
    audience: Audience
    recipients: list[UUID] = Field(max_length=100_000)
    note: Note = ""
    shared_by: UUID


class ProgressEvent(EventPayload):
    aggregate_type = "ResourceProgress"

    resource_id: UUID
    member_id: UUID


class ResourceOpened(ProgressEvent):
    event_type = "ResourceOpened"


class ResourceCompleted(ProgressEvent):
    event_type = "ResourceCompleted"


EVENTS: tuple[type[EventPayload], ...] = (
    ResourceCatalogued,
    ResourceRetired,
    ResourceRestored,
    MaterialPublished,
    MaterialRevised,
    MaterialWithdrawn,
    ResourceShared,
    ResourceOpened,
    ResourceCompleted,
)


def register_upcasters(catalogue: Catalogue) -> None:
    """Resources events are all at their first version; nothing to lift yet."""
