"""Two gateways behind one address serve the same sessions, links and members.

The gateways are two apps with the same secret and the same ledger database,
and the "one address" alternates between them request by request, as a round
robin balancer would.
"""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from itertools import cycle

import pytest
from carrel_gateway.entrypoints.http import create_app
from carrel_gateway.settings import GatewaySettings
from carrel_gateway.testing import OPERATOR_KEY
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from starlette.types import Receive, Scope, Send

pytestmark = pytest.mark.integration

LEDGER_DATABASE = "carrel_test"


class RoundRobin:
    """One address in front of several apps, each request to the next."""

    def __init__(self, apps: list[FastAPI]) -> None:
        self._next = cycle(apps)
        self.served: list[int] = []
        self._ids = {id(app): number for number, app in enumerate(apps)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = next(self._next)
        self.served.append(self._ids[id(app)])
        await app(scope, receive, send)


@pytest.fixture
async def balanced(
    gateway_settings: GatewaySettings,
) -> AsyncIterator[tuple[RoundRobin, AsyncClient]]:
    shared = gateway_settings.model_copy(update={"gateway_database": LEDGER_DATABASE})
    apps = [create_app(shared), create_app(shared)]
    async with AsyncExitStack() as started:
        for app in apps:
            await started.enter_async_context(app.router.lifespan_context(app))
        balancer = RoundRobin(apps)
        client = AsyncClient(transport=ASGITransport(balancer), base_url="http://one")
        yield balancer, await started.enter_async_context(client)


async def test_a_link_used_at_one_gateway_is_refused_at_the_other(
    balanced: tuple[RoundRobin, AsyncClient],
) -> None:
    balancer, http = balanced
    founded = await http.post(
        "/api/v1/operator/teams",
        json={"name": "Twin Oaks Library", "kind": "library", "coordinator_name": "Cy"},
        headers={"X-Carrel-Operator-Key": OPERATOR_KEY},
    )
    assert founded.status_code == 201, founded.text
    token = founded.json()["sign_in_link"].split("token=", 1)[1]

    first = await http.post("/api/v1/sessions/sign-in-link", json={"token": token})
    again = await http.post("/api/v1/sessions/sign-in-link", json={"token": token})

    assert first.status_code == 201, first.text
    assert again.status_code == 401 and "used already" in again.text
    assert balancer.served[-2:] in ([0, 1], [1, 0]), "each went to another gateway"


async def test_a_session_begun_at_one_gateway_is_served_by_both(
    balanced: tuple[RoundRobin, AsyncClient],
) -> None:
    balancer, http = balanced
    founded = await http.post(
        "/api/v1/operator/teams",
        json={"name": "Twin Elms Library", "kind": "library", "coordinator_name": "Di"},
        headers={"X-Carrel-Operator-Key": OPERATOR_KEY},
    )
    token = founded.json()["sign_in_link"].split("token=", 1)[1]
    signed_in = await http.post("/api/v1/sessions/sign-in-link", json={"token": token})
    bearer = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    team = f"/api/v1/teams/{founded.json()['team_id']}"

    answers = [await http.get(team, headers=bearer) for _ in range(4)]

    assert [a.status_code for a in answers] == [200] * 4
    assert set(balancer.served[-4:]) == {0, 1}


async def test_signing_out_at_one_gateway_ends_the_session_at_both(
    balanced: tuple[RoundRobin, AsyncClient],
) -> None:
    _, http = balanced
    founded = await http.post(
        "/api/v1/operator/teams",
        json={
            "name": "Twin Pines Library",
            "kind": "library",
            "coordinator_name": "Ed",
        },
        headers={"X-Carrel-Operator-Key": OPERATOR_KEY},
    )
    token = founded.json()["sign_in_link"].split("token=", 1)[1]
    signed_in = await http.post("/api/v1/sessions/sign-in-link", json={"token": token})
    bearer = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    assert (await http.get("/api/v1/me", headers=bearer)).status_code == 200

    signed_out = await http.delete("/api/v1/sessions/current", headers=bearer)
    after = [await http.get("/api/v1/me", headers=bearer) for _ in range(2)]

    assert signed_out.status_code == 204
    assert [a.status_code for a in after] == [401, 401]
    assert "signed out" in after[0].text


async def test_a_ledger_database_outage_is_a_503_that_says_so(
    gateway_settings: GatewaySettings,
) -> None:
    shared = gateway_settings.model_copy(update={"gateway_database": LEDGER_DATABASE})
    app = create_app(shared)
    async with app.router.lifespan_context(app):
        client = AsyncClient(transport=ASGITransport(app), base_url="http://one")
        async with client as http:
            founded = await http.post(
                "/api/v1/operator/teams",
                json={
                    "name": "Dark Library",
                    "kind": "library",
                    "coordinator_name": "F",
                },
                headers={"X-Carrel-Operator-Key": OPERATOR_KEY},
            )
            token = founded.json()["sign_in_link"].split("token=", 1)[1]
            signed_in = await http.post(
                "/api/v1/sessions/sign-in-link", json={"token": token}
            )
            bearer = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
            # The pool's connections go, as in an outage (psycopg OperationalError).
            await app.state.gateway.used_links.close()

            again = await http.post(
                "/api/v1/sessions/sign-in-link", json={"token": token}
            )
            me = await http.get("/api/v1/me", headers=bearer)

    assert again.status_code == 503, again.text
    assert "the gateway's database is not answering" in again.json()["detail"]
    assert me.status_code == 503, me.text
