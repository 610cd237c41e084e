"""What matching knows about people, mentors and a team's rules, without I/O.

A :class:`Person` gathers the profile sections matching reads; it belongs to
no team. A :class:`Mentor` is a person offered in a team's pool, with the
capacity and load that decide whether they may be offered at all. The team's
:class:`TeamRules` carry the weights, must-haves and exclusions.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol
from uuid import UUID

Meeting = Literal["remote", "in_person", "either"]
MustHave = Literal[
    "same_country",
    "same_region",
    "same_time_zone",
    "shared_language",
    "compatible_meeting_preference",
    "learning_goal_covered",
]

Visibility = Literal["team", "consortium", "private"]
ViewerScope = Literal["team", "consortium"]
DEFAULT_VISIBILITY: Visibility = "team"

_SMALL_WORDS = frozenset({"a", "an", "and", "of", "the", "for", "in", "to", "at", "&"})
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case with single spaces, so "Zines " and "zines" are one interest."""
    return " ".join(text.lower().split())


def words(text: str) -> frozenset[str]:
    """The meaningful words of a job title, without "of", "and" and the like."""
    return frozenset(_WORD.findall(fold(text))) - _SMALL_WORDS


class SkillCatalogue(Protocol):
    """The part of the skills vocabulary that scoring and reasons need."""

    def category(self, skill_id: str) -> str | None: ...

    def label(self, skill_id: str) -> str: ...

    def category_label(self, category: str) -> str: ...

    def skill_ids(self) -> tuple[str, ...]: ...

    def categories(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Place:
    """Where a person is; every part may be unknown."""

    city: str = ""
    region: str = ""
    country: str = ""
    latitude: float | None = None
    longitude: float | None = None
    utc_offset_hours: float | None = None
    """The time zone's standard offset, fixed when the profile event is read."""

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class Person:
    """One person's profile as matching reads it."""

    person_id: UUID
    display_name: str = ""
    skills: Mapping[str, int] = field(default_factory=dict)
    """Skill id to proficiency, 1 to 5."""
    learning_goals: tuple[str, ...] = ()
    interests: frozenset[str] = frozenset()
    """Folded with :func:`fold`."""
    target_roles: tuple[str, ...] = ()
    current_role: str = ""
    institution: str | None = None
    """A library id, or the folded institution name when it is not a known library."""
    years_of_experience: int | None = None
    languages: frozenset[str] = frozenset()
    """Primary language subtags, lower case: ``fr-CA`` is ``fr``."""
    place: Place = Place()
    meeting_preference: Meeting = "either"
    place_weight: float = 0.5
    available: bool = True
    avoid_own_institution: bool = False
    visibility: Mapping[str, Visibility] = field(default_factory=dict)
    """Who may see each profile section; a section not named is open to the team."""

    def shows(self, section: str, scope: ViewerScope) -> bool:
        """Whether a viewer of this scope may see the section of this profile.

        The profile service's rule: a member of the owner's team sees what is
        open to the team or the consortium; someone from another team of a
        consortium only what is open to the consortium; nobody a private one.
        """
        visibility = self.visibility.get(section, DEFAULT_VISIBILITY)
        return visibility == "consortium" or (visibility == "team" and scope == "team")


@dataclass(frozen=True)
class Mentor:
    """A person offered as a mentor in a pool, with capacity and load."""

    person: Person
    capacity: int
    active_mentees: int = 0
    same_team: bool = True
    """Whether the mentor is a member of the team being ranked, rather than
    offered from another team of a consortium's shared pool: it decides which
    sections of their profile the team's mentees may see."""
    paused: bool = False
    """Whether the team they are offered from paused them (``MentorPaused``)
    for letting requests expire: their profile may say available, but this
    pool does not offer them until they resume."""

    @property
    def seen_as(self) -> ViewerScope:
        """How the mentees of the team being ranked see this mentor's profile."""
        return "team" if self.same_team else "consortium"

    @property
    def mentor_id(self) -> UUID:
        return self.person.person_id

    @property
    def free_places(self) -> int:
        return max(0, self.capacity - self.active_mentees)

    @property
    def offerable(self) -> bool:
        """A paused or full mentor is never offered."""
        return self.available and self.free_places > 0

    @property
    def available(self) -> bool:
        """Neither paused on their profile nor by the team they come from."""
        return self.person.available and not self.paused


@dataclass(frozen=True)
class Weights:
    """The team's matching weights, as the teams service's settings give them."""

    skills: float = 0.35
    learning_goals: float = 0.25
    aspirations: float = 0.15
    interests: float = 0.1
    place: float = 0.1
    availability: float = 0.05


@dataclass(frozen=True)
class TeamRules:
    """Weights, filters and exclusions of the team a mentee ranks in.

    ``excluded_pairs`` holds (mentor id, mentee id): the team's own list plus
    every pair whose request waits for an answer, was declined or expired, or
    whose mentorship ended or runs now.
    """

    weights: Weights = Weights()
    must_haves: frozenset[MustHave] = frozenset()
    exclude_same_institution: bool = False
    excluded_pairs: frozenset[tuple[UUID, UUID]] = frozenset()
