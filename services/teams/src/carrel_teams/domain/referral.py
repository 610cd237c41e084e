"""Referrals: a member invites a colleague, and a coordinator may have to approve.

A referral is an invitation (same id per address and team, same token, same
acceptance) that a member rather than a coordinator started. When the team's
settings ask for approval, it waits: its link does not work until a
coordinator approves it, and approving issues the token the link carries, so
no working link exists before then. Without approval it is pending at once.
"""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from carrel_teams.domain.errors import RuleViolated
from carrel_teams.domain.invitation import (
    Invitation,
    email_hash,
    normalised_email,
    token_hash,
)
from carrel_teams.domain.team import ordered_roles

AWAITING = "awaiting_approval"


class Referral(Invitation):
    """An invitation a member started; ``referred_by`` is that member."""

    # Declared rather than named in @event: a named one would be derived from
    # the parent's MemberInvited and inherit its fields.
    class MemberReferred(Aggregate.Created):
        team_id: UUID
        email_hash: str
        email: str
        name: str
        roles: list[str]
        referred_by: UUID
        token_hash: str
        expires_at: datetime
        awaiting_approval: bool
        correlation_id: UUID

    @event(MemberReferred)
    def __init__(
        self,
        team_id: UUID,
        email_hash: str,
        email: str,
        name: str,
        roles: list[str],
        referred_by: UUID,
        token_hash: str,
        expires_at: datetime,
        awaiting_approval: bool,
        correlation_id: UUID,
    ) -> None:
        self.team_id = team_id
        self.email = email
        self.name = name
        self.roles = roles
        self.referred_by = referred_by
        self._token_hash = token_hash
        self.expires_at = expires_at
        self.status = AWAITING if awaiting_approval else "pending"
        self.person_id: UUID | None = None

    @classmethod
    def refer(
        cls,
        team_id: UUID,
        email: str,
        name: str,
        roles: Iterable[str],
        referred_by: UUID,
        token: str,
        expires_at: datetime,
        awaiting_approval: bool,
        correlation_id: UUID,
    ) -> "Referral":
        chosen = ordered_roles(roles)
        if "coordinator" in chosen:
            msg = "a referral offers the mentor or mentee role, not coordinator"
            raise RuleViolated(["roles"], msg, "value_error.role")
        return cls(
            team_id=team_id,
            email_hash=email_hash(email),
            email=normalised_email(email),
            name=name,
            roles=chosen,
            referred_by=referred_by,
            token_hash=token_hash(token),
            expires_at=expires_at,
            awaiting_approval=awaiting_approval,
            correlation_id=correlation_id,
        )

    @property
    def awaiting_approval(self) -> bool:
        return self.status == AWAITING

    def _require_awaiting(self) -> None:
        if not self.awaiting_approval:
            msg = f"the referral is {self.status}, not awaiting approval"
            raise RuleViolated(["invitation_id"], msg, "value_error.not_awaiting")

    def approve(
        self, token: str, expires_at: datetime, actor: UUID, correlation_id: UUID
    ) -> None:
        """A coordinator lets the referral through; the new token's link works."""
        self._require_awaiting()
        self._approved(
            team_id=self.team_id,
            token_hash=token_hash(token),
            approved_by=actor,
            expires_at=expires_at,
            correlation_id=correlation_id,
        )

    @event("ReferralApproved")
    def _approved(
        self,
        team_id: UUID,
        token_hash: str,
        approved_by: UUID,
        expires_at: datetime,
        correlation_id: UUID,
    ) -> None:
        self._token_hash = token_hash
        self.expires_at = expires_at
        self.status = "pending"

    def decline(self, actor: UUID, correlation_id: UUID) -> None:
        self._require_awaiting()
        self._declined(
            team_id=self.team_id, declined_by=actor, correlation_id=correlation_id
        )

    @event("ReferralDeclined")
    def _declined(self, team_id: UUID, declined_by: UUID, correlation_id: UUID) -> None:
        self.status = "declined"

    def accept(
        self, token: str, person_id: UUID, now: datetime, correlation_id: UUID
    ) -> None:
        """As an invitation's, once a coordinator approved it if the team asks."""
        if self.awaiting_approval:
            msg = "the referral waits for a coordinator of the team to approve it"
            raise RuleViolated(["token"], msg, "value_error.awaiting_approval")
        super().accept(token, person_id, now, correlation_id)

    def resend(
        self, token: str, expires_at: datetime, actor: UUID, correlation_id: UUID
    ) -> None:
        """Sending again is no way round approval, nor round a decline."""
        if self.status in (AWAITING, "declined"):
            msg = f"the referral is {self.status}; approve or decline it instead"
            raise RuleViolated(["invitation_id"], msg, "value_error.not_pending")
        super().resend(token, expires_at, actor, correlation_id)
