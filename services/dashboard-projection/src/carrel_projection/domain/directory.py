"""The directory: one entry per person per team, built from several aggregates.

An entry is ``pending`` when a group or a mentorship named the person before
the team's ``MemberJoined`` was processed (they travel on different
partitions, so either may come first), ``member`` while the person belongs to
the team, and ``left`` after ``MemberLeft``. Only members are ever shown; a
left entry keeps its ledger and nothing personal, so a replayed
``MemberJoined`` cannot bring the person back.

Match status, mentor load and groups are derived fields, recomputed from the
entry's own records each time anything changes.
"""

import statistics
from datetime import datetime
from typing import Any

from carrel_events.contracts import matching as matching_events
from carrel_events.contracts import teams as events
from carrel_events.serialisation import DecodedEvent

from carrel_projection.domain.documents import Document, mark_applied, stamped
from carrel_projection.domain.people import PROFILE_FIELDS, public_profile

ACTIVE = "accepted"
WAITING = frozenset({"requested", "information_requested"})


def new_entry(team_id: str, person_id: str) -> Document:
    return {
        "team_id": team_id,
        "person_id": person_id,
        "status": "pending",
        "roles": [],
        "team_capacity": None,
        "group_ids": [],
        "mentorships": {},
        "applied": {},
    }


def apply_membership(entry: Document, event: DecodedEvent) -> Document:
    """``entry`` after a team event about this member (the caller checks the ledger)."""
    payload = event.payload
    if isinstance(payload, events.MemberJoined):
        entry = {
            **entry,
            "status": "member",
            "roles": list(payload.roles),
            "team_capacity": payload.mentor_capacity,
            "joined_at": event.envelope.occurred_at.isoformat(),
            "joined_via": payload.via,
            "join_source": "referral" if payload.referred_by else payload.via,
            "referred_by": str(payload.referred_by) if payload.referred_by else None,
        }
    elif isinstance(payload, events.MemberRoleChanged):
        entry = {**entry, "roles": list(payload.roles)}
    elif isinstance(payload, events.MentorCapacityChanged):
        entry = {**entry, "team_capacity": payload.mentor_capacity}
    elif isinstance(payload, events.MemberLeft):
        entry = {**without_profile(entry), "status": "left", "roles": []}
    else:
        entry = _growth(entry, payload, event.envelope.occurred_at.isoformat())
    return stamped(mark_applied(entry, event), event)


def _growth(entry: Document, payload: Any, when: str) -> Document:
    """``entry`` after a pause for silence, a graduation or a confirmed capacity."""
    if isinstance(payload, events.MentorPaused):
        return {**entry, "paused_for_silence": True, "paused_at": when}
    if isinstance(payload, events.MentorResumed):
        return {**entry, "paused_for_silence": False, "paused_at": None}
    if isinstance(payload, events.GraduationInvited):
        return {**entry, "graduation": "invited"}
    if isinstance(payload, events.GraduationAccepted):
        return {**entry, "graduation": "accepted", "graduated_at": when}
    if isinstance(payload, events.MentorCapacityConfirmed):
        confirmed = payload.cohort_starts_on.isoformat()
        capacity = payload.mentor_capacity
        return {**entry, "team_capacity": capacity, "capacity_confirmed_for": confirmed}
    return entry


def with_candidates(entry: Document, event: DecodedEvent) -> Document:
    """``entry`` after matching ranked the mentee's mentors anew.

    Only the count is kept: matching serves the list itself, with reasons.
    """
    payload = event.payload
    assert isinstance(payload, matching_events.MentorCandidatesRanked)
    ranked: Document = {"ranked_candidates": len(payload.candidates)}
    if payload.candidates and not entry.get("first_ranked_at"):
        ranked["first_ranked_at"] = event.envelope.occurred_at.isoformat()
    return stamped(mark_applied({**entry, **ranked}, event), event)


MEMBERSHIP_FIELDS = (
    "joined_at",
    "joined_via",
    "join_source",
    "referred_by",
    "paused_for_silence",
    "paused_at",
    "graduation",
    "graduated_at",
    "capacity_confirmed_for",
)
"""Fields only the team's membership events set (besides status, roles and
the team's capacity), taken back when the team is re-projected. A field that
:func:`apply_membership` starts to set belongs here too, or a re-projection
of the team would keep its old value."""
CANDIDATE_FIELDS = ("ranked_candidates", "first_ranked_at")


def without_membership(entry: Document) -> Document:
    """``entry`` as if no membership event of the team had been applied."""
    kept = {k: v for k, v in entry.items() if k not in MEMBERSHIP_FIELDS}
    return {**kept, "status": "pending", "roles": [], "team_capacity": None}


def without_candidates(entry: Document) -> Document:
    """``entry`` as if matching had never ranked mentors for it."""
    return {k: v for k, v in entry.items() if k not in CANDIDATE_FIELDS}


