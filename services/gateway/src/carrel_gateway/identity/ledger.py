"""Which one-time sign-in links were used already, and which sessions ended.

A session ends when its member signs out: its id joins the ledger until the
token would have expired anyway, and every request checks it.

One gateway may keep the ledger in its memory (:class:`UsedLinks`). Several
gateways behind one address must share it, or a link used at one could be used
again at another: :class:`SharedUsedLinks` keeps it in a PostgreSQL table that
every gateway writes to, and a primary key decides which redemption was first.
The in-memory ledger is also forgotten on a restart, so a used link could be
used again until it expires (``sign_in_link_minutes``, 30 by default).

When the shared ledger's database does not answer, its methods raise
:class:`LedgerUnavailable`, which the gateway answers with a 503.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from threading import Lock
from typing import Protocol
from uuid import UUID

import psycopg
from psycopg_pool import AsyncConnectionPool

from carrel_gateway.identity.tokens import LinkUsedAlready, SignInGrant, utc_now


class LedgerUnavailable(Exception):
    """The ledger's database did not answer (down, restarting, out of reach)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the gateway's database is not answering ({reason})")


class Ledger(Protocol):
    async def redeem(self, grant: SignInGrant) -> None:
        """Mark the link used; a second use is refused."""

    async def end(self, token_id: UUID, expires_at: datetime) -> None:
        """Mark a session signed out."""

    async def ended(self, token_id: UUID) -> bool:
        """Whether the session was signed out."""

    async def close(self) -> None:
        """Let go of what the ledger holds open."""


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

    async def end(self, token_id: UUID, expires_at: datetime) -> None:
        with self._lock:
            self._forget_expired()
            self._used[token_id] = expires_at

    async def ended(self, token_id: UUID) -> bool:
        with self._lock:
            return token_id in self._used

    async def close(self) -> None:
        """Nothing is held open."""

    def _forget_expired(self) -> None:
        now = self._clock()
        for token_id in [t for t, until in self._used.items() if until <= now]:
            del self._used[token_id]


class SharedUsedLinks:
    """The ledger in PostgreSQL, shared by every gateway that names the database.

    Every request asks whether its session ended, so the ledger keeps a small
    pool of connections; a primary-key lookup answers.
    """

    def __init__(self, dsn: str, clock: Callable[[], datetime] = utc_now) -> None:
        self._pool = AsyncConnectionPool(
            dsn, min_size=1, max_size=4, open=False, kwargs={"autocommit": True}
        )
        self._clock = clock

    async def open(self) -> None:
        """Open the pool and make the table, if missing."""
        await self._pool.open(wait=True)
        async with self._pool.connection() as connection:
            await connection.execute(
                "CREATE TABLE IF NOT EXISTS gateway_used_links ("
                " token_id uuid PRIMARY KEY, expires_at timestamptz NOT NULL)"
            )

    async def close(self) -> None:
        await self._pool.close()

    async def redeem(self, grant: SignInGrant) -> None:
        """Mark the link used; a second use, at any gateway, is refused."""
        if not await self._spend(grant.token_id, grant.expires_at):
            raise LinkUsedAlready("this sign-in link was used already")

    async def end(self, token_id: UUID, expires_at: datetime) -> None:
        await self._spend(token_id, expires_at)

    async def ended(self, token_id: UUID) -> bool:
        async with self._connection() as connection:
            found = await connection.execute(
                "SELECT 1 FROM gateway_used_links WHERE token_id = %s", (token_id,)
            )
            return await found.fetchone() is not None

    async def _spend(self, token_id: UUID, expires_at: datetime) -> bool:
        """Record the id; False when it was there already."""
        async with self._connection() as connection:
            await connection.execute(
                "DELETE FROM gateway_used_links WHERE expires_at <= %s",
                (self._clock(),),
            )
            inserted = await connection.execute(
                "INSERT INTO gateway_used_links (token_id, expires_at)"
                " VALUES (%s, %s) ON CONFLICT (token_id) DO NOTHING",
                (token_id, expires_at),
            )
            return inserted.rowcount == 1

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[psycopg.AsyncConnection[object]]:
        """A connection of the pool; an outage becomes :class:`LedgerUnavailable`.

        AdminShutdown, a refused connection and a pool that waited in vain are
        all ``OperationalError``; so is the pool of a closed ledger.
        """
        try:
            async with self._pool.connection() as connection:
                yield connection
        except (psycopg.OperationalError, psycopg.InterfaceError) as error:
            raise LedgerUnavailable(type(error).__name__) from error
