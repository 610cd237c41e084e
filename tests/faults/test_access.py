"""Isolation and authorisation on every route of the gateway's OpenAPI document.

Nobody without a valid session gets in; a token that is expired, tampered
with, signed by someone else or meant for another purpose is refused with the
same plain answer; a member of one team reaches nothing of another, neither
through the other team's path nor by naming the other team's people and
things in their own; private fields reach no one else.
"""

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import jwt
import pytest
from carrel_gateway.testing import OPERATOR_KEY, SECRET

from tests.faults.programme import (
    IDENTITY,
    PRIVATE_NOTE,
    SESSION_NOTE,
    Person,
    Programme,
    Team,
    client,
)
from tests.faults.rig import Rig
from tests.faults.routes import Operation, call, operations

pytestmark = pytest.mark.integration

# Open to anyone when the team makes its page public, to members otherwise: a
# team of the programme keeps its page to members, so outsiders get a 404.
PUBLIC_WHEN_THE_TEAM_SAYS = {"GET /api/v1/teams/{team_id}/programme"}
REFUSED_TOKEN = {"detail": "the session token is not valid; sign in again"}
EXPIRED_TOKEN = {"detail": "the session has expired; sign in again"}


@pytest.fixture(scope="module")
def documented(rig: Rig) -> list[Operation]:
    found = operations(rig.url)
    assert len(found) > 80, "the document lost routes"
    return found


@pytest.fixture
def http(rig: Rig) -> Iterator[httpx.Client]:
    with client(rig.url) as http:
        yield http


def values_of(team: Team, acting: Person | None = None) -> dict[str, Any]:
    """Path values naming the team's own people and things."""
    assert team.mentorship_id and team.group_id and team.share_id
    someone = team.mentees[1]
    return {
        "team_id": team.team_id,
        "member_id": (acting or someone).member_id,
        "person_id": someone.member_id,
        "mentorship_id": team.mentorship_id,
        "group_id": team.group_id,
        "share_id": team.share_id,
        "invitation_id": team.invitation_id,
        "consortium_id": team.team_id,
    }


def session_token(member: Person, **changes: Any) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": "carrel-gateway",
        "sub": str(member.member_id),
        "purpose": "session",
        "iat": now,
        "exp": now + timedelta(hours=1),
        "teams": [str(member.team_id)],
        **changes,
    }
    return jwt.encode(claims, SECRET, algorithm="HS256")


def forged_tokens(victim: Person, intruder: Person) -> dict[str, str]:
    """Tokens that must not open any door, by what is wrong with them."""
    header, payload, signature = intruder.token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = str(victim.member_id)
    claims["teams"] = [str(victim.team_id)]
    swapped = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    unsigned = jwt.encode(
        {**claims, "exp": claims["exp"] + 3600}, key=None, algorithm="none"
    )
    return {
        "payload swapped": f"{header}.{swapped.decode()}.{signature}",
        "signature flipped": f"{header}.{payload}.{signature[::-1]}",
        "unsigned": unsigned,
        "another secret": jwt.encode(
            jwt.decode(intruder.token, options={"verify_signature": False}),
            "x" * 48,
            algorithm="HS256",
        ),
        "a sign-in link": session_token(victim, purpose="sign-in"),
        "no expiry claim": _without(session_token(victim), "exp"),
        "not a token": "abc.def.ghi",
        "expired": session_token(
            victim,
            iat=datetime.now(UTC) - timedelta(hours=2),
            exp=datetime.now(UTC) - timedelta(seconds=1),
        ),
    }


def _without(token: str, claim: str) -> str:
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], issuer="carrel-gateway")
    del claims[claim]
    return jwt.encode(claims, SECRET, algorithm="HS256")


def member_routes(documented: list[Operation]) -> list[Operation]:
    return [o for o in documented if o.kind == "member"]


def signed_in_routes(documented: list[Operation]) -> list[Operation]:
    """Routes that need a session, whatever the team's settings."""
    routes = member_routes(documented)
    return [o for o in routes if str(o) not in PUBLIC_WHEN_THE_TEAM_SAYS]


def test_a_team_s_page_that_is_not_public_is_not_found_by_outsiders(
    documented: list[Operation], programme: Programme, http: httpx.Client
) -> None:
    routes = [
        o for o in member_routes(documented) if str(o) in PUBLIC_WHEN_THE_TEAM_SAYS
    ]
    values = values_of(programme.alder)
    outsider = programme.birch.coordinator

    for operation in routes:
        for headers in ({}, outsider.headers, {"Authorization": "Bearer x.y.z"}):
            assert call(http, operation, values, headers).status_code == 404
    assert len(routes) == len(PUBLIC_WHEN_THE_TEAM_SAYS)


