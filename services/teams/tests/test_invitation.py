from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from carrel_events.relay import EnvelopeFactory
from carrel_teams.domain.errors import RuleViolated
from carrel_teams.domain.invitation import Invitation, email_hash, token_hash

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def invitation(token: str = "secret-token") -> Invitation:
    return Invitation.issue(
        team_id=uuid4(),
        email=" Ada@Example.org ",
        name="Ada",
        roles=["mentee", "mentor"],
        invited_by=uuid4(),
        token=token,
        expires_at=NOW + timedelta(days=14),
        source="single",
        correlation_id=uuid4(),
    )


def test_the_event_keeps_a_hash_of_the_token_and_the_envelope_no_address() -> None:
    invited = invitation()
    created = invited.collect_events()[0]

    envelope = EnvelopeFactory()(created)

    assert vars(created)["token_hash"] == token_hash("secret-token")
    assert "secret-token" not in str(vars(created))
    assert envelope is not None
    assert envelope.payload["email_hash"] == email_hash("ada@example.org")
    assert "ada@example.org" not in str(envelope.payload).lower()
    assert envelope.payload["roles"] == ["mentor", "mentee"]


def test_the_same_address_in_the_same_team_has_the_same_invitation_id() -> None:
    first = invitation()
    again = Invitation.issue(
        first.team_id,
        "ada@example.org",
        "A",
        ["mentor"],
        uuid4(),
        "t",
        NOW,
        "csv",
        uuid4(),
    )

    assert again.id == first.id


def test_accepting_needs_the_right_token_before_expiry() -> None:
    invited = invitation()

    with pytest.raises(RuleViolated, match="not valid"):
        invited.accept("wrong", uuid4(), NOW, uuid4())
    with pytest.raises(RuleViolated, match="expired"):
        invited.accept("secret-token", uuid4(), NOW + timedelta(days=14), uuid4())
    invited.accept("secret-token", uuid4(), NOW, uuid4())

    assert invited.status == "accepted"


def test_a_revoked_invitation_cannot_be_accepted_until_resent() -> None:
    invited = invitation()
    invited.revoke(uuid4(), uuid4())

    with pytest.raises(RuleViolated, match="revoked"):
        invited.accept("secret-token", uuid4(), NOW, uuid4())
    invited.resend("new-token", NOW + timedelta(days=1), uuid4(), uuid4())

    with pytest.raises(RuleViolated, match="not valid"):
        invited.accept("secret-token", uuid4(), NOW, uuid4())
    invited.accept("new-token", uuid4(), NOW, uuid4())


def test_an_accepted_invitation_is_not_resent() -> None:
    invited = invitation()
    invited.accept("secret-token", uuid4(), NOW, uuid4())

    with pytest.raises(RuleViolated, match="already accepted"):
        invited.resend("again", NOW, uuid4(), uuid4())
