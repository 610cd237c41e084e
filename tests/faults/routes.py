"""Every operation of the gateway's OpenAPI document, ready to be called.

The document is read from the running gateway, so a route added tomorrow is
attacked by the access tests without anyone listing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import httpx

_PARAMETER = re.compile(r"\{(\w+)\}")
STREAMED = ("/stream",)


@dataclass(frozen=True)
class Operation:
    """One method on one path of the document."""

    method: str
    path: str
    required_query: tuple[str, ...]
    has_body: bool

    @property
    def kind(self) -> str:
        """Who may call it: ``public``, ``operator`` or ``member``."""
        if self.path.startswith("/api/v1/sessions"):
            return "public"
        if self.path.startswith("/api/v1/operator"):
            return "operator"
        return "member"

    @property
    def in_a_team(self) -> bool:
        return "{team_id}" in self.path

    @property
    def streams(self) -> bool:
        return self.path.endswith(STREAMED)

    @property
    def relative(self) -> str:
        """The path below ``/api/v1``, where the test clients are based."""
        return self.path.removeprefix("/api/v1")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def operations(gateway_url: str) -> list[Operation]:
    """Every operation the running gateway documents."""
    document = httpx.get(f"{gateway_url}/api/v1/openapi.json", timeout=30).json()
    found = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            required = tuple(
                p["name"]
                for p in operation.get("parameters", [])
                if p["in"] == "query" and p.get("required")
            )
            found.append(
                Operation(method.upper(), path, required, "requestBody" in operation)
            )
    return found


def filled(path: str, values: dict[str, Any]) -> str:
    """The path with each ``{name}`` taken from ``values``, else a fresh id."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return str(values[name])
        return str(uuid4())

    return _PARAMETER.sub(value, path)


def call(
    http: httpx.Client,
    operation: Operation,
    values: dict[str, Any],
    headers: dict[str, str],
    body: Any = None,
) -> httpx.Response:
    """Call the operation with the path filled from ``values``."""
    path = filled(
        operation.relative, {"section": "details", "model": "directory", **values}
    )
    params = {name: "a" for name in operation.required_query}
    payload = body if body is not None else ({} if operation.has_body else None)
    if operation.streams:
        with http.stream(
            operation.method, path, headers=headers, params=params, timeout=10
        ) as answer:
            answer.read() if answer.status_code >= 300 else None
            return answer
    return http.request(
        operation.method, path, json=payload, params=params, headers=headers
    )


def ids_of(values: dict[str, Any]) -> set[str]:
    return {str(v) for v in values.values() if isinstance(v, UUID)}
