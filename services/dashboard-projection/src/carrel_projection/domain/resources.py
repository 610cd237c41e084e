"""Resources, their shares and each member's progress with them.

Central-index entries have no team; a team sees them through its shares.
Material belongs to the team that published it. Material bodies are not
indexed: only titles, links and skills are searchable.
"""

from typing import Any

from carrel_events.contracts import resources as events
from carrel_events.serialisation import DecodedEvent

from carrel_projection.domain.documents import Document, mark_applied, stamped


def new_resource(resource_id: str, team_id: str | None) -> Document:
    return {
        "resource_id": resource_id,
        "team_id": team_id,
        "kind": None,
        "title": "",
        "url": None,
        "resource_type": None,
        "topics": [],
        "skill_ids": [],
        "status": "active",
        "applied": {},
    }


def apply_resource(resource: Document, event: DecodedEvent) -> Document:
    """``resource`` after a resource or material event (ledger checked by caller)."""
    return stamped(mark_applied(_resource(resource, event.payload), event), event)


def _resource(resource: Document, payload: Any) -> Document:
    if isinstance(payload, events.ResourceCatalogued):
        return {
            **resource,
            "kind": "catalogued",
            "title": payload.title,
            "url": payload.url,
            "resource_type": payload.resource_type,
            "topics": list(payload.topics),
            "skill_ids": [t.skill_id for t in payload.skill_tags],
        }
    if isinstance(payload, events.MaterialPublished | events.MaterialRevised):
        links = [link.url for link in payload.links]
        return {
            **resource,
            "kind": "material",
            "title": payload.title,
            "url": links[0] if links else None,
            "resource_type": "material",
            "skill_ids": [t.skill_id for t in payload.skill_tags],
        }
    if isinstance(payload, events.ResourceRetired):
        return {**resource, "status": "retired"}
    if isinstance(payload, events.ResourceRestored):
        return {**resource, "status": "active"}
    if isinstance(payload, events.ResourceRestored):
        return {**resource, "status": "active"}
    if isinstance(payload, events.MaterialWithdrawn):
        return {**resource, "status": "withdrawn"}
    return resource


def new_share(event: DecodedEvent) -> Document:
    """The share a ``ResourceShared`` records (a share has no later events)."""
    payload = event.payload
    assert isinstance(payload, events.ResourceShared)
    share: Document = {
        "share_id": str(event.envelope.aggregate_id),
        "team_id": str(event.envelope.team_id),
        "resource_id": str(payload.resource_id),
        "audience": payload.audience.kind,
        "group_id": str(payload.audience.group_id)
        if payload.audience.group_id
        else None,
        "recipient_ids": sorted({str(r) for r in payload.recipients}),
        "recipient_count": len(set(payload.recipients)),
        "shared_by": str(payload.shared_by),
        "shared_at": event.envelope.occurred_at.isoformat(),
        "applied": {},
    }
    return stamped(mark_applied(share, event), event)


def new_progress(progress_id: str, team_id: str) -> Document:
    return {
        "progress_id": progress_id,
        "team_id": team_id,
        "resource_id": None,
        "member_id": None,
        "opened_at": None,
        "completed_at": None,
        "applied": {},
    }


def apply_progress(progress: Document, event: DecodedEvent) -> Document:
    """``progress`` after an open or a completion (the caller checks the ledger)."""
    payload = event.payload
    assert isinstance(payload, events.ResourceOpened | events.ResourceCompleted)
    when = event.envelope.occurred_at.isoformat()
    changed = {
        **progress,
        "resource_id": str(payload.resource_id),
        "member_id": str(payload.member_id),
        "opened_at": progress["opened_at"] or when,
    }
    if isinstance(payload, events.ResourceCompleted):
        changed["completed_at"] = changed["completed_at"] or when
    return stamped(mark_applied(changed, event), event)
