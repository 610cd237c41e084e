"""Rules a profile's sections obey beyond their types, as pure functions.

Each check returns the violations it finds, so one answer can name every
broken rule of a command at once.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal, Protocol
from zoneinfo import available_timezones

from carrel_events.contracts.profile import Visibility

from carrel_profile.domain.errors import RulesBroken, Violation
from carrel_profile.domain.sections import Availability, Location, Mentoring, SkillLevel

_TIME_ZONES = frozenset(available_timezones())


class SkillBook(Protocol):
    """Knows the canonical skills (the shared vocabulary does)."""

    def skill(self, skill_id: str, /) -> object | None: ...


class JobTitles(Protocol):
    """Knows the job titles that career aspirations draw from."""

    def job_title(self, text: str, /) -> str | None: ...


class LibraryBook(Protocol):
    """Knows the real libraries a profile may name."""

    def library_name(self, library_id: str, /) -> str | None: ...


def enforce(violations: Iterable[Violation]) -> None:
    found = list(violations)
    if found:
        raise RulesBroken(found)


def skill_levels(skills: Sequence[SkillLevel], book: SkillBook) -> Iterable[Violation]:
    yield from known_skills([level.skill_id for level in skills], book, "skills")


def known_skills(
    skill_ids: Sequence[str], book: SkillBook, field: str
) -> Iterable[Violation]:
    """Every id names a skill of the vocabulary, once."""
    for index, skill_id in enumerate(skill_ids):
        loc = (field, index, "skill_id") if field == "skills" else (field, index)
        if book.skill(skill_id) is None:
            msg = f"unknown skill {skill_id!r}: use an id of the skills vocabulary"
            yield Violation(loc, "unknown_skill", msg)
        elif skill_id in skill_ids[:index]:
            yield Violation(loc, "duplicate", f"skill {skill_id!r} is listed twice")


def distinct(values: Sequence[str], field: str) -> Iterable[Violation]:
    """No value is listed twice, whatever its case."""
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value.casefold() in seen:
            yield Violation((field, index), "duplicate", f"{value!r} is listed twice")
        seen.add(value.casefold())


def library(library_id: str | None, book: LibraryBook) -> Iterable[Violation]:
    if library_id is not None and book.library_name(library_id) is None:
        loc = ("institution", "library_id")
        msg = f"unknown library {library_id!r}: use an id from /api/v1/institutions"
        yield Violation(loc, "unknown_library", msg)


def location(place: Location) -> Iterable[Violation]:
    if (place.latitude is None) != (place.longitude is None):
        field = "longitude" if place.longitude is None else "latitude"
        msg = "latitude and longitude go together: give both or neither"
        yield Violation((field,), "coordinates_pair", msg)
    if place.time_zone and place.time_zone not in _TIME_ZONES:
        msg = f"unknown time zone {place.time_zone!r}: use an IANA name"
        yield Violation(("time_zone",), "unknown_time_zone", msg)


def mentoring(preferences: Mentoring) -> Iterable[Violation]:
    yield from distinct(list(preferences.roles), "roles")
    is_mentor = "mentor" in preferences.roles
    if preferences.mentor_capacity > 0 and not is_mentor:
        msg = "only a mentor takes mentees: add the mentor role or set 0"
        yield Violation(("mentor_capacity",), "capacity_without_mentor_role", msg)
    if is_mentor and preferences.mentor_capacity == 0:
        msg = "a mentor takes at least one mentee at once"
        yield Violation(("mentor_capacity",), "mentor_without_capacity", msg)


def availability(status: Availability, today: date) -> Iterable[Violation]:
    if status.paused_until is None:
        return
    if status.available:
        msg = "an available person is not paused: leave paused_until empty"
        yield Violation(("paused_until",), "paused_while_available", msg)
    elif status.paused_until <= today:
        msg = f"a pause ends after today ({today.isoformat()})"
        yield Violation(("paused_until",), "date_not_in_future", msg)


ViewerScope = Literal["team", "consortium"]
_SEEN_BY: dict[ViewerScope, frozenset[Visibility]] = {
    "team": frozenset({"team", "consortium"}),
    "consortium": frozenset({"consortium"}),
}


def shows(visibility: Visibility, viewer: ViewerScope) -> bool:
    """Whether a section with this visibility shows to a viewer of this scope.

    A member of the owner's team sees what is open to the team or to the
    whole consortium; someone from another team of a consortium sees only
    what is open to the consortium; a private section shows to nobody.
    """
    return visibility in _SEEN_BY[viewer]
