"""A team's activity feed: one entry per event that happened in the team.

Entries keep ids, not names, so that a renamed or erased person is shown (or
not) as the directory says when the feed is read. Only fields on an explicit
list are copied: an e-mail hash, a decline reason, a rating or a share's note
never reach the feed.

``MentorCandidatesRanked`` is left out: matching re-ranks a mentee's mentors
on every relevant profile change, and the feed would drown in them. The
projection keeps no candidate lists; matching serves its own.
"""

from typing import Any

from carrel_events.serialisation import DecodedEvent

from carrel_projection.domain.documents import Document

SUBJECT_FIELDS = ("person_id", "mentor_id", "mentee_id", "member_id", "next_mentor_id")
SHOWN_FIELDS = frozenset(
    {
        "roles",
        "via",
        "name",
        "kind",
        "origin",
        "held_on",
        "minutes",
        "goal_id",
        "title",
        "progress",
        "outcome",
        "side",
        "choice",
        "resource_id",
        "session_id",
        "member_team_id",
        "group_id",
        "mentor_capacity",
        "source",
        "objective",
        "pairs",
        "basis",
        "smallest",
        "largest",
    }
)
NOT_IN_FEED = frozenset({"MentorCandidatesRanked"})


def entry(event: DecodedEvent) -> Document | None:
    """The feed entry of a team's event; None for an event of no team."""
    envelope = event.envelope
    if envelope.team_id is None or envelope.event_type in NOT_IN_FEED:
        return None
    fields = event.payload.model_dump(mode="json")
    subjects = [str(fields[f]) for f in SUBJECT_FIELDS if fields.get(f)]
    return {
        "event_id": str(envelope.event_id),
        "team_id": str(envelope.team_id),
        "event_type": envelope.event_type,
        "aggregate_type": envelope.aggregate_type,
        "aggregate_id": str(envelope.aggregate_id),
        "occurred_at": envelope.occurred_at.isoformat(),
        "actor_id": _actor(fields),
        "subject_ids": subjects,
        "held_on": fields.get("held_on"),
        "facts": {k: v for k, v in fields.items() if k in SHOWN_FIELDS},
    }


def _actor(fields: dict[str, Any]) -> str | None:
    for name, value in fields.items():
        if name.endswith("_by") and value:
            return str(value)
    return None
