"""A re-projection gives what an in-order replay gives, whatever came late.

The projection runs here on documents held in memory (with the store's
optimistic concurrency), so no OpenSearch is needed.
"""

from collections.abc import AsyncIterator, Iterable, Sequence
from uuid import uuid4

import pytest
from carrel_events import EventPayload
from carrel_events.consumer import Delivery
from carrel_events.contracts import profile as p
from carrel_events.contracts import teams as t
from carrel_events.contracts.common import SkillLevel
from carrel_events.serialisation import DecodedEvent
from carrel_projection.adapters.store import (
    BulkWriteFailed,
    DocumentStore,
    Stored,
    Write,
)
from carrel_projection.application import Projection
from carrel_projection.domain.documents import Document, Model, directory_id
from carrel_projection.reprojection import HistoryBehind, in_order, reproject
from carrel_projection.testing import EventScript

Models = dict[str, dict[str, Document]]


class MemoryStore(DocumentStore):
    """Documents in a dict, with the sequence numbers OpenSearch would keep."""

    def __init__(self) -> None:
        super().__init__(client=None, prefix="memory")  # type: ignore[arg-type]
        self.documents: dict[tuple[Model, str], Stored] = {}
        self._seq_no = 0

    async def fetch(self, model: Model, ids: Iterable[str]) -> dict[str, Stored]:
        found = ((i, self.documents.get((model, i))) for i in ids)
        return {i: stored for i, stored in found if stored is not None}

    async def ids_in_team(self, model: Model, team_id: str) -> AsyncIterator[str]:
        for (held, doc_id), stored in list(self.documents.items()):
            if held == model and stored.source.get("team_id") == team_id:
                yield doc_id

    async def write(self, writes: list[Write]) -> set[tuple[str, Model]]:
        for write in writes:
            key = (write.model, write.doc_id)
            held = self.documents.get(key)
            if write.kind == "append":
                if held is None:
                    self._store(key, write.document or {})
                continue
            if write.read_at != (None if held is None else (held.seq_no, 1)):
                raise BulkWriteFailed(f"{key} changed since it was read")
            if write.kind == "delete":
                self.documents.pop(key, None)
            else:
                self._store(key, write.document or {})
        return {(w.team_id, w.model) for w in writes if w.team_id}

    def _store(self, key: tuple[Model, str], document: Document) -> None:
        self._seq_no += 1
        self.documents[key] = Stored(document, self._seq_no, 1)

    async def notify(self, changed: set[tuple[str, Model]]) -> None:
        return None

    def models(self) -> Models:
        found: Models = {}
        for (model, doc_id), stored in sorted(self.documents.items()):
            source = {k: v for k, v in stored.source.items() if k != "updated_at"}
            found.setdefault(model.value, {})[doc_id] = source
        return found


class Recorded:
    """Events of a small programme, decoded as the consumer would see them."""

    def __init__(self) -> None:
        self.script = EventScript()
        self.team, self.person, self.group = uuid4(), uuid4(), uuid4()

    def __call__(
        self, payload: EventPayload, aggregate: object = None, team: bool = False
    ) -> DecodedEvent:
        aggregate_id = aggregate or self.person
        envelope = self.script.record(
            payload,
            aggregate_id,  # type: ignore[arg-type]
            self.team if team else None,
        )
        return DecodedEvent(envelope, payload)

    def joined(self, roles: list[t.MemberRole]) -> DecodedEvent:
        payload = t.MemberJoined(person_id=self.person, roles=roles, via="founder")
        return self(payload, self.team, team=True)


async def projected(*batches: Sequence[DecodedEvent]) -> MemoryStore:
    """The read models after each batch in turn, as the live consumer builds them."""
    store = MemoryStore()
    handler = Projection(store)
    for batch in batches:
        await handler([Delivery("t", 0, n, event) for n, event in enumerate(batch)])
    return store


SKILLS = p.SkillsUpdated(skills=[SkillLevel(skill_id="esco.maps", proficiency=3)])


async def test_a_profile_event_that_came_after_a_later_one_lands_as_in_order() -> None:
    event = Recorded()
    joined = event.joined(["mentee"])
    created = event(p.ProfileCreated(display_name="Ada"))
    skills = event(SKILLS)
    interests = event(p.InterestsUpdated(interests=["zines"]))
    in_turn = await projected([joined, created, skills, interests])

    # v2 was dead-lettered; v3 was applied; then v2 is retried.
    late = await projected([joined, created], [interests], [skills])
    assert late.models() != in_turn.models(), "the ledger takes v2 for a duplicate"
    await reproject(late, [created, skills, interests])

    assert late.models() == in_turn.models()
    entry = late.models()["directory"][directory_id(event.team, event.person)]
    assert entry["skill_ids"] == ["esco.maps"] and entry["interests"] == ["zines"]


async def test_a_late_membership_event_lands_as_in_order() -> None:
    event = Recorded()
    joined = event.joined(["mentee"])
    created = event(p.ProfileCreated(display_name="Ada"))
    by = uuid4()
    role = t.MemberRoleChanged(person_id=event.person, roles=["mentor"], changed_by=by)
    changed = event(role, event.team, team=True)
    capacity = t.MentorCapacityChanged(
        person_id=event.person, mentor_capacity=4, changed_by=by
    )
    limited = event(capacity, event.team, team=True)
    in_turn = await projected([joined, created, changed, limited])

    late = await projected([joined, created], [limited], [changed])
    await reproject(late, [joined, changed, limited])

    assert late.models() == in_turn.models()


async def test_a_late_group_event_lands_as_in_order_on_the_members_entries() -> None:
    event = Recorded()
    joined = event.joined(["mentee"])
    by = uuid4()
    made = t.GroupCreated(name="Maps", member_ids=[], origin="manual", created_by=by)
    created = event(made, event.group, team=True)
    added = event(
        t.GroupMemberAdded(person_id=event.person, added_by=by), event.group, True
    )
    removed = event(
        t.GroupMemberRemoved(person_id=event.person, removed_by=by), event.group, True
    )
    renamed = event(t.GroupRenamed(name="Atlases", renamed_by=by), event.group, True)
    in_turn = await projected([joined, created, added, removed, renamed])

    late = await projected([joined, created, added], [renamed], [removed])
    await reproject(late, [created, added, removed, renamed])

    assert late.models() == in_turn.models()
    entry = late.models()["directory"][directory_id(event.team, event.person)]
    assert entry["group_ids"] == []


async def test_a_history_shorter_than_what_was_applied_is_refused() -> None:
    event = Recorded()
    created = event(p.ProfileCreated(display_name="Ada"))
    skills = event(SKILLS)
    store = await projected([created, skills])

    with pytest.raises(HistoryBehind):
        await reproject(store, [created])


async def test_copies_of_an_event_in_a_history_count_once() -> None:
    event = Recorded()
    created = event(p.ProfileCreated(display_name="Ada"))
    skills = event(SKILLS)

    assert in_order([skills, created, skills]) == [created, skills]
