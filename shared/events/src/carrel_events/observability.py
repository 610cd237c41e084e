"""What every Carrel process shares to be watched: JSON logs, metrics, request ids.

Logs are one JSON object a line (python-json-logger) carrying the service
name and the request or correlation id of the work in hand, taken from a
context variable that the HTTP middleware sets from ``X-Request-Id`` and that
consumers set from each envelope's ``correlation_id``. HTTP metrics are
Prometheus histograms by method, route template and status, served with the
process's other metrics at ``/metrics``.
"""

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    Histogram,
    generate_latest,
    start_http_server,
)
from pydantic import ValidationError
from pydantic_settings import BaseSettings
from pythonjsonlogger.json import JsonFormatter
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.types import ASGIApp

from carrel_events.settings import StackSettings

REQUEST_ID: ContextVar[str | None] = ContextVar("carrel_request_id", default=None)

HTTP_LATENCY = Histogram(
    "carrel_http_request_seconds",
    "Time to answer an HTTP request.",
    ["service", "method", "route", "status"],
)

Settings = TypeVar("Settings", bound=BaseSettings)
WorkerSettings = TypeVar("WorkerSettings", bound=StackSettings)
logger = logging.getLogger(__name__)


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.request_id = REQUEST_ID.get()
        return True


def configure_logging(service: str, level: int = logging.INFO) -> None:
    """One JSON object a line on stderr, for this process's root logger."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}{service}{request_id}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(_ContextFilter(service))
    logging.basicConfig(level=level, handlers=[handler], force=True)


@contextmanager
def correlated(request_id: str | None) -> Iterator[None]:
    """Log the work inside the block under ``request_id``."""
    token = REQUEST_ID.set(request_id)
    try:
        yield
    finally:
        REQUEST_ID.reset(token)


class _Observed(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, service: str) -> None:
        super().__init__(app)
        self.service = service

    async def dispatch(
        self, request: Request, call_next: RequestResponseEndpoint
    ) -> Response:
        started = time.perf_counter()
        with correlated(request.headers.get("x-request-id")):
            response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        HTTP_LATENCY.labels(
            self.service, request.method, template, str(response.status_code)
        ).observe(time.perf_counter() - started)
        return response


def observe(app: FastAPI, service: str) -> None:
    """Add request ids in logs, HTTP metrics and ``/metrics`` to ``app``."""
    app.add_middleware(_Observed, service=service)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def serve_metrics(settings: StackSettings) -> None:
    """Serve /metrics from a process without an HTTP API, when a port is set.

    Relays and consumers hold the relay backlog and consumer lag; this lets
    Prometheus scrape them as it scrapes the HTTP services.
    """
    if settings.metrics_port is None:
        return
    start_http_server(settings.metrics_port, addr=settings.bind_host)
    logger.info("metrics on %s:%d/metrics", settings.bind_host, settings.metrics_port)


def load_settings(kind: type[Settings]) -> Settings:
    """Read settings, or stop the process naming each wrong or missing one."""
    try:
        return kind()
    except ValidationError as error:
        prefix = str(kind.model_config.get("env_prefix", ""))
        for problem in error.errors():
            print(
                _problem_line(prefix, problem["loc"], problem["msg"]), file=sys.stderr
            )
        raise SystemExit(2) from None


def load_worker_settings(kind: type[WorkerSettings]) -> WorkerSettings:
    """Settings of a relay or consumer process, which then serves its metrics."""
    settings = load_settings(kind)
    serve_metrics(settings)
    return settings


def _problem_line(prefix: str, loc: tuple[int | str, ...], message: str) -> str:
    # A rule over several settings has no single field; its message names them.
    if not loc:
        return f"settings: {message}"
    name = (prefix + ".".join(map(str, loc))).upper()
    return f"setting {name}: {message}"
