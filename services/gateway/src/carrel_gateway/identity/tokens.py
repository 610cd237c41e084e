"""Signed, expiring tokens: sessions and one-time sign-in links (PyJWT, HS256).

A session token names the member and the teams they signed in to; it is not a
permission: every team route asks the teams service for the member's roles.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from uuid import UUID, uuid4

import jwt

Purpose = Literal["session", "sign-in"]
ALGORITHM = "HS256"
ISSUER = "carrel-gateway"


class InvalidToken(Exception):
    """A token that is forged, expired, used up, or for another purpose.

    The message says what was wrong, for our logs; answers to clients say
    less (see ``entrypoints.dependencies``), so that a forger learns nothing.
    """


class TokenExpired(InvalidToken):
    """A genuine token whose time is up."""


class LinkUsedAlready(InvalidToken):
    """A genuine one-time sign-in link that was redeemed before."""


@dataclass(frozen=True)
class Session:
    """Who is signed in, in which teams, until when."""

    member_id: UUID
    team_ids: tuple[UUID, ...]
    expires_at: datetime
    token_id: UUID | None = None
    """Names the session for signing out; None in tokens issued before it."""


@dataclass(frozen=True)
class SignInGrant:
    """What a redeemed sign-in link grants: a session for one member and team."""

    token_id: UUID
    member_id: UUID
    team_id: UUID
    expires_at: datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


class TokenSigner:
    """Issues and verifies the gateway's tokens with one secret."""

    def __init__(
        self,
        secret: str,
        session_lifetime: timedelta,
        link_lifetime: timedelta,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._secret = secret
        self._session_lifetime = session_lifetime
        self._link_lifetime = link_lifetime
        self._clock = clock

    def issue_session(
        self, member_id: UUID, team_ids: tuple[UUID, ...]
    ) -> tuple[str, Session]:
        """A session token and what it says."""
        expires_at = self._clock() + self._session_lifetime
        token_id = uuid4()
        claims = {
            "teams": [str(team) for team in dict.fromkeys(team_ids)],
            "jti": str(token_id),
        }
        token = self._sign("session", member_id, expires_at, claims)
        teams = tuple(dict.fromkeys(team_ids))
        return token, Session(member_id, teams, expires_at, token_id)

    def read_session(self, token: str) -> Session:
        claims = self._verify(token, "session")
        listed = claims.get("teams", [])
        try:
            if not isinstance(listed, list):
                raise TypeError("teams is not a list")
            teams = tuple(UUID(str(team)) for team in listed)
            token_id = UUID(str(claims["jti"])) if "jti" in claims else None
        except (TypeError, ValueError):
            raise InvalidToken("the session names a team that is not an id") from None
        return Session(UUID(str(claims["sub"])), teams, _expiry(claims), token_id)

    def issue_sign_in(self, member_id: UUID, team_id: UUID) -> tuple[str, datetime]:
        """A one-time sign-in token for a member of a team, and when it expires."""
        expires_at = self._clock() + self._link_lifetime
        claims = {"team": str(team_id), "jti": str(uuid4())}
        return self._sign("sign-in", member_id, expires_at, claims), expires_at

    def read_sign_in(self, token: str) -> SignInGrant:
        claims = self._verify(token, "sign-in")
        try:
            token_id, team_id = UUID(str(claims["jti"])), UUID(str(claims["team"]))
        except (KeyError, ValueError):
            raise InvalidToken("the sign-in link is incomplete") from None
        member_id = UUID(str(claims["sub"]))
        return SignInGrant(token_id, member_id, team_id, _expiry(claims))

    def _sign(
        self,
        purpose: Purpose,
        member_id: UUID,
        expires_at: datetime,
        extra: Mapping[str, object],
    ) -> str:
        claims = {
            "iss": ISSUER,
            "sub": str(member_id),
            "purpose": purpose,
            "iat": self._clock(),
            "exp": expires_at,
            **extra,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def _verify(self, token: str, purpose: Purpose) -> dict[str, object]:
        try:
            claims: dict[str, object] = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                # Expiry is checked below against our clock, the one that issued.
                options={
                    "require": ["exp", "iat", "sub", "purpose"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from None
        if claims.get("purpose") != purpose:
            raise InvalidToken(f"this is not a {purpose} token")
        if _expiry(claims) <= self._clock():
            raise TokenExpired("the token has expired")
        try:
            UUID(str(claims["sub"]))
        except ValueError:
            raise InvalidToken("the token names no member") from None
        return claims


def _expiry(claims: dict[str, object]) -> datetime:
    exp = claims["exp"]
    if not isinstance(exp, int | float):
        raise InvalidToken("the token's expiry is not a time")
    return datetime.fromtimestamp(exp, UTC)
