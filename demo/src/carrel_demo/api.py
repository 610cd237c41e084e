"""Carrel's public API as the loader uses it: the gateway, over HTTP.

Every call goes through the gateway at ``/api/v1``, as a signed-in member
(a bearer token) or as the operator (``X-Carrel-Operator-Key``). Calls that
meet a busy service are tried again: 429 after its ``Retry-After``, 502/503
and dropped connections after a pause that grows.
"""

import asyncio
import logging
from collections.abc import Collection, Mapping
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

logger = logging.getLogger(__name__)

API = "/api/v1"
ATTEMPTS = 8
_RETRIED = frozenset({429, 502, 503, 504})


class LoadError(RuntimeError):
    """The API refused a call the loader needs; the answer says why."""

    def __init__(self, method: str, path: str, answer: httpx.Response) -> None:
        super().__init__(
            f"{method} {path} answered {answer.status_code}: {answer.text[:500]}"
        )
        self.status_code = answer.status_code


class CarrelApi:
    """An HTTP client of the gateway with at most ``concurrency`` calls in flight."""

    def __init__(self, base_url: str, operator_key: str, concurrency: int) -> None:
        self.base_url = base_url.rstrip("/")
        self._operator_key = operator_key
        self._slots = asyncio.Semaphore(concurrency)
        # Uvicorn closes a connection idle for 5 s; reusing one it is closing
        # loses the request, so connections are dropped here sooner.
        limits = httpx.Limits(max_connections=concurrency + 4, keepalive_expiry=2.0)
        # The gateway answers a sign-in with a session cookie as well; kept,
        # it would make the next newcomer's call act as the last one signed in.
        no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
        self._client = httpx.AsyncClient(
            base_url=self.base_url + API,
            timeout=60.0,
            limits=limits,
            cookies=no_cookies,
        )
        self.calls = 0

    async def __aenter__(self) -> "CarrelApi":
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self._client.aclose()

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        operator: bool = False,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        ok: Collection[int] = (200, 201, 202, 204),
    ) -> httpx.Response:
        """One call; an answer outside ``ok`` raises LoadError."""
        headers = _headers(token, self._operator_key if operator else None)
        for attempt in range(1, ATTEMPTS + 1):
            answer = await self._send(method, path, headers, json, params)
            if answer is not None and answer.status_code not in _RETRIED:
                break
            await asyncio.sleep(_pause(answer, attempt))
        if answer is None:
            raise ConnectionError(f"{method} {path}: the gateway is not answering")
        if answer.status_code not in ok:
            raise LoadError(method, path, answer)
        return answer

    async def json(self, method: str, path: str, **options: Any) -> Any:
        """The JSON of a call's answer."""
        return (await self.call(method, path, **options)).json()

    async def _send(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        json: Any,
        params: Mapping[str, Any] | None,
    ) -> httpx.Response | None:
        async with self._slots:
            self.calls += 1
            try:
                return await self._client.request(
                    method, path, headers=headers, json=json, params=params
                )
            except httpx.TransportError as error:
                logger.warning(
                    "%s %s failed (%s); retrying", method, path, type(error).__name__
                )
                return None


def _headers(token: str | None, operator_key: str | None) -> dict[str, str]:
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if operator_key is not None:
        headers["X-Carrel-Operator-Key"] = operator_key
    return headers


def _pause(answer: httpx.Response | None, attempt: int) -> float:
    if answer is not None and answer.status_code == 429:
        return float(answer.headers.get("Retry-After", "1"))
    return min(0.25 * 2.0**attempt, 10.0)


def token_in(link: str) -> str:
    """The ``token`` query parameter of an invitation or sign-in link."""
    return parse_qs(urlsplit(link).query)["token"][0]
