"""Session tokens and one-time sign-in links, with a clock the tests move."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import jwt
import pytest
from carrel_gateway.identity.ledger import UsedLinks
from carrel_gateway.identity.tokens import InvalidToken, TokenSigner

SECRET = "s" * 40


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 5, 1, 9, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def signer(clock: Clock) -> TokenSigner:
    return TokenSigner(SECRET, timedelta(hours=1), timedelta(minutes=10), clock)


def test_a_session_says_who_and_which_teams(signer: TokenSigner) -> None:
    member, team = uuid4(), uuid4()

    token, issued = signer.issue_session(member, (team, team))
    read = signer.read_session(token)

    assert read.member_id == member
    assert read.team_ids == (team,)
    assert read.expires_at == issued.expires_at


def test_a_session_past_its_expiry_is_refused(
    signer: TokenSigner, clock: Clock
) -> None:
    token, _ = signer.issue_session(uuid4(), ())

    clock.now += timedelta(hours=1, seconds=1)

    with pytest.raises(InvalidToken, match="expired"):
        signer.read_session(token)


def test_a_token_signed_with_another_secret_is_refused(signer: TokenSigner) -> None:
    other = TokenSigner("o" * 40, timedelta(hours=1), timedelta(minutes=10))
    token, _ = other.issue_session(uuid4(), ())

    with pytest.raises(InvalidToken):
        signer.read_session(token)


def test_an_unsigned_token_is_refused(signer: TokenSigner) -> None:
    token, _ = signer.issue_session(uuid4(), ())
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(claims, key=None, algorithm="none")

    with pytest.raises(InvalidToken):
        signer.read_session(forged)


def test_a_sign_in_link_is_not_a_session_and_a_session_not_a_link(
    signer: TokenSigner,
) -> None:
    link, _ = signer.issue_sign_in(uuid4(), uuid4())
    session, _ = signer.issue_session(uuid4(), ())

    with pytest.raises(InvalidToken, match="session"):
        signer.read_session(link)
    with pytest.raises(InvalidToken, match="sign-in"):
        signer.read_sign_in(session)


async def test_a_sign_in_link_works_once(signer: TokenSigner, clock: Clock) -> None:
    used = UsedLinks(clock)
    member, team = uuid4(), uuid4()
    token, _ = signer.issue_sign_in(member, team)

    grant = signer.read_sign_in(token)
    await used.redeem(grant)

    assert (grant.member_id, grant.team_id) == (member, team)
    with pytest.raises(InvalidToken, match="used already"):
        await used.redeem(signer.read_sign_in(token))


def test_a_sign_in_link_expires(signer: TokenSigner, clock: Clock) -> None:
    token, _ = signer.issue_sign_in(uuid4(), uuid4())

    clock.now += timedelta(minutes=11)

    with pytest.raises(InvalidToken, match="expired"):
        signer.read_sign_in(token)
