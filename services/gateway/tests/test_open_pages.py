"""Pages a visitor opens before belonging to a team render without a session."""

import pytest
from carrel_gateway.entrypoints.http import create_app
from carrel_gateway.settings import GatewaySettings
from carrel_gateway.testing import SECRET
from httpx import ASGITransport, AsyncClient

TEAM = "ee6497dc-32d0-4e0c-b577-f1c5dbc4ee16"


@pytest.mark.parametrize(
    "path",
    [
        f"/join/{TEAM}?token=abc",
        f"/teams/{TEAM}/programme",
        f"/invitations/{TEAM}?token=abc",
        "/sign-in/link?token=abc",
    ],
)
async def test_an_open_page_renders_for_a_visitor(path: str) -> None:
    app = create_app(GatewaySettings(session_secret=SECRET))
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app), base_url="http://gateway") as visitor,
    ):
        page = await visitor.get(path)

    assert page.status_code == 200, page.text
    assert "<main" in page.text
