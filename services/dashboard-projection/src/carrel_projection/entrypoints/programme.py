"""A team's programme page: what it offers, its open mentor places, how to join.

The page is for people who are not members yet, so unlike every other read it
does not start from a membership. The team's setting decides who may read it:
``public`` pages answer anyone the gateway lets through, ``members`` pages only
the team's members; anyone else gets the same 404 as for a team that does not
exist. Only counts and skill ids leave here, never a person.
"""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, HTTPException, Path, Query, status

from carrel_projection.adapters import queries
from carrel_projection.domain.documents import Model
from carrel_projection.entrypoints.dependencies import Member, Reads
from carrel_projection.entrypoints.views import View

router = APIRouter(prefix="/api/v1/teams/{team_id}", tags=["programme"])


class OpenPlaces(View):
    skill_id: str
    mentors: int
    places: int


class ProgrammePage(View):
    team_id: str
    name: str
    kind: str | None
    summary: str
    visible_to: str
    mode: str
    cohort_starts_on: str | None
    cohort_ends_on: str | None
    members: int
    mentors: int
    mentees: int
    mentors_with_places: int
    open_places: int
    open_places_by_skill: list[OpenPlaces]
    referrals_need_approval: bool


@router.get("/programme")
async def read_programme(
    team_id: Annotated[UUID, Path()],
    reads: Reads,
    x_carrel_member: Annotated[UUID | None, Header()] = None,
) -> ProgrammePage:
    """The programme page, if the team shows it to this caller."""
    team = await reads.get(Model.TEAMS, str(team_id))
    if team is None or not await _may_read(reads, team, x_carrel_member):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such team")
    answer = await reads.search(
        Model.DIRECTORY, queries.programme_query(team["team_id"])
    )
    return _page(team, answer["hits"]["total"]["value"], answer["aggregations"])


class ResponseTimes(View):
    typical_response_hours: dict[str, float | None]
    """Per mentor: median hours to first answer a request; None before any."""
    display_names: dict[str, str]
    """Per mentor: the name, for mentors of another team of the pool too."""


@router.get("/mentors/response-times")
async def read_response_times(
    caller: Member,
    reads: Reads,
    mentor_id: Annotated[list[UUID], Query(max_length=50)],
) -> ResponseTimes:
    """How quickly each of these mentors usually answers, for the candidates page.

    Only mentors of the caller's team, or of a consortium pool it shares in.
    """
    pool = await reads.shared_pool(caller.team_id)
    mentors = await reads.pool_mentors(pool, [str(m) for m in mentor_id])
    return ResponseTimes(
        typical_response_hours={
            m["person_id"]: m.get("typical_response_hours") for m in mentors
        },
        display_names={m["person_id"]: m.get("display_name", "") for m in mentors},
    )


async def _may_read(reads: Reads, team: dict[str, Any], caller: UUID | None) -> bool:
    if team.get("programme_page_visible_to") == "public":
        return True
    if caller is None:
        return False
    return await reads.membership(team["team_id"], str(caller)) is not None


def _page(team: dict[str, Any], members: int, aggs: dict[str, Any]) -> ProgrammePage:
    offering = aggs["offering"]
    return ProgrammePage(
        team_id=team["team_id"],
        name=team["name"],
        kind=team["kind"],
        summary=team.get("programme_summary") or "",
        visible_to=team.get("programme_page_visible_to") or "members",
        mode=team["mode"],
        cohort_starts_on=team.get("cohort_starts_on"),
        cohort_ends_on=team.get("cohort_ends_on"),
        members=members,
        mentors=aggs["mentors"]["doc_count"],
        mentees=aggs["mentees"]["doc_count"],
        mentors_with_places=offering["doc_count"],
        open_places=int(offering["places"]["value"]),
        open_places_by_skill=[
            OpenPlaces(
                skill_id=b["key"],
                mentors=b["doc_count"],
                places=int(b["places"]["value"]),
            )
            for b in offering["skills"]["buckets"]
        ],
        referrals_need_approval=team.get("referrals_need_approval", True),
    )
