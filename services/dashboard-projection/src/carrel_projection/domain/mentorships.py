"""Mentorships of a team: from request to end, with sessions and goals.

Session notes, the request's message and feedback comments never travel in
events, so they cannot reach this model; a feedback rating is kept out too.
"""

from typing import Any

from carrel_events.contracts import teams as events
from carrel_events.serialisation import DecodedEvent

from carrel_projection.domain.documents import Document, mark_applied, stamped

STATUS_AFTER: dict[type[Any], str] = {
    events.MentorshipRequested: "requested",
    events.MoreInformationRequested: "information_requested",
    events.MentorshipRequestClarified: "requested",
    events.MentorshipAccepted: "accepted",
    events.MentorshipDeclined: "declined",
    events.MentorshipExpired: "expired",
    events.MentorshipWithdrawn: "withdrawn",
    events.MentorshipEnded: "ended",
}


def new_mentorship(mentorship_id: str, team_id: str) -> Document:
    return {
        "mentorship_id": mentorship_id,
        "team_id": team_id,
        "mentor_id": None,
        "mentee_id": None,
        "status": None,
        "sessions": 0,
        "session_minutes": 0,
        "last_session_on": None,
        "goals": {},
        "goals_set": 0,
        "goals_done": 0,
        "feedback_count": 0,
        "feedback_sides": [],
        "applied": {},
    }


def apply(mentorship: Document, event: DecodedEvent) -> Document:
    """``mentorship`` after one of its events (the caller checks the ledger)."""
    payload = event.payload
    when = event.envelope.occurred_at.isoformat()
    changed = _changed(mentorship, payload, when)
    status = STATUS_AFTER.get(type(payload))
    if status is not None:
        changed = {**changed, "status": status}
    return stamped(mark_applied(changed, event), event)


def _changed(mentorship: Document, payload: Any, when: str) -> Document:
    if isinstance(payload, events.MentorshipRequested):
        return {
            **mentorship,
            "mentor_id": str(payload.mentor_id),
            "mentee_id": str(payload.mentee_id),
            "requested_at": when,
            "expires_at": payload.expires_at.isoformat(),
            "choice": payload.choice,
        }
    if isinstance(payload, events.MentorshipRequestClarified):
        return {**mentorship, "expires_at": payload.expires_at.isoformat()}
    if isinstance(payload, events.MoreInformationRequested):
        answered = _answered(mentorship, when)
        if payload.expires_at is None:
            return answered
        return {**answered, "expires_at": payload.expires_at.isoformat()}
    if isinstance(payload, events.MentorshipAccepted):
        return {**_answered(mentorship, when), "accepted_at": when}
    if isinstance(payload, events.MentorshipDeclined):
        return {**_answered(mentorship, when), "closed_at": when, "outcome": None}
    if isinstance(payload, events.MentorshipEnded):
        return {**mentorship, "closed_at": when, "outcome": payload.outcome}
    if isinstance(payload, events.MentorshipExpired | events.MentorshipWithdrawn):
        return {**mentorship, "closed_at": when, "outcome": None}
    return _progress(mentorship, payload)


def _answered(mentorship: Document, when: str) -> Document:
    """The mentor's first answer to the request (a question counts), once."""
    return {**mentorship, "answered_at": mentorship.get("answered_at") or when}


def _progress(mentorship: Document, payload: Any) -> Document:
    if isinstance(payload, events.SessionLogged):
        held_on = payload.held_on.isoformat()
        last = max(filter(None, [mentorship["last_session_on"], held_on]))
        return {
            **mentorship,
            "sessions": mentorship["sessions"] + 1,
            "session_minutes": mentorship["session_minutes"] + payload.minutes,
            "last_session_on": last,
        }
    if isinstance(payload, events.GoalSet | events.GoalProgressed):
        return _with_goal(mentorship, payload)
    if isinstance(payload, events.FeedbackGiven):
        # A side's later feedback replaces its earlier one: count sides.
        sides = sorted({*mentorship.get("feedback_sides", []), payload.side})
        return {**mentorship, "feedback_sides": sides, "feedback_count": len(sides)}
    return mentorship


def _with_goal(mentorship: Document, payload: Any) -> Document:
    goal_id = str(payload.goal_id)
    goal = dict(mentorship["goals"].get(goal_id, {"title": "", "progress": 0}))
    if isinstance(payload, events.GoalSet):
        goal["title"] = payload.title
    else:
        goal["progress"] = payload.progress
    goals = {**mentorship["goals"], goal_id: goal}
    done = sum(g["progress"] >= 100 for g in goals.values())
    return {**mentorship, "goals": goals, "goals_set": len(goals), "goals_done": done}


def is_named(mentorship: Document) -> bool:
    """True once the request that names mentor and mentee has been applied."""
    return mentorship["mentor_id"] is not None