def test_every_member_route_refuses_a_caller_without_a_session(
    documented: list[Operation], programme: Programme, http: httpx.Client
) -> None:
    values = values_of(programme.alder)
    answers = {str(o): call(http, o, values, {}) for o in signed_in_routes(documented)}

    let_in = {o: a.status_code for o, a in answers.items() if a.status_code != 401}
    assert let_in == {}
    assert {a.json()["detail"] for a in answers.values()} == {"sign in first"}
    assert all(a.headers["WWW-Authenticate"] == "Bearer" for a in answers.values())


def test_every_operator_route_refuses_a_missing_or_wrong_key(
    documented: list[Operation], programme: Programme, http: httpx.Client
) -> None:
    routes = [o for o in documented if o.kind == "operator"]
    values = values_of(programme.alder)
    keys = [{}, {"X-Carrel-Operator-Key": OPERATOR_KEY[:-1] + "!"}]
    keys.append({"X-Carrel-Operator-Key": ""})
    # A member's session is no operator key.
    keys.append(programme.alder.coordinator.headers)

    answers = [call(http, o, values, key).status_code for o in routes for key in keys]

    assert len(routes) >= 4
    assert set(answers) == {403}


@pytest.mark.parametrize(
    "kind",
    [
        "payload swapped",
        "signature flipped",
        "unsigned",
        "another secret",
        "a sign-in link",
        "no expiry claim",
        "not a token",
        "expired",
    ],
)
def test_a_forged_or_expired_token_opens_no_route_and_says_nothing_of_why(
    kind: str, documented: list[Operation], programme: Programme, http: httpx.Client
) -> None:
    victim, intruder = programme.alder.coordinator, programme.birch.mentees[0]
    token = forged_tokens(victim, intruder)[kind]
    values = values_of(programme.alder)
    headers = {"Authorization": f"Bearer {token}"}

    answers = {
        str(o): call(http, o, values, headers) for o in signed_in_routes(documented)
    }

    let_in = {o: a.status_code for o, a in answers.items() if a.status_code != 401}
    assert let_in == {}
    expected = EXPIRED_TOKEN if kind == "expired" else REFUSED_TOKEN
    assert {json.dumps(a.json()) for a in answers.values()} == {json.dumps(expected)}


def test_a_forged_token_in_the_cookie_is_refused_as_well(
    programme: Programme, rig: Rig
) -> None:
    victim, intruder = programme.alder.coordinator, programme.birch.mentees[0]
    token = forged_tokens(victim, intruder)["payload swapped"]

    with httpx.Client(base_url=rig.url, cookies={"carrel_session": token}) as http:
        api = http.get("/api/v1/me")
        page = http.get("/home", follow_redirects=False)

    assert api.status_code == 401
    assert api.json() == REFUSED_TOKEN
    assert page.status_code == 303
    assert page.headers["location"] == "/sign-in"


def hostile_body(operation: Operation, target: Team) -> dict[str, Any] | None:
    """A body that names the other team's people and things, where one is taken."""
    person = str(target.mentees[1].member_id)
    mentor = str(target.mentors[1].member_id)
    bodies: dict[str, dict[str, Any]] = {
        "PUT /api/v1/teams/{team_id}/members/{person_id}/roles": {"roles": ["mentor"]},
        "PUT /api/v1/teams/{team_id}/members/{person_id}/mentor-capacity": {
            "mentor_capacity": 1
        },
        "POST /api/v1/teams/{team_id}/member-teams": {
            "member_team_id": str(target.team_id)
        },
        "PUT /api/v1/teams/{team_id}/consortia/{consortium_id}/consent": {
            "consent": True
        },
        "POST /api/v1/teams/{team_id}/mentorships": {
            "mentor_id": mentor,
            "message": "Across teams?",
        },
        "POST /api/v1/teams/{team_id}/groups": {
            "name": "Mixed",
            "member_ids": [person],
        },
        "POST /api/v1/teams/{team_id}/groups/{group_id}/members": {"person_id": person},
        "POST /api/v1/teams/{team_id}/shares": {
            "resource_id": str(uuid4()),
            "audience": {"kind": "members", "member_ids": [person]},
        },
        "POST /api/v1/teams/{team_id}/mentorships/{mentorship_id}/sessions": {
            "held_on": "2024-01-02",
            "minutes": 30,
        },
        "POST /api/v1/teams/{team_id}/mentorships/{mentorship_id}/end": {
            "outcome": "completed"
        },
    }
    return bodies.get(f"{operation.method} {operation.path}")