def without_profile(entry: Document) -> Document:
    return {k: v for k, v in entry.items() if k not in PROFILE_FIELDS}


def with_profile(entry: Document, person: Document | None) -> Document:
    """``entry`` showing the person's public profile, if the person is a member."""
    bare = without_profile(entry)
    if entry["status"] != "member" or person is None:
        return bare
    shown = {k: v for k, v in public_profile(person).items() if v is not None}
    return {**bare, **shown}


def with_group(entry: Document, group_id: str, present: bool) -> Document:
    others = [g for g in entry["group_ids"] if g != group_id]
    return {**entry, "group_ids": sorted([*others, group_id]) if present else others}


def with_mentorship(entry: Document, mentorship: Document) -> Document:
    """``entry`` knowing the mentorship's current status, from its side."""
    person = entry["person_id"]
    if mentorship["mentor_id"] == person:
        side, other = "mentor", mentorship["mentee_id"]
    else:
        side, other = "mentee", mentorship["mentor_id"]
    record = {
        "side": side,
        "status": mentorship["status"],
        "other": other,
        "accepted_at": mentorship.get("accepted_at"),
        "response_seconds": _seconds_between(
            mentorship.get("requested_at"), mentorship.get("answered_at")
        ),
    }
    mentorships = {**entry["mentorships"], mentorship["mentorship_id"]: record}
    return {**entry, "mentorships": mentorships}


def derived(entry: Document, default_capacity: int) -> Document:
    """``entry`` with match status and mentor load recomputed."""
    records = list(entry["mentorships"].values())
    as_mentor = [r for r in records if r["side"] == "mentor"]
    as_mentee = [r for r in records if r["side"] == "mentee"]
    capacity = mentor_capacity(entry, default_capacity)
    active_mentees = sum(r["status"] == ACTIVE for r in as_mentor)
    facts: dict[str, Any] = {
        "mentor_capacity": capacity,
        "active_mentees": active_mentees,
        "at_capacity": "mentor" in entry["roles"] and active_mentees >= capacity,
        "pending_requests": sum(r["status"] in WAITING for r in as_mentor),
        "match_status": _match_status(entry, as_mentee),
        "mentor_ids": sorted({r["other"] for r in as_mentee if r["status"] == ACTIVE}),
        "mentee_ids": sorted({r["other"] for r in as_mentor if r["status"] == ACTIVE}),
        "spare_places": _spare_places(entry, capacity, active_mentees),
        "typical_response_hours": _typical_response_hours(as_mentor),
        **_milestones(entry, as_mentee),
    }
    return {**entry, **facts}


def _spare_places(entry: Document, capacity: int, active_mentees: int) -> int:
    """Places a mentor could take now: none while paused or unavailable."""
    offering = "mentor" in entry["roles"] and entry.get("available", True)
    if not offering or entry.get("paused_for_silence"):
        return 0
    return max(0, capacity - active_mentees)


def _typical_response_hours(as_mentor: list[dict[str, Any]]) -> float | None:
    """The median time a mentor took to first answer a request, in hours."""
    answered: list[float] = [
        r["response_seconds"] for r in as_mentor if r.get("response_seconds")
    ]
    if not answered:
        return None
    return round(statistics.median(answered) / 3600, 1)


def _milestones(entry: Document, as_mentee: list[dict[str, Any]]) -> Document:
    """When a newcomer first had ranked mentors and a mentorship, from joining."""
    accepted = [r["accepted_at"] for r in as_mentee if r.get("accepted_at")]
    first_mentorship = min(accepted, default=None)
    joined = entry.get("joined_at")
    return {
        "first_mentorship_at": first_mentorship,
        "seconds_to_first_candidate": _seconds_between(
            joined, entry.get("first_ranked_at")
        ),
        "seconds_to_first_mentorship": _seconds_between(joined, first_mentorship),
    }


def _seconds_between(start: str | None, end: str | None) -> float | None:
    """Seconds from one ISO time to a later one; None unless both are known.

    Events of different partitions may be projected in either order, so a
    time before the start (a candidate ranked for a former membership) counts
    as none rather than as a negative wait.
    """
    if not start or not end:
        return None
    seconds = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    total = seconds.total_seconds()
    return round(total, 3) if total >= 0 else None


def mentor_capacity(entry: Document, default_capacity: int) -> int:
    """The team's own figure for this mentor, else the profile's, else the default."""
    if entry.get("team_capacity") is not None:
        return int(entry["team_capacity"])
    if entry.get("profile_capacity"):
        return int(entry["profile_capacity"])
    return default_capacity


def _match_status(entry: Document, as_mentee: list[dict[str, Any]]) -> str | None:
    if "mentee" not in entry["roles"]:
        return None
    if any(r["status"] == ACTIVE for r in as_mentee):
        return "matched"
    if any(r["status"] in WAITING for r in as_mentee):
        return "requested"
    return "unmatched"


def is_member(entry: Document | None) -> bool:
    return entry is not None and entry["status"] == "member"
