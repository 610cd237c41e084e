"""The teams service's HTTP app: ``python -m carrel_teams.entrypoints.http``."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import uvicorn
from carrel_events.observability import configure_logging, load_settings, observe
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from carrel_teams.application import TeamsApplication
from carrel_teams.entrypoints.api import (
    groups,
    growth,
    invitations,
    mentorships,
    teams,
)
from carrel_teams.entrypoints.api.errors import BodySizeLimit, add_error_handlers
from carrel_teams.settings import TeamsSettings

logger = logging.getLogger(__name__)


async def expire_requests_periodically(
    application: TeamsApplication, interval: float
) -> None:
    """Expire overdue mentorship requests every ``interval`` seconds."""
    while True:
        await asyncio.sleep(interval)
        try:
            expired = await asyncio.to_thread(application.expire_overdue_requests)
        except Exception:
            logger.warning(
                "expiring overdue requests failed; next try in %ss",
                interval,
                exc_info=True,
            )
        else:
            if expired:
                logger.info("expired %d overdue mentorship requests", len(expired))


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: TeamsSettings = app.state.settings
    application = await asyncio.to_thread(
        TeamsApplication, settings.application_env(), settings.policy()
    )
    app.state.teams = application
    expiry = None
    if settings.expiry_interval_seconds > 0:
        expiry = asyncio.create_task(
            expire_requests_periodically(application, settings.expiry_interval_seconds)
        )
    try:
        yield
    finally:
        if expiry is not None:
            expiry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await expiry
        application.close()


def create_app(settings: TeamsSettings | None = None) -> FastAPI:
    settings = settings or TeamsSettings()
    app = FastAPI(
        title="Carrel teams",
        summary="Teams, members, invitations, groups and mentorships.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    observe(app, "teams")
    for router in (
        teams.router,
        invitations.router,
        groups.router,
        mentorships.router,
        growth.router,
    ):
        app.include_router(router)
    add_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_api_route("/health/live", live, methods=["GET"], tags=["health"])
    app.add_api_route("/health/ready", ready, methods=["GET"], tags=["health"])
    return app


async def live() -> dict[str, str]:
    """The process answers."""
    return {"status": "live"}


async def ready(request: Request) -> JSONResponse:
    """The event store answers."""
    application: TeamsApplication = request.app.state.teams
    try:
        await asyncio.to_thread(application.recorder.max_notification_id)
    except Exception as error:
        logger.warning("readiness check failed: %s", type(error).__name__)
        return JSONResponse(status_code=503, content={"status": "not ready"})
    return JSONResponse(content={"status": "ready"})


def serve() -> None:
    """Run the teams API at its address and port."""
    configure_logging("teams")
    settings = load_settings(TeamsSettings)
    app = create_app(settings)
    uvicorn.run(app, host=settings.bind_host, port=settings.teams_port, log_config=None)


if __name__ == "__main__":
    serve()
