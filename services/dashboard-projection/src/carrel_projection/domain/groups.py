"""Groups of a team: their names, members and sizes."""

from typing import Any

from carrel_events.contracts import teams as events
from carrel_events.serialisation import DecodedEvent

from carrel_projection.domain.documents import Document, mark_applied, stamped


def new_group(group_id: str, team_id: str) -> Document:
    return {
        "group_id": group_id,
        "team_id": team_id,
        "name": "",
        "origin": None,
        "member_ids": [],
        "member_count": 0,
        "archived": False,
        "applied": {},
    }


def apply(group: Document, event: DecodedEvent) -> Document:
    """``group`` after one of its events (the caller checks the ledger)."""
    changed = _changed(group, event)
    counted = {**changed, "member_count": len(changed["member_ids"])}
    return stamped(mark_applied(counted, event), event)


def _changed(group: Document, event: DecodedEvent) -> Document:
    payload: Any = event.payload
    if isinstance(payload, events.GroupCreated):
        return {
            **group,
            "name": payload.name,
            "origin": payload.origin,
            "member_ids": sorted({str(m) for m in payload.member_ids}),
            "created_at": event.envelope.occurred_at.isoformat(),
        }
    if isinstance(payload, events.GroupRenamed):
        return {**group, "name": payload.name}
    if isinstance(payload, events.GroupArchived):
        return {**group, "archived": True}
    if isinstance(payload, events.GroupMemberAdded):
        members = {*group["member_ids"], str(payload.person_id)}
        return {**group, "member_ids": sorted(members)}
    if isinstance(payload, events.GroupMemberRemoved):
        removed = str(payload.person_id)
        return {**group, "member_ids": [m for m in group["member_ids"] if m != removed]}
    return group


def touched_people(group: Document, event: DecodedEvent) -> set[str]:
    """Whose directory entries must learn this group's membership anew."""
    named = getattr(event.payload, "person_id", None)
    return {*group["member_ids"], *([str(named)] if named else [])}


def includes(group: Document, person_id: str) -> bool:
    return not group["archived"] and person_id in group["member_ids"]
