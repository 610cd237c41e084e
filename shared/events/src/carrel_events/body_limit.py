"""A cap on request bodies, answered with 413 before a route has read them all.

A declared ``Content-Length`` over the cap is refused before the app runs. A
chunked body, which announces no length, is counted as the app reads it; the
read that passes the cap raises :class:`BodyTooLarge`, so the JSON or form
parser stops there and no more than the cap and one chunk is ever buffered or
spooled to disk.

    cap_request_bodies(app, settings.max_body_bytes)
"""

from typing import Any

import orjson
from fastapi import FastAPI, HTTPException
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_TOO_LARGE = 413


def too_large(max_bytes: int) -> list[dict[str, Any]]:
    """The 413's detail, shaped like FastAPI's validation errors."""
    msg = f"the body is larger than {max_bytes} bytes"
    return [{"loc": ["body"], "msg": msg, "type": "body_too_large"}]


class BodyTooLarge(HTTPException):
    """The body passed the cap while it was being read.

    An HTTPException because FastAPI answers any other error raised while it
    parses a body with a 400; this one it passes on, and its handler answers
    the 413.
    """

    def __init__(self, max_bytes: int) -> None:
        super().__init__(CONTENT_TOO_LARGE, detail=too_large(max_bytes))


def cap_request_bodies(app: FastAPI, max_bytes: int) -> None:
    """Refuse bodies over ``max_bytes`` with 413, as the innermost middleware.

    Innermost, because a ``BaseHTTPMiddleware`` (``observe`` adds one) reads
    the body for the app inside a task group: a refusal raised outside it
    would reach FastAPI wrapped in an ExceptionGroup, which it answers with
    400. Middleware added later wraps this one and does no harm.
    """
    if app.middleware_stack is not None:
        raise RuntimeError("cap the bodies before the app starts")
    app.user_middleware.append(Middleware(BodySizeLimit, max_bytes=max_bytes))


class BodySizeLimit:
    """Refuses a body longer than ``max_bytes``, whether announced or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _declared_length(scope) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge(self.max_bytes)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            # Only a reader outside FastAPI's routes (a middleware) gets here.
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = orjson.dumps({"detail": too_large(self.max_bytes)})
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        start = {"type": "http.response.start", "status": CONTENT_TOO_LARGE}
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _declared_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0
