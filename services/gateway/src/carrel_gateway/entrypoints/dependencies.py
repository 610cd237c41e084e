"""Who is asking and what they may do: every route's access rules live here.

``TeamMember`` is the one check of team membership: a route whose path takes
a ``{team_id}`` depends on it (a test walks the routes to hold us to that),
and the role checks ``Coordinator`` and ``Mentor`` are built on top of it.
"""

import hmac
import logging
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Header, HTTPException, Path, Request, status
from starlette.responses import Response

from carrel_gateway.adapters.memberships import Memberships
from carrel_gateway.adapters.rate_limits import RateLimits, RouteClass
from carrel_gateway.adapters.services import Caller, Service, Services
from carrel_gateway.entrypoints.refusals import refusal
from carrel_gateway.identity.ledger import Ledger
from carrel_gateway.identity.membership import Membership
from carrel_gateway.identity.tokens import (
    InvalidToken,
    Session,
    TokenExpired,
    TokenSigner,
)
from carrel_gateway.settings import GatewaySettings

logger = logging.getLogger(__name__)

SESSION_COOKIE = "carrel_session"
CSRF_HEADER = "X-Requested-With"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotSignedIn(Exception):
    """No valid session came with the request."""


@dataclass(frozen=True)
class Gateway:
    """What the gateway holds for its whole life."""

    settings: GatewaySettings
    services: Services
    memberships: Memberships
    signer: TokenSigner
    used_links: Ledger
    rate_limits: RateLimits


def gateway_of(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


GatewayDep = Annotated[Gateway, Depends(gateway_of)]


def request_id_of(request: Request) -> str:
    request_id: str = request.state.request_id
    return request_id


def presented_token(request: Request) -> tuple[str, bool] | None:
    """The session token and whether it came in the cookie; None if absent."""
    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials:
        return credentials.strip(), False
    cookie = request.cookies.get(SESSION_COOKIE)
    return (cookie, True) if cookie else None


def optional_session(request: Request, gateway: GatewayDep) -> Session | None:
    """The session if a valid one came with the request."""
    presented = presented_token(request)
    if presented is None:
        return None
    try:
        return gateway.signer.read_session(presented[0])
    except InvalidToken:
        return None


async def still_signed_in(request: Request, gateway: GatewayDep) -> Session | None:
    """The session if a valid one came with the request and was not signed out."""
    session = optional_session(request, gateway)
    if session is None or session.token_id is None:
        return session
    return None if await gateway.used_links.ended(session.token_id) else session


async def current_session(request: Request, gateway: GatewayDep) -> Session:
    """The signed-in member's session; 401 for the API, sign-in page for pages.

    A write that authenticates with the cookie must also carry
    ``X-Requested-With``: a form on another site cannot set that header,
    which, with the SameSite=Lax cookie, keeps cross-site writes out.
    """
    presented = presented_token(request)
    if presented is None:
        raise NotSignedIn("sign in first")
    token, from_cookie = presented
    session = _read_session(gateway.signer, token)
    unsafe = request.method not in _SAFE_METHODS
    if from_cookie and unsafe and CSRF_HEADER.lower() not in request.headers:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"a write signed in by cookie needs the {CSRF_HEADER} header",
        )
    if session.token_id is not None and await gateway.used_links.ended(
        session.token_id
    ):
        raise NotSignedIn("you signed out; sign in again")
    return session


def _read_session(signer: TokenSigner, token: str) -> Session:
    """The session, or a refusal that says no more than expired or not valid.

    Why a token failed (bad signature, undecodable header, wrong purpose) is
    for our log only: told to the caller, it would coach a forger.
    """
    try:
        return signer.read_session(token)
    except TokenExpired:
        raise NotSignedIn("the session has expired; sign in again") from None
    except InvalidToken as error:
        logger.info("a session token was refused: %s", error)
        raise NotSignedIn("the session token is not valid; sign in again") from None


CurrentSession = Annotated[Session, Depends(current_session)]
MaybeSession = Annotated[Session | None, Depends(still_signed_in)]


async def team_membership(
    team_id: Annotated[UUID, Path(description="The team")],
    session: CurrentSession,
    gateway: GatewayDep,
    request: Request,
) -> Membership:
    """The caller's roles in the path's team; 404 when they are not a member.

    404 rather than 403: a team one does not belong to is not there for them.
    """
    membership = await gateway.memberships.of(
        team_id, session.member_id, request_id_of(request)
    )
    if membership is None:
        logger.info("member %s is not in team %s", session.member_id, team_id)
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no team {team_id}")
    return membership


