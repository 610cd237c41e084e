"""Signing in (invitation, join link, sign-in link), signing out, and who I am.

There is no mailer yet: a sign-in link is handed to whoever asked for it (a
coordinator for a member of their team, or the operator), who passes it on.
"""

import logging
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID, uuid4, uuid5

from carrel_events.names import plain_name
from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from starlette.responses import Response

from carrel_gateway.adapters.services import Caller
from carrel_gateway.entrypoints.dependencies import (
    SESSION_COOKIE,
    Coordinator,
    CurrentSession,
    Gateway,
    GatewayDep,
    MaybeSession,
    limit_sign_in,
    request_id_of,
)
from carrel_gateway.entrypoints.refusals import refusal, violation
from carrel_gateway.identity.membership import Role
from carrel_gateway.identity.tokens import (
    InvalidToken,
    LinkUsedAlready,
    Session,
    SignInGrant,
    TokenExpired,
)

logger = logging.getLogger(__name__)
_INVITEES = UUID("6f1c7a9e-2d4b-5c1e-9a8f-3b7d0e4c2a15")

router = APIRouter(prefix="/api/v1", tags=["sessions"])
SignInLimited = [Depends(limit_sign_in)]

DisplayName = Annotated[
    str,
    Field(min_length=1, max_length=120),
    AfterValidator(plain_name),
]
Token = Annotated[str, Field(min_length=1, max_length=2000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InvitationAcceptance(Body):
    invitation_id: UUID
    token: Token
    display_name: DisplayName | None = None
    """Needed when no one is signed in: the name of the new member's profile."""


class JoinByLink(Body):
    team_id: UUID
    token: Token
    roles: list[Role] = Field(min_length=1, max_length=3)
    display_name: DisplayName | None = None


class SignInByLink(Body):
    token: Token


class SessionAnswer(BaseModel):
    member_id: UUID
    team_ids: list[UUID]
    expires_at: datetime
    access_token: str
    """Send as ``Authorization: Bearer``; pages get the same in an HttpOnly cookie."""
    token_type: Literal["bearer"] = "bearer"


class SignInLink(BaseModel):
    link: str
    expires_at: datetime


class TeamPlace(BaseModel):
    team_id: UUID
    name: str | None
    roles: list[Role]
    """Empty while a join request waits for a coordinator."""


class Me(BaseModel):
    member_id: UUID
    expires_at: datetime
    teams: list[TeamPlace]


def start_session(
    gateway: Gateway, response: Response, member_id: UUID, teams: tuple[UUID, ...]
) -> SessionAnswer:
    """Sign the session and set it as the pages' cookie."""
    token, session = gateway.signer.issue_session(member_id, teams)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=gateway.settings.session_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=gateway.settings.secure_cookies,
        path="/",
    )
    return SessionAnswer(
        member_id=member_id,
        team_ids=list(session.team_ids),
        expires_at=session.expires_at,
        access_token=token,
    )


def sign_in_link(gateway: Gateway, member_id: UUID, team_id: UUID) -> SignInLink:
    """A one-time link that signs the member in to the team."""
    token, expires_at = gateway.signer.issue_sign_in(member_id, team_id)
    link = f"{gateway.settings.public_url.rstrip('/')}/sign-in/link?token={token}"
    return SignInLink(link=link, expires_at=expires_at)


async def create_profile(
    gateway: Gateway, caller: Caller, display_name: str | None
) -> None:
    """A new member's profile; one that exists already is fine, a failure raises."""
    if display_name is None:
        return
    answer = await gateway.services.call(
        "profile",
        "POST",
        "/api/v1/profiles",
        caller,
        json={"id": str(caller.member_id), "display_name": display_name},
    )
    if answer.status_code not in (201, 409):
        raise refusal(answer)


def _newcomer(
    session: Session | None, display_name: str | None, invitation: UUID | None = None
) -> tuple[UUID, tuple[UUID, ...], str | None]:
    if session is not None:
        return session.member_id, session.team_ids, None
    if display_name is None:
        raise violation(
            ["body", "display_name"], "a new member needs a name", "missing"
        )
    # The invitee's id follows from the invitation, so that a retry after a
    # failure finds the profile it made rather than making another person.
    member_id = invitee_id(invitation) if invitation else uuid4()
    return member_id, (), display_name


def invitee_id(invitation_id: UUID) -> UUID:
    """The member id of whoever accepts this invitation as a newcomer."""
    return uuid5(_INVITEES, str(invitation_id))


@router.post(
    "/sessions/invitation",
    status_code=status.HTTP_201_CREATED,
    dependencies=SignInLimited,
)
async def accept_invitation(
    body: InvitationAcceptance,
    session: MaybeSession,
    gateway: GatewayDep,
    request: Request,
    response: Response,
) -> SessionAnswer:
    """Accept an invitation with its token: join the team and be signed in."""
    member_id, teams, new_name = _newcomer(
        session, body.display_name, body.invitation_id
    )
    caller = Caller(request_id_of(request), member_id)
    # The profile first: if it fails, nothing is accepted and a retry works.
    # Someone who knows the invitation id (it travels with the token in the
    # link) could name the profile first; the invitee can rename it.
    await create_profile(gateway, caller, new_name)
    path = f"/api/v1/invitations/{body.invitation_id}/accept"
    answer = await gateway.services.call(
        "teams", "POST", path, caller, json={"token": body.token}
    )
    if not answer.is_success:
        raise refusal(answer)
    team_id = UUID(answer.json()["id"])
    gateway.memberships.forget(team_id)
    return start_session(gateway, response, member_id, (*teams, team_id))


@router.post(
    "/sessions/join", status_code=status.HTTP_201_CREATED, dependencies=SignInLimited
)
async def join_by_link(
    body: JoinByLink,
    session: MaybeSession,
    gateway: GatewayDep,
    request: Request,
    response: Response,
) -> SessionAnswer:
    """Ask to join through a team's join link; signed in while a coordinator decides."""
    member_id, teams, new_name = _newcomer(session, body.display_name)
    caller = Caller(request_id_of(request), member_id)
    path = f"/api/v1/teams/{body.team_id}/join-requests"
    answer = await gateway.services.call(
        "teams", "POST", path, caller, json={"token": body.token, "roles": body.roles}
    )
    if not answer.is_success:
        raise refusal(answer)
    await create_profile(gateway, caller, new_name)
    return start_session(gateway, response, member_id, (*teams, body.team_id))


@router.post(
    "/sessions/sign-in-link",
    status_code=status.HTTP_201_CREATED,
    dependencies=SignInLimited,
)
async def redeem_sign_in_link(
    body: SignInByLink,
    session: MaybeSession,
    gateway: GatewayDep,
    request: Request,
    response: Response,
) -> SessionAnswer:
    """Sign in with a one-time link from a coordinator or the operator."""
    grant = await _redeemed(gateway, body.token)
    place = await gateway.memberships.of(
        grant.team_id, grant.member_id, request_id_of(request)
    )
    if place is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "no longer a member")
    kept = session.team_ids if session and session.member_id == grant.member_id else ()
    return start_session(gateway, response, grant.member_id, (*kept, grant.team_id))


