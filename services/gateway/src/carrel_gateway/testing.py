"""Helpers for tests of the gateway: the services behind it, and a signed-in door.

They live in the package because the workspace's test folders cannot import
one another's modules; the browser tests use them too.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    import httpx
    from fastapi import FastAPI
    from starlette.types import ASGIApp

SECRET = "a-test-secret-that-is-long-enough-to-sign-with"
OPERATOR_KEY = "a-test-operator-key"


@contextmanager
def serve_services(
    stack: Any,
    schemas: dict[str, str],
    database: str,
    teams_public_url: str = "http://127.0.0.1:8000",
) -> Iterator[dict[str, str]]:
    """Teams, profile and resources on free ports of 127.0.0.1; their URLs."""
    from carrel_profile.entrypoints.http import create_app as profile_app
    from carrel_profile.settings import ProfileSettings
    from carrel_resources.entrypoints.http import create_app as resources_app
    from carrel_resources.settings import ResourcesSettings
    from carrel_teams.entrypoints.http import create_app as teams_app
    from carrel_teams.settings import TeamsSettings
    from carrel_teams.testing import running_server

    common = {"pg_dsn": stack.pg_dsn, "kafka_bootstrap": stack.kafka_bootstrap}
    teams = TeamsSettings(
        **common,
        teams_database=database,
        teams_schema=schemas["teams"],
        teams_public_url=teams_public_url,
        expiry_interval_seconds=0,
    )
    profile = ProfileSettings(
        **common, profile_database=database, profile_schema=schemas["profile"]
    )
    resources = ResourcesSettings(
        **common, resources_database=database, resources_schema=schemas["resources"]
    )
    with ExitStack() as running:
        yield {
            "teams": running.enter_context(running_server(teams_app(teams))),
            "profile": running.enter_context(running_server(profile_app(profile))),
            "resources": running.enter_context(
                running_server(resources_app(resources))
            ),
        }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Member:
    """A signed-in member of one team, as an API client sees them."""

    member_id: UUID
    team_id: UUID
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


@dataclass
class Door:
    """The gateway app and a client of it."""

    app: FastAPI
    http: httpx.AsyncClient

    async def found_team(self, name: str = "Riverside Library") -> Member:
        """A team made by the operator; its coordinator, signed in."""
        founded = await self.http.post(
            "/api/v1/operator/teams",
            json={"name": name, "kind": "library", "coordinator_name": "Cora"},
            headers={"X-Carrel-Operator-Key": OPERATOR_KEY},
        )
        founded.raise_for_status()
        link = founded.json()["sign_in_link"]
        token = await self.redeem(link)
        return Member(
            UUID(founded.json()["coordinator_id"]),
            UUID(founded.json()["team_id"]),
            token,
        )

    async def redeem(self, link: str) -> str:
        """Sign in with a one-time link; the session token."""
        token = link.split("token=", 1)[1]
        signed_in = await self.http.post(
            "/api/v1/sessions/sign-in-link", json={"token": token}
        )
        signed_in.raise_for_status()
        # An API client uses the bearer token; the pages' cookie would make
        # the next sign-in act for this member instead of a new one.
        self.http.cookies.clear()
        return str(signed_in.json()["access_token"])

    async def invite(
        self, coordinator: Member, roles: list[str], name: str = "Mo"
    ) -> Member:
        """Invite a new person and accept as them; the new member, signed in."""
        invited = await self.http.post(
            f"/api/v1/teams/{coordinator.team_id}/invitations",
            json={
                "name": name,
                "email": f"{name.lower()}-{id(roles)}@example.org",
                "roles": roles,
            },
            headers=coordinator.headers,
        )
        invited.raise_for_status()
        token = invited.json()["link"].split("token=", 1)[1]
        accepted = await self.http.post(
            "/api/v1/sessions/invitation",
            json={
                "invitation_id": invited.json()["id"],
                "token": token,
                "display_name": name,
            },
        )
        accepted.raise_for_status()
        self.http.cookies.clear()
        body = accepted.json()
        return Member(
            UUID(body["member_id"]), coordinator.team_id, body["access_token"]
        )


@dataclass(frozen=True)
class RouteSpec:
    """A route as served, with the dependencies it is served with."""

    path: str
    methods: frozenset[str]
    dependant: Any


def served_routes(app: FastAPI) -> list[RouteSpec]:
    """Every FastAPI route of the app, its routers' dependencies included."""
    from fastapi.routing import iter_route_contexts

    return [
        RouteSpec(str(context.path), frozenset(context.methods or ()), dependant)
        for context in iter_route_contexts(app.routes)
        if (dependant := getattr(context, "dependant", None)) is not None
    ]


def depends_on(dependant: Any, call: object) -> bool:
    """Whether ``call`` is among the dependencies, however deep."""
    return any(d.call is call or depends_on(d, call) for d in dependant.dependencies)


def free_listener() -> socket.socket:
    """A socket bound to a free port of 127.0.0.1, for a server to take over."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    return listener


@contextmanager
def serving(app: ASGIApp, listener: socket.socket) -> Iterator[str]:
    """Serve ``app`` with uvicorn on ``listener`` in a thread; its base URL."""
    import uvicorn

    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the gateway did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()
