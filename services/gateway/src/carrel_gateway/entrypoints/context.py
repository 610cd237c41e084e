"""The request id: made at the door, sent to every service, written in our logs.

A client's own ``X-Request-Id`` and ``X-Carrel-Member`` are never trusted: the
gateway makes the request id itself and sets the member from the session.
"""

import logging
from contextvars import ContextVar
from uuid import uuid4

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID: ContextVar[str] = ContextVar("carrel_request_id", default="-")

_TRUSTED_ONLY = (b"x-request-id", b"x-carrel-member")


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every log record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class RequestContext:
    """Gives each request a fresh id, strips headers only the gateway may set."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid4())
        scope["headers"] = [
            (name, value)
            for name, value in scope["headers"]
            if name.lower() not in _TRUSTED_ONLY
        ]
        scope.setdefault("state", {})["request_id"] = request_id
        token = REQUEST_ID.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-Id"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)


class BodySizeLimit:
    """Answers 413 when a request declares a body over ``max_bytes``.

    A body sent without Content-Length is counted as it arrives and cut off
    with a 413 at the limit, so neither way gets past it.
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
            await _too_large(send)
            return
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise BodyTooLarge
            return message

        return counted


class BodyTooLarge(Exception):
    """A streamed body went past the limit."""


async def _too_large(send: Send) -> None:
    body = b'{"detail":"the request body is too large"}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
