"""The sections of a profile, each changed by one command as a whole.

They validate strictly (a number where a number belongs, no strings that look
like one), because they are what the HTTP bodies are made of.
"""

from datetime import date
from typing import Annotated

from carrel_events.contracts.common import (
    Latitude,
    Longitude,
    LongText,
    ShortText,
    SkillId,
)
from carrel_events.contracts.profile import (
    CountryCode,
    Degree,
    Institution,
    LanguageTag,
    MeetingPreference,
    MentoringRole,
    Name,
    Topic,
)
from pydantic import BaseModel, ConfigDict, Field, computed_field

Proficiency = Annotated[int, Field(ge=1, le=5)]


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class SkillLevel(Section):
    """A canonical skill of the vocabulary and how well it is known, 1 to 5."""

    skill_id: SkillId
    proficiency: Proficiency


class Details(Section):
    display_name: Name
    headline: ShortText = ""
    current_role: ShortText = ""
    institution: Institution | None = None
    years_of_experience: int | None = Field(default=None, ge=0, le=70)
    degrees: list[Degree] = Field(default_factory=list, max_length=10)
    languages: list[LanguageTag] = Field(default_factory=list, max_length=20)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def has_library_degree(self) -> bool:
        return any(degree.library_degree for degree in self.degrees)


class Location(Section):
    city: ShortText = ""
    region: ShortText = ""
    country: CountryCode = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    time_zone: ShortText = ""


class Mentoring(Section):
    roles: list[MentoringRole] = Field(default_factory=list, max_length=3)
    mentor_capacity: int = Field(default=0, ge=0, le=20)
    meeting_preference: MeetingPreference = "either"
    place_weight: float = Field(default=0.5, ge=0, le=1)


class PrivatePreferences(Section):
    identities: list[Topic] = Field(default_factory=list, max_length=10)
    wants_shared_identity: bool = False
    avoid_own_institution: bool = False
    note: LongText = Field(default="", max_length=2000)


class Availability(Section):
    available: bool = True
    paused_until: date | None = Field(default=None, strict=False)


SKILLS_AT_MOST = 100
INTERESTS_AT_MOST = 30
LEARNING_GOALS_AT_MOST = 30
TARGET_ROLES_AT_MOST = 10
