"""The request id: made at the door, sent to every service, written in our logs.

A client's own ``X-Request-Id`` and ``X-Carrel-Member`` are never trusted: the
gateway makes the request id itself and sets the member from the session. The
id is kept in the context variable of ``carrel_events.observability``, so the
gateway's log lines carry it in the same JSON shape as every service's.
"""

from uuid import uuid4

from carrel_events.observability import REQUEST_ID
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_TRUSTED_ONLY = (b"x-request-id", b"x-carrel-member")


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
    """Answers 413 when a request's body would go over ``max_bytes``.

    A declared Content-Length over the limit is refused at once (the server
    holds a body to its declared length). A body sent in chunks, without a
    length, is read here up to the limit and handed on whole; one more byte
    and the answer is 413. Handing it on whole matters: an error raised while
    the app reads the body would surface as FastAPI's 400 "error parsing the
    body", which hides what went wrong.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if declared.isdigit() and int(declared) > self.max_bytes:
                await _too_large(send)
                return
            await self.app(scope, receive, send)
            return
        body = await self._read_within_limit(receive)
        if body is None:
            await _too_large(send)
            return
        await self.app(scope, _replayed(body, receive), send)

    async def _read_within_limit(self, receive: Receive) -> bytes | None:
        """The whole body, or None once it passes the limit."""
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks)
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replayed(body: bytes, receive: Receive) -> Receive:
    """Gives the app the body read already, then whatever the client sends next."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


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
