"""Re-projecting one aggregate from its whole history, for events that came late.

The live path takes each event once, in its partition's order, and a
document's ledger (:mod:`carrel_projection.domain.documents`) skips every
event not newer than the last one the document took from that aggregate.
That makes redelivery harmless, and it is also why an event that arrives
after a later one of its aggregate would be taken for a duplicate and never
land: a dead letter retried once the partition went on (``v2`` failed, ``v3``
was applied), or an event the live consumer applied to the old indices while
a rebuild switched to new ones.

A re-projection mends that. It takes back what the aggregate put in the read
models (its own document, and the parts of other documents it owns), then
applies the aggregate's whole history again, in version order, through the
very rules of the live path (:func:`carrel_projection.application.project`).
The result is what an in-order replay gives, whichever order the events came
in. What other aggregates own is kept (a person's teams, a member's groups
and mentorships), and the copies built from it are recomputed as usual.

The history must hold every version the read models already took: when a
document's ledger is ahead of it, :class:`HistoryBehind` is raised and the
caller reads the history again. Writes use the same optimistic concurrency as
the live consumer, so a re-projection that races the consumer on a document
fails (:class:`~carrel_projection.adapters.store.BulkWriteFailed`) rather
than overwrite it; the caller tries again on fresh reads.
"""

import logging
from collections.abc import Iterable, Sequence

from carrel_events.contracts import matching as matching_events
from carrel_events.serialisation import DecodedEvent

from carrel_projection.adapters.store import DocumentStore
from carrel_projection.adapters.workspace import Workspace
from carrel_projection.application import (
    _OWNER_MODEL,
    _copy_keys,
    _owner_keys,
    project,
)
from carrel_projection.domain import directory, people, teams
from carrel_projection.domain.documents import Document, Model, directory_id

logger = logging.getLogger(__name__)


class HistoryBehind(RuntimeError):
    """A document took a version of the aggregate that the history lacks."""


def in_order(history: Iterable[DecodedEvent]) -> list[DecodedEvent]:
    """One event per version, oldest first (copies of an event are dropped)."""
    by_version: dict[int, DecodedEvent] = {}
    for event in history:
        by_version.setdefault(event.envelope.aggregate_version, event)
    return [by_version[v] for v in sorted(by_version)]


async def reproject(
    store: DocumentStore, history: Sequence[DecodedEvent]
) -> set[tuple[str, Model]]:
    """Apply one aggregate's whole ``history`` again; the (team, model) changed."""
    events = in_order(history)
    if not events:
        return set()
    workspace = Workspace(store)
    await workspace.prefetch(k for e in events for k in _owner_keys(e))
    await workspace.prefetch(k for e in events for k in _copy_keys(workspace, e))
    await _take_back(workspace, events)
    for event in events:
        await project(workspace, event)
    changed = await store.write(workspace.writes())
    await store.notify(changed)
    envelope = events[-1].envelope
    logger.info(
        "re-projected %s %s from %d events (to v%d)",
        envelope.aggregate_type,
        envelope.aggregate_id,
        len(events),
        envelope.aggregate_version,
    )
    return changed


async def _take_back(workspace: Workspace, events: list[DecodedEvent]) -> None:
    """Remove what the aggregate put in the read models, and its versions."""
    envelope = events[-1].envelope
    kind, aggregate_id = envelope.aggregate_type, str(envelope.aggregate_id)
    ledger = _Ledger(aggregate_id, envelope.aggregate_version)
    if kind == "Profile":
        person = await workspace.get(Model.PEOPLE, aggregate_id)
        if person is not None:
            workspace.put(Model.PEOPLE, aggregate_id, _without_profile(person, ledger))
    elif kind == "Team":
        await _take_back_team(workspace, events, ledger)
    elif kind == "CandidateList":
        await _take_back_candidates(workspace, events, ledger)
    elif kind in _OWNER_MODEL:
        model = _OWNER_MODEL[kind]
        owned = await workspace.get(model, aggregate_id)
        if owned is not None:
            ledger.check(owned)
            workspace.delete(model, aggregate_id)


class _Ledger:
    """The aggregate being re-projected, and the last version its history has."""

    def __init__(self, aggregate_id: str, last: int) -> None:
        self.aggregate_id = aggregate_id
        self.last = last

    def check(self, document: Document) -> None:
        taken = document.get("applied", {}).get(self.aggregate_id, 0)
        if taken > self.last:
            raise HistoryBehind(
                f"a document took v{taken} of {self.aggregate_id}; "
                f"the history ends at v{self.last}"
            )

    def forget(self, document: Document) -> Document:
        """``document`` without the aggregate's versions (after checking them)."""
        self.check(document)
        applied = dict(document.get("applied", {}))
        applied.pop(self.aggregate_id, None)
        return {**document, "applied": applied}


def _without_profile(person: Document, ledger: _Ledger) -> Document:
    """The person as no profile event made them: only their teams are kept."""
    kept = ledger.forget(person)
    fresh = people.new_person(person["person_id"])
    return {**fresh, "team_ids": kept["team_ids"], "applied": kept["applied"]}


async def _take_back_team(
    workspace: Workspace, events: list[DecodedEvent], ledger: _Ledger
) -> None:
    team_id = ledger.aggregate_id
    team = await workspace.get(Model.TEAMS, team_id)
    if team is not None:
        ledger.check(team)
        workspace.delete(Model.TEAMS, team_id)
    for person_id in _members_named(events):
        entry_id = directory_id(team_id, person_id)
        entry = await workspace.get(Model.DIRECTORY, entry_id)
        if entry is not None:
            entry = directory.without_membership(ledger.forget(entry))
            workspace.put(Model.DIRECTORY, entry_id, entry)
        person = await workspace.get(Model.PEOPLE, person_id)
        if person is not None:
            person = people.left_team(ledger.forget(person), team_id)
            workspace.put(Model.PEOPLE, person_id, person)


def _members_named(events: list[DecodedEvent]) -> list[str]:
    """The people the team's membership events are about."""
    named = {
        str(getattr(e.payload, "person_id"))  # noqa: B009
        for e in events
        if isinstance(e.payload, teams.MEMBERSHIP_EVENTS)
    }
    return sorted(named)


async def _take_back_candidates(
    workspace: Workspace, events: list[DecodedEvent], ledger: _Ledger
) -> None:
    team_id = str(events[-1].envelope.team_id)
    mentees = {
        str(e.payload.mentee_id)
        for e in events
        if isinstance(e.payload, matching_events.MentorCandidatesRanked)
    }
    for mentee_id in sorted(mentees):
        entry_id = directory_id(team_id, mentee_id)
        entry = await workspace.get(Model.DIRECTORY, entry_id)
        if entry is not None:
            entry = directory.without_candidates(ledger.forget(entry))
            workspace.put(Model.DIRECTORY, entry_id, entry)