def test_a_member_of_another_team_is_refused_on_every_team_route(
    documented: list[Operation], programme: Programme, http: httpx.Client
) -> None:
    target = programme.birch
    values = values_of(target)
    secrets = {target.coordinator.name, *(p.name for p in target.mentees)}
    routes = [o for o in member_routes(documented) if o.in_a_team]

    for intruder in (programme.alder.coordinator, programme.alder.mentees[1]):
        answers = {
            str(o): call(http, o, values, intruder.headers, hostile_body(o, target))
            for o in routes
        }
        let_in = {o: a.status_code for o, a in answers.items() if a.status_code != 404}
        assert let_in == {}, intruder.name
        leaked = {o for o, a in answers.items() if any(s in a.text for s in secrets)}
        assert leaked == set()
    assert len(routes) > 60


def test_naming_another_team_s_people_and_things_from_one_s_own_team_fails(
    documented: list[Operation], programme: Programme, http: httpx.Client
) -> None:
    """The path is the caller's own team; every other id is the other team's."""
    own, target = programme.alder, programme.birch
    values = {**values_of(target), "team_id": own.team_id, "consortium_id": uuid4()}
    routes = [o for o in member_routes(documented) if o.in_a_team and _names_more(o)]

    answers = {
        str(o): call(http, o, values, own.coordinator.headers, hostile_body(o, target))
        for o in routes
    }

    let_in = {o: a.status_code for o, a in answers.items() if a.is_success}
    assert let_in == {}
    secrets = (SESSION_NOTE, PRIVATE_NOTE, target.mentees[1].name)
    assert {o for o, a in answers.items() if any(s in a.text for s in secrets)} == set()


def _names_more(operation: Operation) -> bool:
    """A route whose path or body names something besides the team."""
    named = operation.path.replace("{team_id}", "").count("_id}") > 0
    bodies = ("/mentorships", "/groups", "/shares", "/member-teams")
    return named or (operation.method == "POST" and operation.path.endswith(bodies))


def readable_routes(documented: list[Operation]) -> list[Operation]:
    return [
        o
        for o in member_routes(documented)
        if o.method == "GET" and not o.streams and "export" not in o.path
    ]


def test_private_preferences_reach_no_response_of_anyone_else(
    documented: list[Operation], programme: Programme, http: httpx.Client
) -> None:
    """Every GET as every other member of the team: no private wish anywhere."""
    team = programme.alder
    owner = team.mentees[1]
    leaks = []
    for reader in (p for p in team.people if p != owner):
        for operation in readable_routes(documented):
            if operation.path.startswith("/api/v1/me/profile"):
                continue
            answer = call(http, operation, values_of(team, reader), reader.headers)
            if PRIVATE_NOTE in answer.text or IDENTITY in answer.text:
                leaks.append(f"{operation} as {reader.name}")
    assert leaks == []


def test_session_notes_reach_only_the_pair(
    documented: list[Operation], programme: Programme, http: httpx.Client
) -> None:
    team = programme.alder
    pair = {team.mentors[0], team.mentees[0]}
    seen_by = set()
    for reader in team.people:
        for operation in readable_routes(documented):
            answer = call(http, operation, values_of(team, reader), reader.headers)
            if SESSION_NOTE in answer.text:
                seen_by.add(reader)
    assert seen_by == pair


def test_exports_hold_no_private_preferences_nor_session_notes(
    programme: Programme, http: httpx.Client
) -> None:
    team = programme.alder
    models = ["directory", "groups", "mentorships", "shares", "progress"]
    models += ["material", "activity"]
    for model in models:
        answer = http.get(
            f"/teams/{team.team_id}/export/{model}.csv",
            headers=team.coordinator.headers,
        )
        assert answer.status_code == 200, model
        for secret in (PRIVATE_NOTE, IDENTITY, SESSION_NOTE):
            assert secret not in answer.text, model


def test_private_preferences_and_session_notes_are_never_indexed(
    rig: Rig, programme: Programme
) -> None:
    search = httpx.post(
        f"{rig.stack.opensearch_url}/{rig.run.prefix}*/_search",
        json={"query": {"query_string": {"query": "*"}}, "size": 10000},
        timeout=30,
    )
    text = search.text

    assert search.status_code == 200
    assert search.json()["hits"]["total"]["value"] > 10
    for secret in (PRIVATE_NOTE, IDENTITY, SESSION_NOTE):
        assert secret not in text
