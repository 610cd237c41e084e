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
        }
    elif isinstance(payload, events.MemberRoleChanged):
        entry = {**entry, "roles": list(payload.roles)}
    elif isinstance(payload, events.MentorCapacityChanged):
        entry = {**entry, "team_capacity": payload.mentor_capacity}
    elif isinstance(payload, events.MemberLeft):
        entry = {**without_profile(entry), "status": "left", "roles": []}
    return stamped(mark_applied(entry, event), event)


def with_candidates(entry: Document, event: DecodedEvent) -> Document:
    """``entry`` after matching ranked the mentee's mentors anew.

    Only the count is kept: matching serves the list itself, with reasons.
    """
    payload = event.payload
    assert isinstance(payload, matching_events.MentorCandidatesRanked)
    ranked = len(payload.candidates)
    return stamped(mark_applied({**entry, "ranked_candidates": ranked}, event), event)


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
    record = {"side": side, "status": mentorship["status"], "other": other}
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
    }
    return {**entry, **facts}


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
