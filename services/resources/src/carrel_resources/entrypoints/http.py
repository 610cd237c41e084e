"""The HTTP API of the resources service, and ``python -m`` to serve it."""

import logging
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from carrel_events.body_limit import cap_request_bodies
from carrel_events.observability import configure_logging, load_settings, observe
from eventsourcing.persistence import IntegrityError
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from carrel_resources.application import ResourcesApplication
from carrel_resources.domain import errors
from carrel_resources.entrypoints import catalogue_routes, team_routes
from carrel_resources.settings import ResourcesSettings

logger = logging.getLogger(__name__)


def create_app(
    settings: ResourcesSettings, application: ResourcesApplication | None = None
) -> FastAPI:
    """The FastAPI app; builds the application on PostgreSQL unless given one."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        if application is not None:
            yield
            return
        from carrel_resources.entrypoints.wiring import build_application

        app.state.application = build_application(settings)
        yield
        app.state.application.close()

    app = FastAPI(title="Carrel resources", version="1", lifespan=lifespan)
    observe(app, "resources")
    app.state.settings = settings
    # An application given by the caller is theirs to close.
    app.state.application = application
    app.include_router(catalogue_routes.router)
    app.include_router(team_routes.router)
    _add_error_answers(app)
    # Counted as the body streams in, so a chunked upload without a length is
    # refused at the limit instead of being spooled whole before the route.
    cap_request_bodies(app, settings.max_request_bytes)
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
        application: ResourcesApplication = request.app.state.application
        try:
            application.check_database()
        except Exception as error:
            logger.warning("not ready: %s", error)
            return JSONResponse({"status": "not ready"}, status_code=503)
        return JSONResponse({"status": "ready"})


def _violation(exc: errors.RuleViolation) -> JSONResponse:
    detail = [{"loc": ["body", *exc.loc], "msg": exc.msg, "type": exc.kind}]
    return JSONResponse({"detail": detail}, status_code=422)


def _add_error_answers(app: FastAPI) -> None:
    answers: dict[type[Exception], Callable[[Any], JSONResponse]] = {
        errors.RuleViolation: _violation,
        errors.UnknownResource: lambda e: _plain(404, e),
        errors.UnknownShare: lambda e: _plain(404, e),
        errors.NotPermitted: lambda e: _plain(403, e),
        errors.VersionConflict: lambda e: _plain(409, e),
        errors.AttachmentTooLarge: lambda e: _plain(413, e),
        errors.AttachmentTypeNotAllowed: lambda e: _plain(415, e),
        errors.DuplicateResource: lambda e: JSONResponse(
            {"detail": str(e), "existing_id": str(e.existing_id), "retired": e.retired},
            status_code=409,
        ),
        IntegrityError: lambda e: JSONResponse(
            {"detail": "changed concurrently; read it again"}, status_code=409
        ),
    }
    for kind, answer in answers.items():
        app.add_exception_handler(kind, _handler(answer))


def _handler(
    answer: Callable[[Any], JSONResponse],
) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(_: Request, exc: Exception) -> Response:
        return answer(exc)

    return handle


def _plain(status: int, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=status)


def serve() -> None:
    """Serve the API at the configured address and port."""
    configure_logging("resources")
    settings = load_settings(ResourcesSettings)
    app = create_app(settings)
    port = settings.resources_port
    uvicorn.run(app, host=settings.bind_host, port=port, log_config=None)


if __name__ == "__main__":
    serve()
