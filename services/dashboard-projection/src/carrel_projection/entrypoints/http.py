"""The projection's read API: ``create_app(settings)`` and ``serve()``.

Port 8105. The gateway authenticates and passes ``X-Carrel-Member``; every
route under ``/api/v1/teams/{team_id}`` answers only a member of that team.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import uvicorn
from carrel_events.observability import configure_logging, load_settings, observe
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from carrel_projection.adapters.client import open_client
from carrel_projection.adapters.indices import ensure_indices
from carrel_projection.adapters.read_models import DEFINITIONS
from carrel_projection.adapters.reads import ReadModels
from carrel_projection.entrypoints import export, live, programme, routes
from carrel_projection.settings import ProjectionSettings

logger = logging.getLogger(__name__)


def create_app(settings: ProjectionSettings | None = None) -> FastAPI:
    """The read API; the OpenSearch client opens when the app starts."""
    settings = settings or ProjectionSettings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = open_client(settings)
        await ensure_indices(client, settings.index_prefix, DEFINITIONS)
        app.state.settings = settings
        app.state.reads = ReadModels(client, settings.index_prefix)
        app.state.watcher = live.ChangeWatcher(
            app.state.reads,
            settings.change_poll_seconds,
            settings.change_visible_after_seconds,
        )
        watching = asyncio.create_task(app.state.watcher.run())
        try:
            yield
        finally:
            watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watching
            await client.close()

    app = FastAPI(title="Carrel dashboard projection", version="1", lifespan=lifespan)
    observe(app, "dashboard-projection")
    app.include_router(routes.router)
    app.include_router(export.router)
    app.include_router(live.router)
    app.include_router(programme.router)
    _add_health(app)
    return app


def _add_health(app: FastAPI) -> None:
    @app.get("/health/live", tags=["health"])
    def live_check() -> dict[str, str]:
        """The process answers."""
        return {"status": "live"}

    @app.get("/health/ready", tags=["health"])
    async def ready(request: Request) -> JSONResponse:
        """OpenSearch answers."""
        try:
            await request.app.state.reads.client.cluster.health()
        except Exception as error:
            logger.warning("not ready: %s", error)
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ready"})


def serve() -> None:
    """Run the read API at its address and port."""
    configure_logging("dashboard-projection")
    settings = load_settings(ProjectionSettings)
    app = create_app(settings)
    uvicorn.run(
        app, host=settings.bind_host, port=settings.projection_port, log_config=None
    )


if __name__ == "__main__":
    serve()
