"""Read-model documents, the models they belong to, and the applied-versions ledger.

A document may be built from several aggregates (a directory entry hears from
the person's profile, the team, groups and mentorships), so one external
version per document cannot say what it has seen. Each document carries
``applied``: the last version it took from each aggregate. An event whose
version is not newer than that is a duplicate or a replay, and changes
nothing.
"""

from enum import StrEnum
from typing import Any
from uuid import UUID

from carrel_events.serialisation import DecodedEvent

Document = dict[str, Any]


class Model(StrEnum):
    """The read models; each is an index behind an alias of this name."""

    DIRECTORY = "directory"
    PEOPLE = "people"
    TEAMS = "teams"
    GROUPS = "groups"
    MENTORSHIPS = "mentorships"
    RESOURCES = "resources"
    SHARES = "shares"
    PROGRESS = "progress"
    ACTIVITY = "activity"
    CHANGES = "changes"


def is_new(document: Document | None, event: DecodedEvent) -> bool:
    """True when ``document`` has not yet taken this event (or a later one)."""
    if document is None:
        return True
    seen = document.get("applied", {}).get(str(event.envelope.aggregate_id), 0)
    return bool(seen < event.envelope.aggregate_version)


def mark_applied(document: Document, event: DecodedEvent) -> Document:
    """``document`` with this event's version recorded for its aggregate."""
    applied = dict(document.get("applied", {}))
    applied[str(event.envelope.aggregate_id)] = event.envelope.aggregate_version
    return {**document, "applied": applied}


def stamped(document: Document, event: DecodedEvent) -> Document:
    """``document`` with the event's time as its last change.

    The time comes from the event, not the clock, so a replay writes the same.
    """
    return {**document, "updated_at": event.envelope.occurred_at.isoformat()}


def same_content(before: Document | None, after: Document | None) -> bool:
    """True when the two differ at most in when they were last changed."""
    if before is None or after is None:
        return before is after
    strip = {"updated_at"}
    return {k: v for k, v in before.items() if k not in strip} == {
        k: v for k, v in after.items() if k not in strip
    }


def text_id(value: UUID | str) -> str:
    return str(value)


def directory_id(team_id: UUID | str, person_id: UUID | str) -> str:
    """The directory entry of one person in one team."""
    return f"{team_id}:{person_id}"
