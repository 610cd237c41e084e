"""Request and response bodies of the profile API.

Requests are the domain's sections, validated strictly and with no unknown
fields; a command body may add the ``expected_version`` its client read.
"""

import unicodedata
from collections.abc import Iterator
from typing import Annotated, Any, TypeVar
from uuid import UUID

from carrel_events.contracts.common import LongText, SkillId
from carrel_events.contracts.profile import Name, ProfileSection, Topic, Visibility
from carrel_events.names import plain_name
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from carrel_profile.domain.sections import (
    INTERESTS_AT_MOST,
    LEARNING_GOALS_AT_MOST,
    SKILLS_AT_MOST,
    TARGET_ROLES_AT_MOST,
    Availability,
    Details,
    Location,
    Mentoring,
    PrivatePreferences,
    Section,
    SkillLevel,
)

S = TypeVar("S", bound=Section)


def _texts(value: Any) -> Iterator[str]:
    """Every string inside a value: itself, or in its items, keys or fields."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, BaseModel):
        for item in value.__dict__.values():
            yield from _texts(item)


# A name as the contracts allow it, without hidden or control characters.
PlainName = Annotated[Name, AfterValidator(plain_name)]

ExpectedVersion = Annotated[
    int | None,
    Field(ge=1, description="The version the client read; 409 if it moved on"),
]


class Command(Section):
    expected_version: ExpectedVersion = None

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        """No text of any section may hold a control character but tab and
        line breaks: PostgreSQL cannot store a NUL, and the others corrupt
        exports and logs downstream."""
        for text in _texts(value):
            for char in text:
                if char not in "\t\n\r" and unicodedata.category(char) == "Cc":
                    msg = f"must not contain U+{ord(char):04X} (a control character)"
                    raise ValueError(msg)
        return value

    def section(self, kind: type[S]) -> S:
        """The section this body carries, without the command's own fields."""
        return kind(**{name: getattr(self, name) for name in kind.model_fields})


class ProfileCreate(Section):
    id: UUID | None = Field(
        default=None,
        strict=False,
        description="The owner's member id; taken from X-Carrel-Member or made",
    )
    display_name: PlainName


class DetailsUpdate(Details, Command):
    display_name: PlainName


class SkillsUpdate(Command):
    skills: list[SkillLevel] = Field(max_length=SKILLS_AT_MOST)


class InterestsUpdate(Command):
    interests: list[Topic] = Field(max_length=INTERESTS_AT_MOST)


class LearningGoalsUpdate(Command):
    skill_ids: list[SkillId] = Field(max_length=LEARNING_GOALS_AT_MOST)


class AspirationsUpdate(Command):
    target_roles: list[PlainName] = Field(max_length=TARGET_ROLES_AT_MOST)


class LocationUpdate(Location, Command):
    pass


class MentoringUpdate(Mentoring, Command):
    pass


class PrivatePreferencesUpdate(PrivatePreferences, Command):
    pass


class AvailabilityUpdate(Availability, Command):
    pass


class VisibilityUpdate(Command):
    sections: dict[ProfileSection, Visibility] = Field(min_length=1)


class NormaliseRequest(Section):
    text: LongText = Field(min_length=1)


class Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


class SkillView(Answer):
    id: str
    label: str
    synonyms: list[str]
    category: str
    category_label: str
    source: str


class SkillMatchView(Answer):
    skill: SkillView
    score: float
    matched: str


class SkillLevelView(Answer):
    skill_id: str
    label: str
    category: str
    proficiency: int


class LearningGoalView(Answer):
    skill_id: str
    label: str
    category: str


class CategoryView(Answer):
    id: str
    label: str


class LibraryView(Answer):
    id: str
    name: str
    city: str
    state: str
    latitude: float | None
    longitude: float | None


class PublicProfile(Answer):
    """A profile as others see it: a hidden section is null."""

    id: UUID
    version: int
    display_name: str
    details: Details | None
    skills: list[SkillLevelView] | None
    interests: list[str] | None
    learning_goals: list[LearningGoalView] | None
    target_roles: list[str] | None
    known_titles: list[str] | None = Field(
        description="Those of target_roles that are job titles of the occupations"
    )
    location: Location | None
    mentoring: Mentoring | None
    availability: Availability | None


class OwnerProfile(PublicProfile):
    """A profile as its owner sees it, with who may see each section."""

    private_preferences: PrivatePreferences
    visibility: dict[ProfileSection, Visibility]