TeamMember = Annotated[Membership, Depends(team_membership)]


def coordinator(membership: TeamMember) -> Membership:
    """The caller coordinates the path's team."""
    if not membership.is_coordinator:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "coordinators only")
    return membership


def mentor(membership: TeamMember) -> Membership:
    """The caller mentors in the path's team."""
    if not membership.holds("mentor"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "mentors only")
    return membership


Coordinator = Annotated[Membership, Depends(coordinator)]
Mentor = Annotated[Membership, Depends(mentor)]


async def same_member_or_coordinator(
    member_id: Annotated[UUID, Path(description="A member of the team")],
    membership: TeamMember,
    gateway: GatewayDep,
    request: Request,
) -> UUID:
    """The path's member, if that is the caller or the caller coordinates them."""
    if not membership.may_act_for(member_id):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "only the member or a coordinator"
        )
    if member_id != membership.member_id:
        # A coordinator acts for members of their own team, nobody else.
        team_id = membership.team_id
        if (
            await gateway.memberships.of(team_id, member_id, request_id_of(request))
            is None
        ):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no member {member_id}")
    return member_id


SelfOrCoordinator = Annotated[UUID, Depends(same_member_or_coordinator)]


def operator(
    gateway: GatewayDep,
    x_carrel_operator_key: Annotated[str | None, Header()] = None,
) -> None:
    """The caller presented the operator key from the environment."""
    configured = gateway.settings.operator_key
    if configured is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "operator routes are off")
    expected = configured.get_secret_value().encode()
    given = (x_carrel_operator_key or "").encode()
    if not given or not hmac.compare_digest(expected, given):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not the operator key")


def _limit(request: Request, gateway: Gateway, route_class: RouteClass) -> None:
    session = optional_session(request, gateway)
    client = request.client.host if request.client else "unknown"
    who = f"member:{session.member_id}" if session else f"address:{client}"
    verdict = gateway.rate_limits.check(route_class, who)
    if not verdict.allowed:
        logger.info("rate limit of %s reached by %s", route_class, who)
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many requests; wait and try again",
            headers={"Retry-After": str(verdict.retry_after_seconds)},
        )


def limit_writes(request: Request, gateway: GatewayDep) -> None:
    """Counts writes per member (or address); reads are not limited."""
    if request.method not in _SAFE_METHODS:
        _limit(request, gateway, "write")


def limit_sign_in(request: Request, gateway: GatewayDep) -> None:
    """Counts sign-in attempts per address, whoever they claim to be."""
    client = request.client.host if request.client else "unknown"
    verdict = gateway.rate_limits.check("sign-in", f"address:{client}")
    if not verdict.allowed:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many sign-in attempts; wait and try again",
            headers={"Retry-After": str(verdict.retry_after_seconds)},
        )


@dataclass(frozen=True)
class Relay:
    """Passes the current request on to a service, as the signed-in member."""

    request: Request
    caller: Caller
    services: Services

    async def to(
        self, service: Service, path: str, streaming: bool = False
    ) -> Response:
        return await self.services.forward(
            self.request, service, path, self.caller, streaming=streaming
        )

    async def read(self, service: Service, path: str) -> dict[str, Any]:
        """A JSON object read from a service; its refusal becomes ours."""
        answer = await self.services.call(service, "GET", path, self.caller)
        if not answer.is_success:
            raise refusal(answer)
        found: dict[str, Any] = answer.json()
        return found

    async def ensure_in_team(self, service: Service, path: str, team_id: UUID) -> None:
        """404 unless the thing at ``path`` belongs to the team in our path.

        Groups, invitations and mentorships have ids of their own at the
        teams service; the gateway reaches them only through their team.
        """
        found = await self.read(service, path)
        if str(found.get("team_id")) != str(team_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not in this team")


def relay_of(request: Request, session: CurrentSession, gateway: GatewayDep) -> Relay:
    caller = Caller(request_id_of(request), session.member_id)
    return Relay(request, caller, gateway.services)


RelayDep = Annotated[Relay, Depends(relay_of)]
