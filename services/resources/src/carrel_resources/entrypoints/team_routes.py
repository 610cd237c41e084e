"""Routes inside one team: its material, shares, progress and recommendations."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from pydantic import TypeAdapter, ValidationError

from carrel_resources.application import MaterialDraft, ResourcesApplication
from carrel_resources.domain.attachments import AttachedFile, accept_file
from carrel_resources.domain.audiences import AudienceChoice
from carrel_resources.domain.errors import RuleViolation, UnknownResource, UnknownShare
from carrel_resources.domain.urls import normalise_url
from carrel_resources.entrypoints.api_models import (
    AudienceOut,
    EntryOut,
    EntryPage,
    LinkIn,
    MaterialRevision,
    ProgressOut,
    ReceivedOut,
    RecipientOut,
    RecommendationOut,
    Recommendations,
    ShareIn,
    ShareOut,
    Withdrawal,
)
from carrel_resources.entrypoints.dependencies import ActingMember, App, Correlation
from carrel_resources.views import CatalogueView, EntryFilter, EntryView

router = APIRouter(prefix="/api/v1/teams", tags=["team resources"])

_LINKS = TypeAdapter(list[LinkIn])


@router.get("/{team_id}/resources")
def search_team_resources(
    application: App,
    team_id: UUID,
    topic: str | None = None,
    resource_type: str | None = None,
    skill_id: str | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> EntryPage:
    """The central index and the team's own material, filtered."""
    wanted = EntryFilter(topic, resource_type, skill_id, q)
    with application.reading() as view:
        found = [e for e in view.entries_for(team_id) if wanted.admits(e)]
        found.sort(key=lambda e: (e.kind != "material", e.title.casefold()))
        page = [EntryOut.of(e) for e in found[offset : offset + limit]]
    return EntryPage(total=len(found), entries=page)


@router.post("/{team_id}/materials", status_code=status.HTTP_201_CREATED)
def publish_material(
    application: App,
    team_id: UUID,
    acting: ActingMember,
    correlation: Correlation,
    title: Annotated[str, Form(min_length=1, max_length=300)],
    body_markdown: Annotated[str, Form(max_length=50_000)] = "",
    links: Annotated[str, Form(description="JSON array of {url, title}")] = "[]",
    skill_ids: Annotated[list[str] | None, Form()] = None,
    file: Annotated[UploadFile | None, File()] = None,
) -> EntryOut:
    """Publish the team's own material, with at most one attached file."""
    draft = MaterialDraft(title.strip(), body_markdown, _links(links), skill_ids or [])
    material = application.publish_material(
        team_id,
        draft,
        attachment=_attachment(application, file),
        published_by=acting,
        correlation_id=correlation,
    )
    return read_material(application, team_id, material.id)


@router.get("/{team_id}/materials/{material_id}")
def read_material(application: App, team_id: UUID, material_id: UUID) -> EntryOut:
    """One piece of the team's material."""
    with application.reading() as view:
        return EntryOut.of(_material_view(view, team_id, material_id))


@router.get("/{team_id}/materials/{material_id}/attachment")
def download_attachment(application: App, team_id: UUID, material_id: UUID) -> Response:
    """The file attached to the material, as it was uploaded."""
    with application.reading() as view:
        attachment = _material_view(view, team_id, material_id).attachment
    stored = application.files.get(attachment["sha256"]) if attachment else None
    if attachment is None or stored is None:
        raise UnknownResource(material_id)
    disposition = f'attachment; filename="{attachment["file_name"]}"'
    return Response(
        stored.content,
        media_type=stored.media_type,
        headers={"Content-Disposition": disposition},
    )


@router.put("/{team_id}/materials/{material_id}")
def revise_material(
    application: App,
    team_id: UUID,
    material_id: UUID,
    body: MaterialRevision,
    acting: ActingMember,
    correlation: Correlation,
) -> EntryOut:
    """Change the material's text, links and chosen skills."""
    links = [_normalised(link, index) for index, link in enumerate(body.links)]
    application.revise_material(
        team_id,
        material_id,
        MaterialDraft(body.title, body.body_markdown, links, body.skill_ids),
        revised_by=acting,
        expected_version=body.expected_version,
        correlation_id=correlation,
    )
    return read_material(application, team_id, material_id)


@router.post("/{team_id}/materials/{material_id}/withdrawal")
def withdraw_material(
    application: App,
    team_id: UUID,
    material_id: UUID,
    body: Withdrawal,
    acting: ActingMember,
    correlation: Correlation,
) -> EntryOut:
    """Withdraw the material: it is no longer found, shared or recommended."""
    application.withdraw_material(
        team_id,
        material_id,
        reason=body.reason,
        withdrawn_by=acting,
        expected_version=body.expected_version,
        correlation_id=correlation,
    )
    return read_material(application, team_id, material_id)


@router.post("/{team_id}/shares", status_code=status.HTTP_201_CREATED)
def share_resource(
    application: App,
    team_id: UUID,
    body: ShareIn,
    acting: ActingMember,
    correlation: Correlation,
) -> ShareOut:
    """Share a resource with the team, a group or chosen members, with a note.

    The audience is resolved to members now, as this service last heard from
    the teams service: a group or member changed in the last moments (a
    fraction of a second while Kafka is up) may not be reflected yet.
    """
    audience = AudienceChoice(
        body.audience.kind, body.audience.group_id, body.audience.member_ids
    )
    share = application.share(
        team_id,
        body.resource_id,
        audience,
        note=body.note,
        shared_by=acting,
        correlation_id=correlation,
    )
    return read_share(application, team_id, share.id)


@router.get("/{team_id}/shares/{share_id}")
def read_share(application: App, team_id: UUID, share_id: UUID) -> ShareOut:
    """A share and where each recipient got to with the resource."""
    with application.reading() as view:
        share = view.shares.get(share_id)
        if share is None or share.team_id != team_id:
            raise UnknownShare(share_id)
        recipients = [
            RecipientOut(
                member_id=m, state=view.state_of(team_id, m, share.resource_id)
            )
            for m in share.recipients
        ]
    return ShareOut(
        id=share.id,
        team_id=share.team_id,
        resource_id=share.resource_id,
        audience=AudienceOut.model_validate(share.audience),
        recipients=recipients,
        note=share.note,
        shared_by=share.shared_by,
        shared_at=share.shared_at,
    )


@router.get("/{team_id}/members/{member_id}/received")
def received_resources(
    application: App, team_id: UUID, member_id: UUID
) -> list[ReceivedOut]:
    """What was shared with the member in this team, newest first."""
    with application.reading() as view:
        shares = [view.shares[i] for i in view.received.get((team_id, member_id), [])]
        received = [
            ReceivedOut(
                share_id=s.id,
                resource_id=s.resource_id,
                title=view.entries[s.resource_id].title,
                note=s.note,
                shared_at=s.shared_at,
                state=view.state_of(team_id, member_id, s.resource_id),
            )
            for s in shares
        ]
    return sorted(received, key=lambda r: r.shared_at, reverse=True)


@router.post("/{team_id}/resources/{resource_id}/opening")
def open_resource(
    application: App,
    team_id: UUID,
    resource_id: UUID,
    acting: ActingMember,
    correlation: Correlation,
) -> ProgressOut:
    """The acting member opened the resource."""
    progress = application.open(team_id, resource_id, acting, correlation)
    state = "completed" if progress.completed else "opened"
    return ProgressOut(
        resource_id=resource_id, member_id=acting, state=state, version=progress.version
    )


@router.post("/{team_id}/resources/{resource_id}/completion")
def complete_resource(
    application: App,
    team_id: UUID,
    resource_id: UUID,
    acting: ActingMember,
    correlation: Correlation,
) -> ProgressOut:
    """The acting member completed the resource."""
    progress = application.complete(team_id, resource_id, acting, correlation)
    return ProgressOut(
        resource_id=resource_id,
        member_id=acting,
        state="completed",
        version=progress.version,
    )


@router.get("/{team_id}/members/{member_id}/recommendations")
def recommend_resources(
    application: App,
    team_id: UUID,
    member_id: UUID,
    goal: Annotated[list[str] | None, Query(max_length=50)] = None,
) -> Recommendations:
    """Resources meeting the member's learning goals that they have not completed.

    Goals come from the member's profile; ``goal`` parameters replace them.
    """
    found = application.recommendations(team_id, member_id, goal)
    goals = goal if goal is not None else application.directory.goals_of(member_id)
    return Recommendations(
        member_id=member_id,
        goals=goals,
        goals_from="query" if goal is not None else "profile",
        recommendations=[RecommendationOut(**vars(r)) for r in found],
    )


def _material_view(view: CatalogueView, team_id: UUID, material_id: UUID) -> EntryView:
    entry = view.entries.get(material_id)
    if entry is None or entry.kind != "material" or entry.team_id != team_id:
        raise UnknownResource(material_id)
    return entry


def _links(raw: str) -> list[dict[str, str]]:
    try:
        links = _LINKS.validate_json(raw)
    except ValidationError as error:
        first = error.errors()[0]
        loc = ("links", *first["loc"])
        raise RuleViolation(loc, first["msg"], first["type"]) from None
    return [_normalised(link, index) for index, link in enumerate(links)]


def _normalised(link: LinkIn, index: int) -> dict[str, str]:
    url = normalise_url(link.url, loc=("links", index, "url"))
    return {"url": url, "title": link.title}


def _attachment(
    application: ResourcesApplication, file: UploadFile | None
) -> AttachedFile | None:
    if file is None:
        return None
    limit = application.max_attachment_bytes
    content = file.file.read(limit + 1)
    return accept_file(file.filename or "attachment", content, limit)
