"""Events of the profile service: who people are and what they want to grow.

A profile belongs to a person, not to a team, so these envelopes carry no
``team_id``; the teams service says which teams a person is in. The profile's
aggregate id is the member id of its owner.

Each event carries the whole new state of one section, so a consumer that
sees only the latest event of a section knows that section completely.
``PrivatePreferencesChanged`` is the one event with private fields: matching
reads it, and no read model for the directory may index it.
"""

from datetime import date
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

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
    "details",
    "skills",
    "interests",
    "learning_goals",
    "aspirations",
    "location",
    "mentoring",
    "availability",
]
PROFILE_SECTIONS: tuple[ProfileSection, ...] = (
    "details",
    "skills",
    "interests",
    "learning_goals",
    "aspirations",
    "location",
    "mentoring",
    "availability",
)

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)
]
Topic = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]
LanguageTag = Annotated[
    str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$")
]
"""A BCP 47 language tag such as ``en``, ``fr-CA`` or ``haw``."""
CountryCode = Annotated[str, StringConstraints(pattern=r"^([A-Z]{2})?$")]
"""An ISO 3166-1 alpha-2 code such as ``US`` or ``NZ``; empty when not given."""
LibraryId = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}:[^\n]{1,40}$")]
"""A US library system of the IMLS Public Libraries Survey: ``<state>:<libid>``.

The survey's ``libid`` is only unique within a state (``AL:100-000``).
"""


class ProfileEvent(EventPayload):
    aggregate_type = AGGREGATE


class StrictValue(ValueObject):
    """A value of plain JSON types, read strictly: ``"3"`` is not a number."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Institution(StrictValue):
    """Where the person works; ``library_id`` when it is a known library."""

    name: Name
    library_id: LibraryId | None = None


class Degree(StrictValue):
    """A degree the person holds; ``library_degree`` for an MLIS or the like."""

    name: Name
    subject: ShortText = ""
    year: int | None = Field(default=None, ge=1940, le=2100)
    library_degree: bool = False


class ProfileCreated(ProfileEvent):
    event_type = "ProfileCreated"

    display_name: Name


class DetailsUpdated(ProfileEvent):
    event_type = "DetailsUpdated"

    display_name: Name
    headline: ShortText = ""
    current_role: ShortText = ""
    institution: Institution | None = None
    years_of_experience: int | None = Field(default=None, ge=0, le=70)
    degrees: list[Degree] = Field(default_factory=list, max_length=10)
    has_library_degree: bool = False
    languages: list[LanguageTag] = Field(default_factory=list, max_length=20)


class SkillsUpdated(ProfileEvent):
    event_type = "SkillsUpdated"

    skills: list[SkillLevel] = Field(max_length=100)


class InterestsUpdated(ProfileEvent):
    event_type = "InterestsUpdated"

    interests: list[Topic] = Field(max_length=30)


class LearningGoalsUpdated(ProfileEvent):
    event_type = "LearningGoalsUpdated"

    skill_ids: list[SkillId] = Field(max_length=30)


class AspirationsUpdated(ProfileEvent):
    """The roles the member aims for; free titles are allowed beside known ones."""

    event_type = "AspirationsUpdated"

    target_roles: list[Name] = Field(max_length=10)
    known_titles: list[Name] = Field(default_factory=list, max_length=10)
    """Those of ``target_roles`` that are job titles of the library occupations
    (O*NET, ESCO), spelt as the vocabulary spells them; the others are titles
    the member wrote. Events from before this field leave it empty: read their
    roles as free titles."""


class LocationChanged(ProfileEvent):
    event_type = "LocationChanged"

    city: ShortText = ""
    region: ShortText = ""
    country: CountryCode = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    time_zone: ShortText = ""
    """An IANA time zone such as ``America/Chicago``; empty when not given."""


class MentoringPreferencesChanged(ProfileEvent):
    event_type = "MentoringPreferencesChanged"

    roles: list[MentoringRole] = Field(max_length=3)
    mentor_capacity: int = Field(default=0, ge=0, le=20)
    """How many mentees at once; more than zero only for a mentor."""
    meeting_preference: MeetingPreference = "either"
    place_weight: float = Field(default=0.5, ge=0, le=1)
    """How much place matters in matching, from 0 (not at all) to 1 (a lot)."""


class PrivatePreferencesChanged(ProfileEvent):
    """Wishes that weigh in matching and are never shown nor indexed."""

    event_type = "PrivatePreferencesChanged"

    identities: list[Topic] = Field(default_factory=list, max_length=10)
    """How the person describes themself, for a shared-identity match."""
    wants_shared_identity: bool = False
    avoid_own_institution: bool = False
    note: LongText = ""


class AvailabilityChanged(ProfileEvent):
    event_type = "AvailabilityChanged"

    available: bool
    paused_until: date | None = None
    """When a pause ends; none while available, or for a pause until further notice."""


class VisibilityChanged(ProfileEvent):
    """Who may see each section, for every section at once."""

    event_type = "VisibilityChanged"

    sections: dict[ProfileSection, Visibility]


class ProfileErased(ProfileEvent):
    """The member erased their profile: read models must drop the person.

    It carries no personal data; the aggregate id says whose profile it was.
    """

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
    PrivatePreferencesChanged,
    AvailabilityChanged,
    VisibilityChanged,
    ProfileErased,
)


def register_upcasters(catalogue: Catalogue) -> None:
    """Profile events are all at their first version; nothing to lift yet."""
