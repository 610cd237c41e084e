"""Request and response bodies of the HTTP API."""

from datetime import datetime
from typing import Annotated, Any, Literal, Self
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from carrel_resources.domain.entries import ResourceType
from carrel_resources.views import EntryView

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)
]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EntryIn(Request):
    """An operator's new entry of the central index."""

    url: Annotated[str, StringConstraints(max_length=2000)]
    title: Title
    resource_type: ResourceType
    topics: list[Text] = Field(default_factory=list, max_length=20)
    description: Annotated[str, StringConstraints(max_length=2000)] = ""


class Retirement(Request):
    reason: Text = ""
    expected_version: int = Field(ge=1)


class Restoration(Request):
    reason: Text = ""
    expected_version: int = Field(ge=1)


class LinkIn(Request):
    url: Annotated[str, StringConstraints(max_length=2000)]
    title: Text = ""


class MaterialRevision(Request):
    title: Title
    body_markdown: Annotated[str, StringConstraints(max_length=50_000)] = ""
    links: list[LinkIn] = Field(default_factory=list, max_length=50)
    skill_ids: list[Text] = Field(default_factory=list, max_length=30)
    expected_version: int = Field(ge=1)


class Withdrawal(Request):
    reason: Text = ""
    expected_version: int = Field(ge=1)


class AudienceIn(Request):
    """Whom a share reaches; each kind takes only its own field."""

    kind: Literal["team", "group", "members"]
    group_id: UUID | None = None
    member_ids: list[UUID] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _one_meaning(self) -> Self:
        # A team audience with member_ids would be stored as said and read
        # two ways; refusing it keeps every share meaning one thing.
        if self.kind != "group" and self.group_id is not None:
            raise ValueError(f"a {self.kind} audience takes no group_id")
        if self.kind != "members" and self.member_ids:
            raise ValueError(f"a {self.kind} audience takes no member_ids")
        return self


class AudienceOut(BaseModel):
    """An audience as stored; shares from before the rule may hold both fields."""

    kind: str
    group_id: UUID | None = None
    member_ids: list[UUID] = Field(default_factory=list)


class ShareIn(Request):
    resource_id: UUID
    audience: AudienceIn
    note: Annotated[str, StringConstraints(max_length=2000)] = ""


class SkillTagOut(BaseModel):
    skill_id: str
    because: str


class EntryOut(BaseModel):
    id: UUID
    kind: Literal["central", "material"]
    version: int
    title: str
    team_id: UUID | None
    url: str | None
    resource_type: str
    topics: list[str]
    description: str
    skill_tags: list[SkillTagOut]
    sources: list[dict[str, Any]]
    links: list[dict[str, str]]
    attachment: dict[str, Any] | None
    retired: bool

    @classmethod
    def of(cls, entry: EntryView) -> "EntryOut":
        return cls(
            id=entry.id,
            kind="material" if entry.kind == "material" else "central",
            version=entry.version,
            title=entry.title,
            team_id=entry.team_id,
            url=entry.url,
            resource_type=entry.resource_type,
            topics=list(entry.topics),
            description=entry.description,
            skill_tags=[SkillTagOut.model_validate(t) for t in entry.skill_tags],
            sources=list(entry.sources),
            links=list(entry.links),
            attachment=entry.attachment,
            retired=entry.retired,
        )


class EntryPage(BaseModel):
    total: int
    entries: list[EntryOut]


class RecipientOut(BaseModel):
    member_id: UUID
    state: Literal["shared", "opened", "completed"]


class ShareOut(BaseModel):
    id: UUID
    team_id: UUID
    resource_id: UUID
    audience: AudienceOut
    recipients: list[RecipientOut]
    note: str
    shared_by: UUID
    shared_at: datetime


class ReceivedOut(BaseModel):
    share_id: UUID
    resource_id: UUID
    title: str
    note: str
    shared_at: datetime
    state: Literal["shared", "opened", "completed"]


class ProgressOut(BaseModel):
    resource_id: UUID
    member_id: UUID
    state: Literal["shared", "opened", "completed"]
    version: int


class RecommendationOut(BaseModel):
    resource_id: UUID
    title: str
    kind: str
    goals_met: list[str]
    reasons: list[str]


class Recommendations(BaseModel):
    member_id: UUID
    goals: list[str]
    goals_from: Literal["profile", "query"]
    recommendations: list[RecommendationOut]
