"""The read API: directory search, dashboard, activity, groups and resources.

Every route takes the caller through :data:`Member`, and every query it runs
starts from that team's filter.
"""

import logging
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status

from carrel_projection.adapters import queries
from carrel_projection.adapters.queries import DirectorySearch, Sort
from carrel_projection.adapters.reads import ReadModels
from carrel_projection.domain.documents import Model
from carrel_projection.entrypoints import views
from carrel_projection.entrypoints.dependencies import Caller, Member, Reads, Settings

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/teams/{team_id}", tags=["read models"])

Terms = Annotated[list[str], Query(max_length=50)]


def _near(near: str | None) -> tuple[float, float] | None:
    if near is None:
        return None
    try:
        lat, lon = (float(part) for part in near.split(","))
    except ValueError:
        lat = lon = 1000.0
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        detail = [
            {
                "loc": ["query", "near"],
                "msg": "near is 'lat,lon' in degrees",
                "type": "value_error",
            }
        ]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)
    return lat, lon


# OpenSearch's index.max_result_window: a page must end within the first
# 10,000 hits, or the search fails. Deeper pages need search_after, which the
# directory does not offer; a narrower filter reaches the same members.
MAX_RESULT_WINDOW = 10_000


def _window(offset: int, size: int) -> None:
    if offset + size <= MAX_RESULT_WINDOW:
        return
    detail = [
        {
            "loc": ["query", "offset"],
            "msg": f"offset + size must be at most {MAX_RESULT_WINDOW}",
            "type": "value_error",
            "input": {"offset": offset, "size": size},
        }
    ]
    raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)


