"""Events of the profile service: who people are and what they want to grow.

A profile belongs to a person, not to a team, so these envelopes carry no
``team_id``; the teams service says which teams a person is in.
"""

from datetime import date
from typing import Literal

from pydantic import Field

from carrel_events.catalogue import Catalogue, EventPayload
from carrel_events.contracts.common import (
    Latitude,
    Longitude,
    LongText,
    ShortText,
    SkillId,
    SkillLevel,
    ValueObject,
)

AGGREGATE = "Profile"

MentoringRole = Literal["mentor", "mentee", "peer"]
MeetingPreference = Literal["remote", "in_person", "either"]
Visibility = Literal["team", "consortium", "private"]
ProfileSection = Literal[
    "details", "skills", "interests", "learning_goals", "aspirations", "location"
]


class ProfileEvent(EventPayload):
    aggregate_type = AGGREGATE


class Institution(ValueObject):
    name: ShortText
    library_id: ShortText | None = None
    """The IMLS identifier (FSCSKEY) when the institution is a known library."""


class ProfileCreated(ProfileEvent):
    event_type = "ProfileCreated"

    display_name: ShortText = Field(min_length=1)


class DetailsUpdated(ProfileEvent):
    event_type = "DetailsUpdated"

    display_name: ShortText = Field(min_length=1)
    headline: ShortText = ""
    current_role: ShortText = ""
    institution: Institution | None = None
    years_of_experience: int = Field(default=0, ge=0, le=70)
    degrees: list[ShortText] = Field(default_factory=list, max_length=20)
    has_library_degree: bool = False
    languages: list[ShortText] = Field(default_factory=list, max_length=20)


class SkillsUpdated(ProfileEvent):
    event_type = "SkillsUpdated"

    skills: list[SkillLevel] = Field(max_length=100)


class InterestsUpdated(ProfileEvent):
    event_type = "InterestsUpdated"

    interests: list[ShortText] = Field(max_length=50)


class LearningGoalsUpdated(ProfileEvent):
    event_type = "LearningGoalsUpdated"

    skill_ids: list[SkillId] = Field(max_length=50)


class AspirationsUpdated(ProfileEvent):
    event_type = "AspirationsUpdated"

    target_roles: list[ShortText] = Field(max_length=20)


class LocationChanged(ProfileEvent):
    event_type = "LocationChanged"

    city: ShortText = ""
    region: ShortText = ""
    country: ShortText = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    time_zone: ShortText = ""


class PrivatePreferences(ValueObject):
    """Wishes that weigh in matching and are never shown or indexed."""

    shared_identity: ShortText | None = None
    note: LongText | None = None


class MentoringPreferencesChanged(ProfileEvent):
    event_type = "MentoringPreferencesChanged"

    roles: list[MentoringRole] = Field(max_length=3)
    mentor_capacity: int = Field(default=0, ge=0, le=20)
    meeting_preference: MeetingPreference = "either"
    place_weight: float = Field(default=0.5, ge=0, le=1)
    private_preferences: PrivatePreferences | None = None


class AvailabilityChanged(ProfileEvent):
    event_type = "AvailabilityChanged"

    available: bool
    paused_until: date | None = None


class VisibilityChanged(ProfileEvent):
    event_type = "VisibilityChanged"

    sections: dict[ProfileSection, Visibility]


class ProfileErased(ProfileEvent):
    event_type = "ProfileErased"


EVENTS: tuple[type[EventPayload], ...] = (
    ProfileCreated,
    DetailsUpdated,
    SkillsUpdated,
    InterestsUpdated,
    LearningGoalsUpdated,
    AspirationsUpdated,
    LocationChanged,
    MentoringPreferencesChanged,
    AvailabilityChanged,
    VisibilityChanged,
    ProfileErased,
)


def register_upcasters(catalogue: Catalogue) -> None:
    """Profile events are all at their first version; nothing to lift yet."""
