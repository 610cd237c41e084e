"""Domain refusals as HTTP answers, and the limit on a request's size."""

import logging

from carrel_events.validation import writable_validation_error
from eventsourcing.persistence import IntegrityError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carrel_teams.domain.errors import (
    AlreadyRequested,
    MentorAtCapacity,
    NotFound,
    NotPermitted,
    RuleViolated,
    VersionConflict,
)

logger = logging.getLogger(__name__)


def _detail(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": message})


async def _rule_violated(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RuleViolated)
    detail = [{"loc": list(error.field), "msg": error.rule, "type": error.kind}]
    return JSONResponse(status_code=422, content={"detail": detail})


async def _not_permitted(_: Request, error: Exception) -> JSONResponse:
    return _detail(403, str(error))


async def _not_found(_: Request, error: Exception) -> JSONResponse:
    return _detail(404, str(error))


async def _conflict(_: Request, error: Exception) -> JSONResponse:
    return _detail(409, str(error))


async def _collided(request: Request, _: Exception) -> JSONResponse:
    logger.warning(
        "%s %s collided with a concurrent write", request.method, request.url.path
    )
    return _detail(409, "changed concurrently: read it again and retry")


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, writable_validation_error)
    app.add_exception_handler(RuleViolated, _rule_violated)
    app.add_exception_handler(NotPermitted, _not_permitted)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(VersionConflict, _conflict)
    app.add_exception_handler(MentorAtCapacity, _conflict)
    app.add_exception_handler(AlreadyRequested, _conflict)
    app.add_exception_handler(IntegrityError, _collided)


class BodySizeLimit:
    """Answers 413 to a body over ``max_bytes``, whether declared or streamed.

    The body is read here, up to the limit, and handed on whole; so a chunked
    upload without a Content-Length is refused as surely as a declared one.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        body = await self._read(receive)
        if body is None:
            await self._refuse(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"the request body is larger than {self.max_bytes} bytes"
        await _detail(413, message)(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
