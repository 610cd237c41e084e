"""One publishing relay per outbox: a PostgreSQL advisory lock, held by session.

Every copy of a relay asks for the same lock on its own connection; the one
that gets it publishes, the others wait and ask again. The lock belongs to
the database session, so it goes when the holder's connection closes: when
the process exits, is killed, or its host disappears and the server notices
(on TCP keepalive; until then a standby waits). The holder writes its
position on that same connection, so a holder that lost its session fails on
the next write instead of publishing beside its successor.
"""

import asyncio
import contextlib
import hashlib
import logging

from psycopg import AsyncConnection

logger = logging.getLogger(__name__)

_TRY = "SELECT pg_try_advisory_lock(%s)"


def lock_key(table: str, relay: str) -> int:
    """A signed 64-bit key for the relay ``relay`` of the events in ``table``."""
    digest = hashlib.sha256(f"carrel-relay/{table}/{relay}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class RelayLock:
    """The advisory lock of one relay of one outbox, on one connection."""

    def __init__(self, connection: AsyncConnection, key: int, name: str) -> None:
        self._connection = connection
        self._key = key
        self._name = name

    async def try_acquire(self) -> bool:
        cursor = await self._connection.execute(_TRY, (self._key,))
        row = await cursor.fetchone()
        return bool(row and row[0])

    async def acquire(self, stop: asyncio.Event, poll_seconds: float) -> bool:
        """Wait for the lock until ``stop``; True when this copy holds it."""
        waiting_logged = False
        while not stop.is_set():
            if await self.try_acquire():
                logger.info("relay %s holds its lock and publishes", self._name)
                return True
            if not waiting_logged:
                logger.info("relay %s waits: another copy publishes", self._name)
                waiting_logged = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_seconds)
        return False
