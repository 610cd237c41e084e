"""The gateway's app: ``create_app(settings)``; ``python -m`` serves it on :8000."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import uvicorn
from carrel_events.observability import configure_logging, load_settings
from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from carrel_gateway.adapters.memberships import Memberships
from carrel_gateway.adapters.rate_limits import RateLimits
from carrel_gateway.adapters.services import Services, ServiceUnavailable
from carrel_gateway.entrypoints import pages
from carrel_gateway.entrypoints.api import (
    groups,
    growth,
    matching,
    mentorships,
    operator,
    people,
    profiles,
    programme,
    projection,
    resources,
    sessions,
    teams,
)
from carrel_gateway.entrypoints.api.documented import DOCUMENTED_BODIES
from carrel_gateway.entrypoints.context import BodySizeLimit, RequestContext
from carrel_gateway.entrypoints.dependencies import Gateway, NotSignedIn, limit_writes
from carrel_gateway.identity.ledger import (
    Ledger,
    LedgerUnavailable,
    SharedUsedLinks,
    UsedLinks,
)
from carrel_gateway.identity.tokens import TokenSigner
from carrel_gateway.settings import GatewaySettings

logger = logging.getLogger(__name__)
# Shorter than the services' own keep-alive (uvicorn's 5 s default).
SERVICE_KEEPALIVE_SECONDS = 2.0

API_ROUTERS = (
    sessions.router,
    operator.router,
    teams.router,
    people.router,
    mentorships.router,
    growth.router,
    groups.router,
    profiles.router,
    resources.router,
    matching.router,
    projection.router,
    programme.router,
)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    """The gateway; refuses to start without a session secret."""
    settings = settings or GatewaySettings()
    signer = TokenSigner(
        settings.signing_secret(),
        timedelta(minutes=settings.session_minutes),
        timedelta(minutes=settings.sign_in_link_minutes),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        timeout = httpx.Timeout(settings.service_timeout_seconds)
        # The services (uvicorn) close a connection idle for 5 s. A client
        # that keeps idle connections as long may send on one just as it is
        # closed, and get RemoteProtocolError (once in 17,570 requests of the
        # soak); dropping them after 2 s leaves the closing to this side.
        limits = httpx.Limits(keepalive_expiry=SERVICE_KEEPALIVE_SECONDS)
        async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
            ledger = await _ledger(settings)
            app.state.gateway = _gateway(settings, signer, client, ledger)
            try:
                yield
            finally:
                await ledger.close()

    app = FastAPI(
        title="Carrel",
        summary="The one door to Carrel: sessions, teams, mentorships, resources.",
        version="1",
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    for router in API_ROUTERS:
        app.include_router(router, dependencies=[Depends(limit_writes)])
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(packages=[("carrel_gateway", "static")]))
    _add_health(app)
    _add_error_answers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContext)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


async def _ledger(settings: GatewaySettings) -> Ledger:
    """The used-links ledger: shared in PostgreSQL when a database is named."""
    if settings.gateway_database is None:
        return UsedLinks()
    shared = SharedUsedLinks(settings.database_dsn(settings.gateway_database))
    await shared.open()
    return shared


def _gateway(
    settings: GatewaySettings,
    signer: TokenSigner,
    client: httpx.AsyncClient,
    ledger: Ledger,
) -> Gateway:
    services = Services(
        client,
        {
            "profile": settings.profile_url,
            "teams": settings.teams_url,
            "resources": settings.resources_url,
            "matching": settings.matching_url,
            "projection": settings.projection_url,
        },
    )
    return Gateway(
        settings=settings,
        services=services,
        memberships=Memberships(services, settings.membership_cache_seconds),
        signer=signer,
        used_links=ledger,
        rate_limits=RateLimits(
            settings.rate_limit_storage, settings.sign_in_rate, settings.write_rate
        ),
    )


def _add_health(app: FastAPI) -> None:
    @app.get("/health/live", include_in_schema=False)
    async def live() -> dict[str, str]:
        """The process answers."""
        return {"status": "live"}

    @app.get("/health/ready", include_in_schema=False)
    async def ready(request: Request) -> JSONResponse:
        """The teams service, which every team route asks, answers."""
        gateway: Gateway = request.app.state.gateway
        try:
            answer = await gateway.services.client.get(
                gateway.services.url("teams", "/health/live")
            )
        except httpx.HTTPError as error:
            logger.warning("teams not reachable: %s", type(error).__name__)
            return JSONResponse({"status": "not ready"}, status_code=503)
        state = "ready" if answer.is_success else "not ready"
        return JSONResponse({"status": state}, status_code=answer.status_code)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _add_error_answers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, error: NotSignedIn) -> Response:
        if _is_api(request):
            return JSONResponse(
                {"detail": str(error)},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return RedirectResponse("/sign-in", status_code=303)

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(_: Request, error: ServiceUnavailable) -> JSONResponse:
        logger.warning("%s", error)
        return JSONResponse({"detail": str(error)}, status_code=503)

    @app.exception_handler(LedgerUnavailable)
    async def no_ledger(request: Request, error: LedgerUnavailable) -> Response:
        logger.warning("%s", error)
        if _is_api(request):
            return JSONResponse({"detail": str(error)}, status_code=503)
        return pages.error_page(request, 503, str(error))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        # What was sent is not echoed back: it may be huge, or hold a NaN
        # that JSON cannot write, and the client has it anyway.
        errors = [
            {k: v for k, v in e.items() if k not in ("input", "ctx")}
            for e in error.errors()
        ]
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def refused(request: Request, error: StarletteHTTPException) -> Response:
        if _is_api(request) or request.url.path.startswith("/static/"):
            return await http_exception_handler(request, error)
        return pages.error_page(request, error.status_code, str(error.detail))


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The document, with how to authenticate: a bearer token or the cookie."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        routes=app.routes,
    )
    _add_documented_bodies(document.setdefault("components", {}))
    document["components"]["securitySchemes"] = {
        "session": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "carrel_session"},
        "operatorKey": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Carrel-Operator-Key",
        },
    }
    for path, operations in document["paths"].items():
        for operation in operations.values():
            operation["security"] = _security_of(path)
    app.openapi_schema = document
    return document


def _add_documented_bodies(components: dict[str, Any]) -> None:
    """The schemas of the bodies the routes pass on, as ``documented`` names them."""
    schemas = components.setdefault("schemas", {})
    for name, model in DOCUMENTED_BODIES.items():
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for nested, nested_schema in schema.pop("$defs", {}).items():
            schemas.setdefault(nested, nested_schema)
        schemas[name] = schema


def _security_of(path: str) -> list[dict[str, list[str]]]:
    if path.startswith("/api/v1/operator"):
        return [{"operatorKey": []}]
    if path.startswith("/api/v1/sessions"):
        return []
    return [{"session": []}, {"sessionCookie": []}]


def serve() -> None:
    """Run the gateway at its address and port, logging JSON lines to stderr."""
    configure_logging("gateway")
    settings = load_settings(GatewaySettings)
    app = create_app(settings)
    # uvicorn's own log setup would replace the JSON handler.
    uvicorn.run(
        app, host=settings.bind_host, port=settings.gateway_port, log_config=None
    )


if __name__ == "__main__":
    serve()