async def _redeemed(gateway: Gateway, token: str) -> SignInGrant:
    """The link's grant, used up now; a refusal says no more than it must."""
    try:
        grant = gateway.signer.read_sign_in(token)
        await gateway.used_links.redeem(grant)
    except (TokenExpired, LinkUsedAlready) as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(error)) from None
    except InvalidToken as error:
        logger.info("a sign-in link was refused: %s", error)
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "the sign-in link is not valid"
        ) from None
    return grant


@router.delete("/sessions/current", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(
    response: Response, session: MaybeSession, gateway: GatewayDep
) -> None:
    """Sign out: the session ends, for its cookie and its bearer token alike."""
    if session is not None and session.token_id is not None:
        await gateway.used_links.end(session.token_id, session.expires_at)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me")
async def who_am_i(
    session: CurrentSession, gateway: GatewayDep, request: Request
) -> Me:
    """Who is signed in, until when, and their roles in each team they are in."""
    request_id = request_id_of(request)
    places = []
    for team_id in session.team_ids:
        place = await _place_in(gateway, team_id, session.member_id, request_id)
        if place is not None:
            places.append(place)
    return Me(member_id=session.member_id, expires_at=session.expires_at, teams=places)


async def _place_in(
    gateway: Gateway, team_id: UUID, member_id: UUID, request_id: str
) -> TeamPlace | None:
    """The member's place in a team the session names; None once they are out.

    A session outlives a departure: a member who left or was removed is not
    in the team any more, whatever their token says. A join request still
    waiting for a coordinator is a place with no roles yet.
    """
    membership = await gateway.memberships.of(team_id, member_id, request_id)
    answer = await gateway.services.call(
        "teams", "GET", f"/api/v1/teams/{team_id}", Caller(request_id)
    )
    team = answer.json() if answer.is_success else {}
    waiting = str(member_id) in team.get("join_requests", [])
    if membership is None and not waiting:
        return None
    roles = sorted(membership.roles) if membership else []
    return TeamPlace(team_id=team_id, name=team.get("name"), roles=roles)


@router.post(
    "/teams/{team_id}/members/{member_id}/sign-in-link",
    status_code=status.HTTP_201_CREATED,
    tags=["teams"],
)
async def issue_sign_in_link(
    team_id: UUID,
    member_id: UUID,
    _: Coordinator,
    gateway: GatewayDep,
    request: Request,
) -> SignInLink:
    """A one-time sign-in link for a member of the team; coordinators only."""
    if await gateway.memberships.of(team_id, member_id, request_id_of(request)) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no member {member_id}")
    return sign_in_link(gateway, member_id, team_id)
