"""The read API of matching, and ``python -m`` to serve it on port 8104.

Every answer is limited to the caller's team by the one dependency
:func:`~carrel_matching.entrypoints.dependencies.team_member`.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from uuid import UUID

import uvicorn
from carrel_events.clients import kafka_options
from carrel_events.observability import configure_logging, load_settings, observe
from carrel_vocabulary import load_vocabulary
from fastapi import APIRouter, FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Connection, text

from carrel_matching.adapters import candidate_store, directory
from carrel_matching.adapters.outbox import OutboxPublisher
from carrel_matching.adapters.tables import connect, create_tables
from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.domain import empty_lists
from carrel_matching.domain.candidates import Candidate
from carrel_matching.domain.empty_lists import EmptyList
from carrel_matching.domain.people import SkillCatalogue, Weights
from carrel_matching.domain.reasons import told_to_mentor
from carrel_matching.entrypoints.dependencies import (
    Db,
    Plans,
    TeamCoordinator,
    TeamMember,
    allowed_to_see,
)
from carrel_matching.entrypoints.views import (
    CandidatesView,
    Comparison,
    ComparisonRequest,
    FittingMenteesView,
    GroupRequest,
    GroupSuggestion,
    PairingOptions,
    PairingPreview,
    PublishedPairing,
)
from carrel_matching.planning import (
    AlreadyPublished,
    Coordination,
    PairingRequest,
    UnknownPairing,
    compare,
)
from carrel_matching.settings import MatchingSettings

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/teams/{team_id}")


@router.get("/mentees/{mentee_id}/candidates")
def mentor_candidates(
    mentee_id: UUID, caller: TeamMember, db: Db, request: Request
) -> CandidatesView:
    """The mentee's best mentors in the team, with reasons; or why there are none."""
    allowed_to_see(caller, mentee_id)
    empty: EmptyList | None = None
    with db.connect() as c:
        stored = candidate_store.candidates_of(c, caller.team_id, mentee_id)
        if not stored:
            empty = _why_empty(c, caller.team_id, mentee_id, request.app.state.skills)
    return CandidatesView.model_validate(
        {
            "team_id": caller.team_id,
            "mentee_id": mentee_id,
            "candidates": [
                {
                    "mentor_id": s.mentor_id,
                    "rank": s.rank,
                    "score": s.score,
                    "breakdown": s.breakdown,
                    "reasons": s.reasons,
                }
                for s in stored
            ],
            "empty_because": None if empty is None else vars(empty),
        }
    )


def _why_empty(
    c: Connection, team_id: UUID, mentee_id: UUID, skills: SkillCatalogue
) -> EmptyList:
    roles = directory.roles_in(c, team_id, mentee_id)
    if roles is None or "mentee" not in roles:
        return empty_lists.NOT_A_MENTEE
    # The transaction that stored the membership also ranked the team, so a
    # mentee matching knows of has been ranked.
    pool = directory.load_pool(c, team_id)
    if pool is None:
        return empty_lists.NOT_RANKED_YET
    mentee = next(p for p in pool.mentees if p.person_id == mentee_id)
    return empty_lists.why_empty(mentee, pool.mentors, pool.rules, skills)


@router.get("/mentors/{mentor_id}/fitting-mentees")
def fitting_mentees(
    mentor_id: UUID,
    caller: TeamMember,
    db: Db,
    request: Request,
    limit: int = Query(default=20, ge=1, le=200),
) -> FittingMenteesView:
    """Mentees of the team whose candidate lists hold this mentor, best fit first."""
    allowed_to_see(caller, mentor_id)
    with db.connect() as c:
        stored = candidate_store.fitting_mentees(c, caller.team_id, mentor_id, limit)
        told = _told_to_mentor(c, caller.team_id, mentor_id, stored, request)
    return FittingMenteesView.model_validate(
        {
            "team_id": caller.team_id,
            "mentor_id": mentor_id,
            "mentees": [
                {
                    "mentee_id": s.mentee_id,
                    "rank": s.rank,
                    "score": s.score,
                    "reasons": told.get(s.mentee_id, []),
                }
                for s in stored
            ],
        }
    )


def _told_to_mentor(
    c: Connection,
    team_id: UUID,
    mentor_id: UUID,
    stored: list[candidate_store.StoredCandidate],
    request: Request,
) -> dict[UUID, list[str]]:
    """Each listed pair's reasons without what the mentee keeps from the mentor.

    The stored reasons are the mentee's, and speak freely of the mentee's own
    goals and place; they are told again here with the mentee's visibility.
    A pair whose people matching no longer knows gets no reasons at all.
    """
    found = directory.team_rules(c, team_id)
    if not stored or found is None:
        return {}
    rules, default_capacity = found
    wanted = {mentor_id} | {s.mentee_id for s in stored}
    mentees, mentors = directory.load_people(c, team_id, wanted, default_capacity)
    mentor, skills = mentors.get(mentor_id), request.app.state.skills
    told: dict[UUID, list[str]] = {}
    for s in stored:
        mentee = mentees.get(s.mentee_id)
        if mentor is None or mentee is None:
            continue
        candidate = Candidate(s.score, mentor_id, s.base_score, s.damping)
        told[s.mentee_id] = told_to_mentor(mentee, mentor, candidate, rules, skills)
    return told


