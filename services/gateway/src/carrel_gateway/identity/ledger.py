"""Which one-time sign-in links were used already.

One gateway may keep the ledger in its memory (:class:`UsedLinks`). Several
gateways behind one address must share it, or a link used at one could be used
again at another: :class:`SharedUsedLinks` keeps it in a PostgreSQL table that
every gateway writes to, and a primary key decides which redemption was first.
The in-memory ledger is also forgotten on a restart, so a used link could be
used again until it expires (``sign_in_link_minutes``, 30 by default).
"""

from collections.abc import Callable
from datetime import datetime
from threading import Lock
from typing import Protocol
from uuid import UUID

import psycopg

from carrel_gateway.identity.tokens import LinkUsedAlready, SignInGrant, utc_now


class Ledger(Protocol):
    async def redeem(self, grant: SignInGrant) -> None:
        """Mark the link used; a second use is refused."""


class UsedLinks:
    """Remembers redeemed sign-in links in this process until they expire."""

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self._used: dict[UUID, datetime] = {}
        self._lock = Lock()
        self._clock = clock

    async def redeem(self, grant: SignInGrant) -> None:
        """Mark the link used; a second use is refused."""
        with self._lock:
            self._forget_expired()
            if grant.token_id in self._used:
                raise LinkUsedAlready("this sign-in link was used already")
            self._used[grant.token_id] = grant.expires_at

    def _forget_expired(self) -> None:
        now = self._clock()
        for token_id in [t for t, until in self._used.items() if until <= now]:
            del self._used[token_id]


class SharedUsedLinks:
    """The ledger in PostgreSQL, shared by every gateway that names the database.

    One short connection per redemption: sign-ins are rare next to the other
    requests, and the gateway keeps no pool it would otherwise not need.
    """

    TABLE = "gateway_used_links"

    def __init__(self, dsn: str, clock: Callable[[], datetime] = utc_now) -> None:
        self._dsn = dsn
        self._clock = clock

    async def create_table(self) -> None:
        async with await psycopg.AsyncConnection.connect(
            self._dsn, autocommit=True
        ) as connection:
            await connection.execute(
                "CREATE TABLE IF NOT EXISTS gateway_used_links ("
                " token_id uuid PRIMARY KEY, expires_at timestamptz NOT NULL)"
            )

    async def redeem(self, grant: SignInGrant) -> None:
        """Mark the link used; a second use, at any gateway, is refused."""
        async with await psycopg.AsyncConnection.connect(
            self._dsn, autocommit=True
        ) as connection:
            await connection.execute(
                "DELETE FROM gateway_used_links WHERE expires_at <= %s",
                (self._clock(),),
            )
            inserted = await connection.execute(
                "INSERT INTO gateway_used_links (token_id, expires_at)"
                " VALUES (%s, %s) ON CONFLICT (token_id) DO NOTHING",
                (grant.token_id, grant.expires_at),
            )
            if inserted.rowcount == 0:
                raise LinkUsedAlready("this sign-in link was used already")
