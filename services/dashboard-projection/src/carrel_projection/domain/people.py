"""A person's latest public profile, kept once and copied into each membership.

Profiles belong to people, not teams: one ``people`` document per person holds
each section of the profile as the last event of that section left it, who may
see each section, and which teams the person is in. A directory entry takes
the sections that are not private from here.

``PrivatePreferencesChanged`` only moves the ledger: its fields never reach a
document. An erased profile leaves a tombstone with no personal data, only the
ledger and the person's teams (ids only), so that a late or replayed event
cannot bring it back, and a half-done erasure finishes on redelivery.
"""

from collections.abc import Callable
from typing import Any

from carrel_events.contracts import profile as events
from carrel_events.serialisation import DecodedEvent

from carrel_projection.domain.documents import Document, mark_applied, stamped

SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    "details": (
        "headline",
        "current_role",
        "institution",
        "library_id",
        "years_of_experience",
        "has_library_degree",
        "languages",
    ),
    "skills": ("skills", "skill_ids"),
    "interests": ("interests",),
    "learning_goals": ("learning_goals",),
    "aspirations": ("aspirations",),
    "location": ("city", "region", "country", "location", "time_zone"),
    "mentoring": ("mentoring_roles", "profile_capacity", "meeting_preference"),
    "availability": ("available", "paused_until"),
}
DEFAULT_SECTIONS: dict[str, dict[str, Any]] = {
    "availability": {"available": True, "paused_until": None},
}
"""What a profile shows of a section before any event set it."""
PROFILE_FIELDS = ("display_name", *(f for fs in SECTION_FIELDS.values() for f in fs))


def new_person(person_id: str) -> Document:
    return {
        "person_id": person_id,
        "erased": False,
        "display_name": "",
        "sections": {},
        "visibility": {},
        "team_ids": [],
        "applied": {},
    }


def apply(person: Document, event: DecodedEvent) -> Document:
    """``person`` after one profile event (the caller checks the ledger)."""
    payload = event.payload
    if isinstance(payload, events.ProfileErased):
        kept = {k: person[k] for k in ("person_id", "team_ids", "applied")}
        tombstone = {**new_person(person["person_id"]), **kept, "erased": True}
        return stamped(mark_applied(tombstone, event), event)
    if person["erased"]:
        return mark_applied(person, event)
    return stamped(mark_applied(_changed(person, payload), event), event)


def _changed(person: Document, payload: Any) -> Document:
    if isinstance(payload, events.ProfileCreated):
        return {**person, "display_name": payload.display_name}
    if isinstance(payload, events.DetailsUpdated):
        person = {**person, "display_name": payload.display_name}
    if isinstance(payload, events.VisibilityChanged):
        return {**person, "visibility": dict(payload.sections)}
    for payload_type, section, fields in _SECTIONS:
        if isinstance(payload, payload_type):
            sections = {**person["sections"], section: fields(payload)}
            return {**person, "sections": sections}
    return person


def _details(p: events.DetailsUpdated) -> dict[str, Any]:
    institution = p.institution
    return {
        "headline": p.headline,
        "current_role": p.current_role,
        "institution": institution.name if institution else None,
        "library_id": institution.library_id if institution else None,
        "years_of_experience": p.years_of_experience,
        "has_library_degree": p.has_library_degree,
        "languages": list(p.languages),
    }


def _skills(p: events.SkillsUpdated) -> dict[str, Any]:
    levels = [s.model_dump() for s in p.skills]
    return {"skills": levels, "skill_ids": [s.skill_id for s in p.skills]}


def _location(p: events.LocationChanged) -> dict[str, Any]:
    has_point = p.latitude is not None and p.longitude is not None
    point = {"lat": p.latitude, "lon": p.longitude} if has_point else None
    return {
        "city": p.city,
        "region": p.region,
        "country": p.country,
        "location": point,
        "time_zone": p.time_zone,
    }


def _mentoring(p: events.MentoringPreferencesChanged) -> dict[str, Any]:
    return {
        "mentoring_roles": list(p.roles),
        "profile_capacity": p.mentor_capacity,
        "meeting_preference": p.meeting_preference,
    }


def _availability(p: events.AvailabilityChanged) -> dict[str, Any]:
    paused_until = p.paused_until.isoformat() if p.paused_until else None
    return {"available": p.available, "paused_until": paused_until}


_SECTIONS: tuple[tuple[type[Any], str, Callable[[Any], dict[str, Any]]], ...] = (
    (events.DetailsUpdated, "details", _details),
    (events.SkillsUpdated, "skills", _skills),
    (events.InterestsUpdated, "interests", lambda p: {"interests": p.interests}),
    (
        events.LearningGoalsUpdated,
        "learning_goals",
        lambda p: {"learning_goals": p.skill_ids},
    ),
    (
        events.AspirationsUpdated,
        "aspirations",
        lambda p: {"aspirations": p.target_roles},
    ),
    (events.LocationChanged, "location", _location),
    (events.MentoringPreferencesChanged, "mentoring", _mentoring),
    (events.AvailabilityChanged, "availability", _availability),
)


def public_profile(person: Document) -> dict[str, Any]:
    """The fields a team's directory may show: every section not set private.

    The display name always shows: a member listed without a name would be of
    no use, and the profile service keeps it outside the sections. A person
    whose availability no event has set is available, as the profile service
    says of a new profile.
    """
    shown: dict[str, Any] = {"display_name": person["display_name"]}
    sections = {**DEFAULT_SECTIONS, **person["sections"]}
    for section, fields in sections.items():
        if person["visibility"].get(section, "team") == "private":
            continue
        shown.update({f: v for f, v in fields.items() if f in SECTION_FIELDS[section]})
    return shown


def joined_team(person: Document, team_id: str) -> Document:
    teams = person["team_ids"]
    return {**person, "team_ids": sorted({*teams, team_id})}


def left_team(person: Document, team_id: str) -> Document:
    return {**person, "team_ids": [t for t in person["team_ids"] if t != team_id]}