@router.get("/directory")
async def search_directory(
    caller: Member,
    reads: Reads,
    q: Annotated[str, Query(max_length=200)] = "",
    skill: Terms = [],  # noqa: B006 - FastAPI copies query defaults
    interest: Terms = [],  # noqa: B006
    region: Terms = [],  # noqa: B006
    role: Terms = [],  # noqa: B006
    match_status: Terms = [],  # noqa: B006
    available: bool | None = None,
    near: Annotated[str | None, Query(pattern=r"^-?[0-9.]+,-?[0-9.]+$")] = None,
    within_km: Annotated[float | None, Query(gt=0, le=20000)] = None,
    sort: Sort = "relevance",
    offset: Annotated[int, Query(ge=0, le=MAX_RESULT_WINDOW - 1)] = 0,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> views.DirectoryPage:
    """Search the team's members: full text, facets, distance, sorting."""
    _window(offset, size)
    hidden = await _hidden_from(caller, reads)
    search = DirectorySearch(
        text=q,
        skills=tuple(skill),
        interests=tuple(interest),
        regions=tuple(region),
        roles=tuple(role),
        available=available,
        match_status=tuple(match_status),
        near=_near(near),
        within_km=within_km,
        sort=sort,
        offset=offset,
        size=size,
        hidden_roles=hidden,
    )
    answer = await reads.directory(caller.team_id, search, caller.person_id)
    return views.directory_page(answer, by_distance=sort == "distance" and bool(near))


async def _hidden_from(caller: Caller, reads: ReadModels) -> tuple[str, ...]:
    """Roles whose members the team's settings hide from the caller."""
    team = await reads.get(Model.TEAMS, caller.team_id) or {}
    viewer = queries.Viewer(caller.person_id, caller.roles)
    return queries.hidden_roles(
        viewer,
        team.get("mentors_visible_to", "team"),
        team.get("mentees_visible_to", "mentors"),
    )


@router.get("/dashboard")
async def read_dashboard(
    caller: Member,
    reads: Reads,
    settings: Settings,
    stalled_after_days: Annotated[int | None, Query(ge=1, le=365)] = None,
) -> views.Dashboard:
    """The team's dashboard: members, matching, load, sessions, skills, groups."""
    days = stalled_after_days or settings.stalled_after_days
    member_teams = await reads.consortium_scope(caller.team_id)
    sharing = [t["team_id"] for t in member_teams if t["consenting"]]
    answers = await reads.dashboard([caller.team_id, *sharing], days)
    return views.dashboard(answers, days, member_teams)


@router.get("/activity")
async def read_activity(
    caller: Member,
    reads: Reads,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[str | None, Query(pattern=r"^[0-9]+:[0-9a-f-]{36}$")] = None,
) -> views.ActivityPage:
    """The team's activity feed, newest first, with members' names.

    People are shown as the directory shows them: a viewer from whom the
    team's settings hide a role (mentees, by default, from other mentees)
    gets neither the names nor the ids of its members, nor of people who are
    no longer members.
    """
    cursor = None
    if before is not None:
        millis, _, event_id = before.partition(":")
        cursor = (int(millis), event_id)
    body = queries.activity_query(caller.team_id, size, cursor)
    hits = (await reads.search(Model.ACTIVITY, body))["hits"]["hits"]
    people = {
        p
        for h in hits
        for p in [h["_source"]["actor_id"], *h["_source"]["subject_ids"]]
        if p
    }
    members = await reads.members_among(caller.team_id, people)
    hidden = await _hidden_from(caller, reads)
    shown = {
        p
        for p, m in members.items()
        if queries.may_see(hidden, caller.person_id, p, m["roles"])
    }
    names = {p: m["display_name"] for p, m in members.items() if p in shown}
    seen = _Seen(names, shown if hidden else None)
    entries = [_activity_entry(h["_source"], seen) for h in hits]
    last = hits[-1]["sort"] if len(hits) == size else None
    return views.ActivityPage(
        entries=entries, next_before=f"{last[0]}:{last[1]}" if last else None
    )


@dataclass(frozen=True)
class _Seen:
    """Whom a viewer of the feed may see: names, and ids (None: every id)."""

    names: dict[str, str]
    ids: set[str] | None

    def shows(self, person_id: str | None) -> bool:
        return person_id is not None and (self.ids is None or person_id in self.ids)


def _activity_entry(source: dict[str, Any], seen: _Seen) -> views.ActivityEntry:
    actor = source["actor_id"] if seen.shows(source["actor_id"]) else None
    subjects = [s for s in source["subject_ids"] if seen.shows(s)]
    return views.ActivityEntry(
        event_id=source["event_id"],
        event_type=source["event_type"],
        occurred_at=source["occurred_at"],
        actor_id=actor,
        actor_name=seen.names.get(actor) if actor else None,
        subject_ids=subjects,
        subject_names=[seen.names[s] for s in subjects if s in seen.names],
        facts=source["facts"],
    )


@router.get("/groups")
async def list_groups(
    caller: Member, reads: Reads, archived: bool = False
) -> list[views.Group]:
    """The team's groups with their current members and sizes."""
    body = queries.groups_query(caller.team_id, include_archived=archived)
    hits = (await reads.search(Model.GROUPS, body))["hits"]["hits"]
    groups = [h["_source"] for h in hits]
    current = await reads.with_current_members(caller.team_id, groups)
    return [views.Group.of(group) for group in current]


@router.get("/resources")
async def list_resources(caller: Member, reads: Reads) -> views.TeamResources:
    """Resources shared in the team, with whom and how far they got; its material."""
    shares = await reads.search(Model.SHARES, queries.shares_query(caller.team_id))
    progress = await reads.search(
        Model.PROGRESS, queries.progress_by_resource_query(caller.team_id)
    )
    material = await reads.search(
        Model.RESOURCES, queries.material_query(caller.team_id)
    )
    share_docs = [h["_source"] for h in shares["hits"]["hits"]]
    resources = await reads.resources_by_id({s["resource_id"] for s in share_docs})
    use = {
        b["key"]: (b["doc_count"], b["completed"]["doc_count"])
        for b in progress["aggregations"]["resources"]["buckets"]
    }
    return views.TeamResources(
        shared=[
            _shared(s, resources.get(s["resource_id"], {}), use) for s in share_docs
        ],
        material=[views.Material.of(h["_source"]) for h in material["hits"]["hits"]],
    )


def _shared(
    share: dict[str, Any], resource: dict[str, Any], use: dict[str, tuple[int, int]]
) -> views.SharedResource:
    opened, completed = use.get(share["resource_id"], (0, 0))
    return views.SharedResource(
        **{k: v for k, v in share.items() if k in views.SharedResource.model_fields},
        title=resource.get("title"),
        url=resource.get("url"),
        resource_status=resource.get("status"),
        opened=opened,
        completed=completed,
    )
