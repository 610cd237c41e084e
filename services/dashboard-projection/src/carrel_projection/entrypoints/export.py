"""A read-only CSV export of one team's read models, streamed as it is read.

Columns are listed here, model by model: internal bookkeeping (ledgers,
per-mentorship records, goal details, activity facts) is never exported, and
the directory exports members only. Lists are joined with ``;``.

Only the team's coordinators may export. An export is the programme's
analyst tool: it lists every member, every pairing and everyone's progress,
whatever the team's settings let a mentor or a mentee see in the directory
(mentees are hidden from other mentees by default), so a member who may see
only part of the team must not download all of it. Mentors and mentees read
what they may see through the directory and the dashboard.
"""

import csv
import io
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from fastapi.responses import StreamingResponse

from carrel_projection.adapters import queries
from carrel_projection.adapters.reads import ReadModels
from carrel_projection.domain.documents import Document, Model
from carrel_projection.entrypoints.dependencies import Coordinator, Reads

router = APIRouter(prefix="/api/v1/teams/{team_id}/export", tags=["export"])

ExportedModel = Literal[
    "directory", "groups", "mentorships", "shares", "progress", "material", "activity"
]

COLUMNS: dict[str, tuple[Model, tuple[str, ...]]] = {
    "directory": (
        Model.DIRECTORY,
        (
            "person_id",
            "display_name",
            "roles",
            "joined_at",
            "headline",
            "current_role",
            "institution",
            "years_of_experience",
            "has_library_degree",
            "languages",
            "skill_ids",
            "interests",
            "learning_goals",
            "aspirations",
            "city",
            "region",
            "country",
            "time_zone",
            "mentoring_roles",
            "meeting_preference",
            "available",
            "paused_until",
            "match_status",
            "mentor_capacity",
            "active_mentees",
            "at_capacity",
            "pending_requests",
            "mentor_ids",
            "mentee_ids",
            "group_ids",
        ),
    ),
    "groups": (
        Model.GROUPS,
        ("group_id", "name", "origin", "member_count", "member_ids", "archived"),
    ),
    "mentorships": (
        Model.MENTORSHIPS,
        (
            "mentorship_id",
            "mentor_id",
            "mentee_id",
            "status",
            "requested_at",
            "accepted_at",
            "closed_at",
            "outcome",
            "choice",
            "sessions",
            "session_minutes",
            "last_session_on",
            "goals_set",
            "goals_done",
        ),
    ),
    "shares": (
        Model.SHARES,
        (
            "share_id",
            "resource_id",
            "audience",
            "group_id",
            "recipient_count",
            "recipient_ids",
            "shared_by",
            "shared_at",
        ),
    ),
    "progress": (
        Model.PROGRESS,
        ("progress_id", "resource_id", "member_id", "opened_at", "completed_at"),
    ),
    "material": (
        Model.RESOURCES,
        ("resource_id", "title", "url", "status", "skill_ids", "updated_at"),
    ),
    "activity": (
        Model.ACTIVITY,
        ("event_id", "event_type", "occurred_at", "actor_id", "subject_ids"),
    ),
}


# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A document's value as a CSV cell that no spreadsheet will run."""
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


async def csv_rows(
    reads: ReadModels, team_id: str, model_name: str
) -> AsyncIterator[str]:
    """The header, then one line per document of the team."""
    model, columns = COLUMNS[model_name]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    body = queries.export_query(team_id, members_only=model is Model.DIRECTORY)
    async for page in _pages(reads.scan(model, body)):
        if model is Model.GROUPS:
            page = await reads.with_current_members(team_id, page)
        for document in page:
            writer.writerow([csv_cell(document.get(c)) for c in columns])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


async def _pages(
    documents: AsyncIterator[Document], size: int = 500
) -> AsyncIterator[list[Document]]:
    page: list[Document] = []
    async for document in documents:
        page.append(document)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


@router.get("/{model}.csv", response_class=StreamingResponse)
async def export_csv(
    caller: Coordinator, reads: Reads, model: Annotated[ExportedModel, Path()]
) -> StreamingResponse:
    """One of the team's read models as CSV, streamed; coordinators only."""
    disposition = f'attachment; filename="{caller.team_id}-{model}.csv"'
    return StreamingResponse(
        csv_rows(reads, caller.team_id, model),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )
