"""The app's routes, read without running them: who guards what."""

import pytest
from carrel_gateway.entrypoints.dependencies import operator, team_membership
from carrel_gateway.entrypoints.http import create_app
from carrel_gateway.settings import GatewaySettings
from carrel_gateway.testing import SECRET, RouteSpec, depends_on, served_routes
from pydantic import ValidationError

# Routes that take a team id but need no membership: the join link lands here
# before its visitor belongs to anything, and the programme page is for people
# who do not belong yet (dashboard-projection applies the team's setting on who
# may read it).
OPEN_TEAM_PAGES = {
    "/join/{team_id}",
    "/teams/{team_id}/programme",
    "/api/v1/teams/{team_id}/programme",
}


def routes() -> list[RouteSpec]:
    return served_routes(create_app(GatewaySettings(session_secret=SECRET)))


def test_every_route_that_takes_a_team_checks_membership_in_one_dependency() -> None:
    team_routes = [r for r in routes() if "{team_id}" in r.path]

    unchecked = [
        r.path
        for r in team_routes
        if r.path not in OPEN_TEAM_PAGES
        and not depends_on(r.dependant, team_membership)
    ]

    assert len(team_routes) > 50
    assert unchecked == []


def test_every_operator_route_asks_for_the_operator_key() -> None:
    operator_routes = [r for r in routes() if r.path.startswith("/api/v1/operator")]

    # Found a team, issue a sign-in link, add, retire and restore an entry.
    assert len(operator_routes) == 5
    assert all(depends_on(r.dependant, operator) for r in operator_routes)


def test_the_openapi_document_describes_the_api_under_api_v1() -> None:
    app = create_app(GatewaySettings(session_secret=SECRET))

    document = app.openapi()

    assert all(path.startswith("/api/v1/") for path in document["paths"])
    schemes = document["components"]["securitySchemes"]
    assert set(schemes) == {"session", "sessionCookie", "operatorKey"}
    candidates = document["paths"]["/api/v1/teams/{team_id}/candidates"]["get"]
    assert candidates["security"] == [{"session": []}, {"sessionCookie": []}]


@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_operator_key_turns_the_operator_routes_off(empty: str) -> None:
    settings = GatewaySettings(session_secret="s" * 32, operator_key=empty)

    assert settings.operator_key is None


def test_a_short_operator_key_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="at least 16 characters"):
        GatewaySettings(session_secret="s" * 32, operator_key="short")
