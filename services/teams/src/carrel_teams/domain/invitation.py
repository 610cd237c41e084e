"""Invitations: a token sent to an address, accepted once, revocable, re-sendable.

Only the SHA-256 of a token is recorded; the token itself travels in the link
returned to the coordinator and in the mailer outbox. There is one invitation
per address and team (its id derives from both), so the same address is never
invited twice at once, even by two imports that race.

The address and the name stay in this service's event store for the mailer
and for re-sending. Erasing a person's address later would need the events
encrypted per person (crypto-shredding); that is not built yet.
"""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from carrel_teams.domain.errors import RuleViolated
from carrel_teams.domain.team import ordered_roles


def normalised_email(email: str) -> str:
    return email.strip().lower()


def email_hash(email: str) -> str:
    # A plain SHA-256: consumers can match addresses without reading them, but
    # anyone holding a list of candidate addresses can test them against it. A
    # keyed hash would stop that and is not done yet.
    return hashlib.sha256(normalised_email(email).encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_id_for(team_id: UUID, hashed_email: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"carrel:invitation:{team_id}:{hashed_email}")


class Invitation(Aggregate):
    """An invitation of one address to one team, with the roles it offers."""

    @staticmethod
    def create_id(team_id: UUID, email_hash: str) -> UUID:
        return invitation_id_for(team_id, email_hash)

    @event("MemberInvited")
    def __init__(
        self,
        team_id: UUID,
        email_hash: str,
        email: str,
        name: str,
        roles: list[str],
        invited_by: UUID,
        token_hash: str,
        expires_at: datetime,
        source: str,
        correlation_id: UUID,
    ) -> None:
        self.team_id = team_id
        self.email = email
        self.name = name
        self.roles = roles
        self._token_hash = token_hash
        self.expires_at = expires_at
        self.status = "pending"
        self.person_id: UUID | None = None

    @classmethod
    def issue(
        cls,
        team_id: UUID,
        email: str,
        name: str,
        roles: Iterable[str],
        invited_by: UUID,
        token: str,
        expires_at: datetime,
        source: str,
        correlation_id: UUID,
    ) -> "Invitation":
        return cls(
            team_id=team_id,
            email_hash=email_hash(email),
            email=normalised_email(email),
            name=name,
            roles=ordered_roles(roles),
            invited_by=invited_by,
            token_hash=token_hash(token),
            expires_at=expires_at,
            source=source,
            correlation_id=correlation_id,
        )

    def is_open(self, now: datetime) -> bool:
        """Pending and not yet expired: the address may not be invited again."""
        return self.status == "pending" and now < self.expires_at

    def resend(
        self, token: str, expires_at: datetime, actor: UUID, correlation_id: UUID
    ) -> None:
        """A new token replaces the old one; a revoked invitation comes back too."""
        if self.status == "accepted":
            msg = "the invitation was already accepted"
            raise RuleViolated(["invitation_id"], msg, "value_error.accepted")
        self._resent(
            team_id=self.team_id,
            token_hash=token_hash(token),
            resent_by=actor,
            expires_at=expires_at,
            correlation_id=correlation_id,
        )

    @event("InvitationResent")
    def _resent(
        self,
        team_id: UUID,
        token_hash: str,
        resent_by: UUID,
        expires_at: datetime,
        correlation_id: UUID,
    ) -> None:
        self._token_hash = token_hash
        self.expires_at = expires_at
        self.status = "pending"

    def revoke(self, actor: UUID, correlation_id: UUID) -> None:
        if self.status != "pending":
            msg = f"the invitation is {self.status}, not pending"
            raise RuleViolated(["invitation_id"], msg, "value_error.not_pending")
        self._revoked(
            team_id=self.team_id, revoked_by=actor, correlation_id=correlation_id
        )

    @event("InvitationRevoked")
    def _revoked(self, team_id: UUID, revoked_by: UUID, correlation_id: UUID) -> None:
        self.status = "revoked"

    def accept(
        self, token: str, person_id: UUID, now: datetime, correlation_id: UUID
    ) -> None:
        """The invited person presents the token; the caller admits them."""
        if not hmac.compare_digest(self._token_hash, token_hash(token)):
            raise RuleViolated(["token"], "the token is not valid", "value_error.token")
        if self.status != "pending":
            msg = f"the invitation is {self.status}, not pending"
            raise RuleViolated(["token"], msg, "value_error.not_pending")
        if now >= self.expires_at:
            raise RuleViolated(["token"], "the invitation has expired", "value_error")
        self._accepted(
            team_id=self.team_id, person_id=person_id, correlation_id=correlation_id
        )

    @event("InvitationAccepted")
    def _accepted(self, team_id: UUID, person_id: UUID, correlation_id: UUID) -> None:
        self.status = "accepted"
        self.person_id = person_id
