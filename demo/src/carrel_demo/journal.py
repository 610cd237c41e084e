"""What the loader has done already, so that a second run loads nothing twice.

The journal is ``var/demo/journal.json``: the ids the API gave each team,
member and mentorship, and which steps are done. It is rewritten whole, by a
rename, so it is never half-written. A write is held back at most
``WRITE_EVERY_SECONDS`` and forced at the end of each phase, so a loader
killed outright may forget the last fraction of a second of its work; the
next run then repeats those few steps, which the services refuse or absorb.
"""

import os
import time
from pathlib import Path
from uuid import UUID

from pydantic import BaseModel, Field

JOURNAL_FILE = "journal.json"
WRITE_EVERY_SECONDS = 0.25


class TeamRecord(BaseModel):
    team_id: UUID
    coordinator_id: UUID


class InvitationRecord(BaseModel):
    invitation_id: UUID
    token: str


class MentorshipRecord(BaseModel):
    mentorship_id: UUID
    team_id: UUID
    mentor_key: str
    from_candidates: bool
    """The mentor was the mentee's best ranked candidate of their own team."""
    accepted: bool = False
    sessions: int = 0


class Entries(BaseModel):
    """What became of the central index entries this journal loaded."""

    added: int = 0
    already_present: int = 0


class JournalState(BaseModel):
    central_index: Entries | None = None
    consortium: TeamRecord | None = None
    teams: dict[str, TeamRecord] = Field(default_factory=dict)
    """By library id (``RI:RI0001``)."""
    member_teams: set[str] = Field(default_factory=set)
    consents: set[str] = Field(default_factory=set)
    invitations: dict[str, InvitationRecord] = Field(default_factory=dict)
    """Sent and not yet accepted, by participant key."""
    members: dict[str, UUID] = Field(default_factory=dict)
    profiles: set[str] = Field(default_factory=set)
    capacities: set[str] = Field(default_factory=set)
    mentorships: dict[str, MentorshipRecord] = Field(default_factory=dict)
    """By the mentee's participant key."""
    shares: dict[str, list[UUID]] = Field(default_factory=dict)
    groups: dict[str, int] = Field(default_factory=dict)


class Journal:
    """The journal's state and the file it is kept in."""

    def __init__(self, path: Path, state: JournalState) -> None:
        self.path = path
        self.state = state
        self._written_at = 0.0
        self._dirty = False

    @classmethod
    def open(cls, folder: Path) -> "Journal":
        path = folder / JOURNAL_FILE
        if not path.exists():
            return cls(path, JournalState())
        text = path.read_text(encoding="utf-8")
        return cls(path, JournalState.model_validate_json(text))

    @property
    def is_empty(self) -> bool:
        return self.state == JournalState()

    def note(self) -> None:
        """A step is done: write soon."""
        self._dirty = True
        if time.monotonic() - self._written_at >= WRITE_EVERY_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write now, if anything changed, atomically."""
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        draft = self.path.with_suffix(".json.part")
        draft.write_text(self.state.model_dump_json(indent=1), encoding="utf-8")
        os.replace(draft, self.path)
        self._written_at = time.monotonic()
        self._dirty = False

    def set_aside(self) -> Path:
        """Move the journal out of the way (it describes another stack)."""
        stale = self.path.with_name(f"journal.stale-{int(time.time())}.json")
        if self.path.exists():
            os.replace(self.path, stale)
        self.state = JournalState()
        return stale
