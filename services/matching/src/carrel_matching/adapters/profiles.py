"""Profile events as the sections of matching's feature document, and back.

Each profile event carries one whole section, so applying it is a merge of
that section into the person's JSON document; a :class:`Person` is read back
from the document. Private preferences keep only what matching weighs
(avoiding one's own institution); the free-text note and identities are not
stored, since no criterion reads them yet. Visibility is kept so that the
reasons shown to a mentee say nothing of a section they may not see.
"""

import logging
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from carrel_events.catalogue import EventPayload
from carrel_events.contracts import profile

from carrel_matching.domain.people import Person, Place, fold

logger = logging.getLogger(__name__)

# A fixed winter day, so a person's offset does not move with the calendar.
_OFFSET_DAY = datetime(2025, 1, 15, 12, 0)


def section_of(payload: EventPayload) -> dict[str, Any] | None:
    """The feature keys this profile event sets; None when matching ignores it."""
    match payload:
        case profile.ProfileCreated():
            return {"display_name": payload.display_name}
        case profile.DetailsUpdated():
            return _details(payload)
        case profile.SkillsUpdated():
            return {"skills": {s.skill_id: s.proficiency for s in payload.skills}}
        case profile.InterestsUpdated():
            return {"interests": sorted({fold(i) for i in payload.interests})}
        case profile.LearningGoalsUpdated():
            return {"learning_goals": list(dict.fromkeys(payload.skill_ids))}
        case profile.AspirationsUpdated():
            return {"target_roles": list(payload.target_roles)}
        case profile.LocationChanged():
            return {"place": _place(payload)}
        case profile.MentoringPreferencesChanged():
            return _mentoring(payload)
        case profile.PrivatePreferencesChanged():
            return {"avoid_own_institution": payload.avoid_own_institution}
        case profile.AvailabilityChanged():
            return _availability(payload)
        case profile.VisibilityChanged():
            return {"visibility": dict(payload.sections)}
    return None


def _availability(payload: profile.AvailabilityChanged) -> dict[str, Any]:
    until = payload.paused_until
    return {
        "available": payload.available,
        "paused_until": None if until is None else until.isoformat(),
    }


def _details(payload: profile.DetailsUpdated) -> dict[str, Any]:
    institution = payload.institution
    return {
        "display_name": payload.display_name,
        "current_role": payload.current_role,
        "institution": (
            None
            if institution is None
            else institution.library_id or fold(institution.name)
        ),
        "years_of_experience": payload.years_of_experience,
        "languages": sorted({tag.split("-")[0].lower() for tag in payload.languages}),
    }


def _place(payload: profile.LocationChanged) -> dict[str, Any]:
    return {
        "city": payload.city,
        "region": payload.region,
        "country": payload.country,
        "latitude": payload.latitude,
        "longitude": payload.longitude,
        "utc_offset_hours": utc_offset_hours(payload.time_zone),
    }


def _mentoring(payload: profile.MentoringPreferencesChanged) -> dict[str, Any]:
    return {
        "meeting_preference": payload.meeting_preference,
        "place_weight": payload.place_weight,
        "profile_capacity": payload.mentor_capacity,
    }


def utc_offset_hours(time_zone: str) -> float | None:
    """The zone's offset on a fixed winter day; None when unknown."""
    if not time_zone:
        return None
    try:
        offset = ZoneInfo(time_zone).utcoffset(_OFFSET_DAY)
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown time zone %r; place ignores it", time_zone)
        return None
    return None if offset is None else offset.total_seconds() / 3600


def person_from(person_id: UUID, features: dict[str, Any]) -> Person:
    """The person a feature document describes; missing sections stay empty."""
    place = features.get("place") or {}
    return Person(
        person_id=person_id,
        display_name=features.get("display_name", ""),
        skills=dict(features.get("skills", {})),
        learning_goals=tuple(features.get("learning_goals", ())),
        interests=frozenset(features.get("interests", ())),
        target_roles=tuple(features.get("target_roles", ())),
        current_role=features.get("current_role", ""),
        institution=features.get("institution"),
        years_of_experience=features.get("years_of_experience"),
        languages=frozenset(features.get("languages", ())),
        place=Place(**place),
        meeting_preference=features.get("meeting_preference", "either"),
        place_weight=features.get("place_weight", 0.5),
        available=features.get("available", True),
        avoid_own_institution=features.get("avoid_own_institution", False),
        visibility=dict(features.get("visibility") or {}),
    )


def profile_capacity(features: dict[str, Any]) -> int:
    return int(features.get("profile_capacity", 0))
