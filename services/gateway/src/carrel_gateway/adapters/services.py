"""The services behind the gateway, reached with one shared httpx client.

Every call carries the request id and, when someone is signed in, the acting
member; whatever a client sent in those headers never reaches a service.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

import httpx
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

logger = logging.getLogger(__name__)

Service = Literal["profile", "teams", "resources", "matching", "projection"]

# Headers worth passing back to the client; the rest describe the hop.
_ANSWER_HEADERS = ("content-type", "content-disposition", "cache-control", "etag")
_STREAMED_TYPES = ("text/event-stream", "text/csv")


class ServiceUnavailable(Exception):
    """A service did not answer in time, or could not be reached."""

    def __init__(self, service: Service, reason: str) -> None:
        super().__init__(f"the {service} service is not answering ({reason})")
        self.service = service


@dataclass(frozen=True)
class Caller:
    """Who a call is made for: the request id, and the member if signed in."""

    request_id: str
    member_id: UUID | None = None

    def headers(self) -> dict[str, str]:
        headers = {"X-Request-Id": self.request_id}
        if self.member_id is not None:
            headers["X-Carrel-Member"] = str(self.member_id)
        return headers


class Services:
    """Base URLs of the five services and the client that calls them."""

    def __init__(self, client: httpx.AsyncClient, urls: Mapping[Service, str]) -> None:
        self.client = client
        self._urls = {name: url.rstrip("/") for name, url in urls.items()}

    def url(self, service: Service, path: str) -> str:
        return f"{self._urls[service]}{path}"

    async def call(
        self,
        service: Service,
        method: str,
        path: str,
        caller: Caller,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """One call whose answer the gateway reads itself."""
        try:
            return await self.client.request(
                method,
                self.url(service, path),
                json=json,
                params=params,
                headers=caller.headers(),
            )
        except httpx.TimeoutException:
            raise ServiceUnavailable(service, "timed out") from None
        except httpx.TransportError as error:
            raise ServiceUnavailable(service, type(error).__name__) from None

    async def forward(
        self,
        request: Request,
        service: Service,
        path: str,
        caller: Caller,
        *,
        streaming: bool = False,
    ) -> Response:
        """Pass the client's request on, body and query as they are; the answer back.

        ``streaming`` answers (the live stream, CSV exports) are passed on as
        they arrive and have no read timeout.
        """
        outgoing = self.client.build_request(
            request.method,
            self.url(service, path),
            params=request.url.query,
            content=await request.body(),
            headers=_request_headers(request, caller),
            timeout=_stream_timeout(self.client.timeout) if streaming else None,
        )
        try:
            answer = await self.client.send(outgoing, stream=True)
        except httpx.TimeoutException:
            raise ServiceUnavailable(service, "timed out") from None
        except httpx.TransportError as error:
            raise ServiceUnavailable(service, type(error).__name__) from None
        return await _relay_answer(answer)


def _request_headers(request: Request, caller: Caller) -> dict[str, str]:
    headers = caller.headers()
    for name in ("content-type", "accept", "last-event-id"):
        if name in request.headers:
            headers[name] = request.headers[name]
    return headers


def _stream_timeout(default: httpx.Timeout) -> httpx.Timeout:
    return httpx.Timeout(default.connect, read=None, write=default.write, pool=None)


async def _relay_answer(answer: httpx.Response) -> Response:
    headers = {
        name: answer.headers[name] for name in _ANSWER_HEADERS if name in answer.headers
    }
    kind = answer.headers.get("content-type", "")
    if answer.is_success and kind.startswith(_STREAMED_TYPES):
        if kind.startswith("text/event-stream"):
            # Proxies in between must not hold events back to fill a buffer.
            headers["X-Accel-Buffering"] = "no"
        return StreamingResponse(
            answer.aiter_raw(),
            status_code=answer.status_code,
            headers=headers,
            background=BackgroundTask(answer.aclose),
        )
    content = await answer.aread()
    await answer.aclose()
    return Response(content, status_code=answer.status_code, headers=headers)