def _request(options: PairingOptions) -> PairingRequest:
    weights = None
    if options.weights is not None:
        weights = Weights(**options.weights.model_dump())
    return PairingRequest(options.objective, options.min_score, weights)


@router.post("/pairings/previews", status_code=201)
async def preview_pairing(
    options: PairingOptions, caller: TeamCoordinator, plans: Plans
) -> PairingPreview:
    """Pair all unmatched mentees with mentors within capacity, as a preview."""
    preview = await asyncio.to_thread(
        plans.preview, caller.team_id, _request(options), caller.member_id
    )
    return PairingPreview.model_validate(preview)


@router.post("/pairings/comparisons")
async def compare_pairings(
    request: ComparisonRequest, caller: TeamCoordinator, plans: Plans
) -> Comparison:
    """Two previews with different options, side by side, and what differs."""
    first, second = await asyncio.gather(
        asyncio.to_thread(
            plans.preview, caller.team_id, _request(request.first), caller.member_id
        ),
        asyncio.to_thread(
            plans.preview, caller.team_id, _request(request.second), caller.member_id
        ),
    )
    return Comparison.model_validate(
        {"first": first, "second": second, "differences": compare(first, second)}
    )


@router.post("/pairings/previews/{pairing_id}/publication", status_code=202)
async def publish_pairing(
    pairing_id: UUID, caller: TeamCoordinator, plans: Plans, request: Request
) -> PublishedPairing:
    """Publish a preview: each pair goes out as a proposal on matching.events."""
    try:
        preview = await asyncio.to_thread(
            plans.publish, caller.team_id, pairing_id, caller.member_id
        )
    except UnknownPairing:
        raise HTTPException(404, "no such pairing preview") from None
    except AlreadyPublished:
        raise HTTPException(409, "this preview is already published") from None
    await _drain(request)
    return PublishedPairing(pairing_id=pairing_id, pairs=len(preview["pairs"]))


@router.post("/group-suggestions", status_code=201)
async def suggest_groups(
    body: GroupRequest, caller: TeamCoordinator, plans: Plans, request: Request
) -> GroupSuggestion:
    """Split the team into groups by geography or interests, with what each shares."""
    suggestion = await asyncio.to_thread(
        plans.suggest_groups,
        caller.team_id,
        body.basis,
        body.smallest,
        body.largest,
        set(body.roles),
        caller.member_id,
    )
    await _drain(request)
    return GroupSuggestion.model_validate(suggestion)


async def _drain(request: Request) -> None:
    publisher: OutboxPublisher | None = request.app.state.publisher
    if publisher is None:
        return
    try:
        await publisher.drain()
    except Exception as error:
        # The events stay in the outbox; the consumer process drains it too.
        logger.warning("could not publish matching events now: %s", error)


def create_app(settings: MatchingSettings, publish: bool = True) -> FastAPI:
    """The FastAPI app on the service's database; ``publish`` drains the outbox."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = connect(settings.database_url, settings.matching_schema)
        await asyncio.to_thread(create_tables, engine)
        skills = VocabularySkills(load_vocabulary(settings.data_dir))
        app.state.engine = engine
        app.state.skills = skills
        app.state.coordination = Coordination(engine, skills, settings.matching_topic)
        app.state.publisher = None
        if publish:
            app.state.publisher = OutboxPublisher(engine, kafka_options(settings))
            await app.state.publisher.start()
        try:
            yield
        finally:
            if app.state.publisher is not None:
                await app.state.publisher.stop()
            engine.dispose()

    app = FastAPI(title="Carrel matching", version="1", lifespan=lifespan)
    observe(app, "matching")
    app.include_router(router)
    _add_request_limit(app, settings.max_request_bytes)
    _add_health(app)
    return app


def _add_health(app: FastAPI) -> None:
    @app.get("/health/live", include_in_schema=False)
    def live() -> dict[str, str]:
        """The process answers."""
        return {"status": "live"}

    @app.get("/health/ready", include_in_schema=False)
    def ready(request: Request) -> JSONResponse:
        """The process can reach its database."""
        try:
            with request.app.state.engine.connect() as c:
                c.execute(text("SELECT 1"))
        except Exception as error:
            logger.warning("not ready: %s", error)
            return JSONResponse({"status": "not ready"}, status_code=503)
        return JSONResponse({"status": "ready"})


def _add_request_limit(app: FastAPI, limit: int) -> None:
    @app.middleware("http")
    async def limit_body(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return JSONResponse({"detail": "request body too large"}, status_code=413)
        return await call_next(request)


def serve() -> None:
    """Run the API with uvicorn on the configured host and port."""
    configure_logging("matching")
    settings = load_settings(MatchingSettings)
    app = create_app(settings)
    port = settings.matching_port
    uvicorn.run(app, host=settings.bind_host, port=port, log_config=None)


if __name__ == "__main__":
    serve()
