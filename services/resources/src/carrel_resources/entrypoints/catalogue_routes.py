"""Routes of the central index: search it, add an entry, retire and restore one."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from carrel_resources.domain.entries import EntryDraft
from carrel_resources.domain.errors import UnknownResource
from carrel_resources.domain.urls import normalise_url
from carrel_resources.entrypoints.api_models import (
    EntryIn,
    EntryOut,
    EntryPage,
    Restoration,
    Retirement,
)
from carrel_resources.entrypoints.dependencies import App, Correlation, Operator
from carrel_resources.views import EntryFilter

router = APIRouter(prefix="/api/v1/catalogue", tags=["central index"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]


@router.get("/entries")
def search_entries(
    application: App,
    topic: str | None = None,
    resource_type: str | None = None,
    skill_id: str | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> EntryPage:
    """Entries of the central index that fit every filter given."""
    wanted = EntryFilter(topic, resource_type, skill_id, q)
    with application.reading() as view:
        found = [e for e in view.entries_for(None) if wanted.admits(e)]
        found.sort(key=lambda e: e.title.casefold())
        page = [EntryOut.of(e) for e in found[offset : offset + limit]]
    return EntryPage(total=len(found), entries=page)


@router.get("/entries/{resource_id}")
def read_entry(application: App, resource_id: UUID) -> EntryOut:
    """One entry of the central index, retired or not."""
    with application.reading() as view:
        entry = view.entries.get(resource_id)
        if entry is None or entry.kind != "central":
            raise UnknownResource(resource_id)
        return EntryOut.of(entry)


@router.post("/entries", status_code=status.HTTP_201_CREATED)
def add_entry(
    application: App, body: EntryIn, operator: Operator, correlation: Correlation
) -> EntryOut:
    """Add an entry to the central index; a URL already there answers 409.

    The 409 says whether that entry is retired; if so, restore it instead.
    """
    draft = EntryDraft(
        url=normalise_url(body.url),
        title=body.title,
        resource_type=body.resource_type,
        topics=list(dict.fromkeys(body.topics)),
        description=body.description,
    )
    resource = application.catalogue(
        draft, catalogued_by=operator, correlation_id=correlation
    )
    return read_entry(application, resource.id)


@router.post("/entries/{resource_id}/retirement")
def retire_entry(
    application: App,
    resource_id: UUID,
    body: Retirement,
    operator: Operator,
    correlation: Correlation,
) -> EntryOut:
    """Retire an entry: it stays readable but is no longer found or shared.

    Members it was already shared with may still mark it opened or completed.
    """
    application.retire(
        resource_id,
        reason=body.reason,
        retired_by=operator,
        expected_version=body.expected_version,
        correlation_id=correlation,
    )
    return read_entry(application, resource_id)


@router.post("/entries/{resource_id}/restoration")
def restore_entry(
    application: App,
    resource_id: UUID,
    body: Restoration,
    operator: Operator,
    correlation: Correlation,
) -> EntryOut:
    """Restore a retired entry: it is found, shared and recommended again."""
    application.restore(
        resource_id,
        reason=body.reason,
        restored_by=operator,
        expected_version=body.expected_version,
        correlation_id=correlation,
    )
    return read_entry(application, resource_id)
