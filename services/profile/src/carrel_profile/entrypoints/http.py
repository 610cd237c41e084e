"""The profile service's HTTP API: ``create_app(settings)`` and ``serve()``.

Domain errors become HTTP answers here, once: a broken rule is a 422 shaped
like FastAPI's own validation errors (``loc``, ``msg``, ``type``), a stale
version or a colliding save a 409, an unknown profile a 404, an erased one
a 410.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from carrel_events.body_limit import cap_request_bodies
from carrel_events.observability import configure_logging, load_settings, observe
from carrel_events.validation import writable_validation_error
from carrel_vocabulary import load_vocabulary
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from carrel_profile.adapters.libraries import load_libraries
from carrel_profile.application import ProfileApplication
from carrel_profile.domain.errors import (
    ProfileAlreadyExists,
    ProfileErasedError,
    RulesBroken,
    VersionConflict,
)
from carrel_profile.entrypoints import lookups, profiles
from carrel_profile.settings import ProfileSettings

logger = logging.getLogger(__name__)


def create_app(settings: ProfileSettings | None = None) -> FastAPI:
    """The profile API; the event store is opened when the app starts."""
    settings = settings or ProfileSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.libraries = load_libraries(settings.data_dir)
        app.state.profiles = ProfileApplication(
            settings.event_store_env(),
            load_vocabulary(settings.data_dir),
            app.state.libraries,
        )
        try:
            yield
        finally:
            app.state.profiles.close()

    app = FastAPI(title="Carrel profile service", version="1", lifespan=lifespan)
    observe(app, "profile")
    cap_request_bodies(app, settings.max_body_bytes)
    app.include_router(profiles.router)
    app.include_router(lookups.router)
    _add_health(app)
    _add_error_answers(app)
    return app


def _add_health(app: FastAPI) -> None:
    @app.get("/health/live", tags=["health"])
    def live() -> dict[str, str]:
        """The process is up."""
        return {"status": "live"}

    @app.get("/health/ready", tags=["health"])
    def ready(request: Request) -> JSONResponse:
        """The event store answers."""
        application: ProfileApplication = request.app.state.profiles
        try:
            application.check_event_store()
        except Exception as error:
            logger.warning("profile event store not ready: %s", error)
            return JSONResponse(
                {"status": "not ready"}, status.HTTP_503_SERVICE_UNAVAILABLE
            )
        return JSONResponse({"status": "ready"})


def _add_error_answers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, writable_validation_error)

    @app.exception_handler(RulesBroken)
    async def rules_broken(_: Request, error: RulesBroken) -> JSONResponse:
        detail = [
            {"loc": ["body", *v.loc], "msg": v.msg, "type": v.type}
            for v in error.violations
        ]
        return _answer(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)

    @app.exception_handler(VersionConflict)
    async def version_conflict(_: Request, error: VersionConflict) -> JSONResponse:
        return _answer(status.HTTP_409_CONFLICT, str(error), version=error.actual)

    @app.exception_handler(IntegrityError)
    async def collided(_: Request, error: IntegrityError) -> JSONResponse:
        logger.info("a concurrent change won: %s", error)
        detail = "the profile changed at the same moment; read it and try again"
        return _answer(status.HTTP_409_CONFLICT, detail)

    @app.exception_handler(ProfileAlreadyExists)
    async def exists(_: Request, error: ProfileAlreadyExists) -> JSONResponse:
        return _answer(status.HTTP_409_CONFLICT, str(error))

    @app.exception_handler(AggregateNotFoundError)
    async def not_found(request: Request, _: AggregateNotFoundError) -> JSONResponse:
        profile_id = request.path_params.get("profile_id", "")
        return _answer(status.HTTP_404_NOT_FOUND, f"no profile {profile_id}")

    @app.exception_handler(ProfileErasedError)
    async def erased(_: Request, error: ProfileErasedError) -> JSONResponse:
        return _answer(status.HTTP_410_GONE, str(error))


def _answer(code: int, detail: Any, **extra: Any) -> JSONResponse:
    return JSONResponse({"detail": detail, **extra}, status_code=code)


def serve() -> None:
    """Run the profile API at its address and port."""
    configure_logging("profile")
    settings = load_settings(ProfileSettings)
    app = create_app(settings)
    uvicorn.run(
        app, host=settings.bind_host, port=settings.profile_port, log_config=None
    )


if __name__ == "__main__":
    serve()
