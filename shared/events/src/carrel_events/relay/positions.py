"""How far each relay got, kept in the write service's own database."""

from psycopg import AsyncConnection

_CREATE = """
CREATE TABLE IF NOT EXISTS carrel_relay_position (
    relay text PRIMARY KEY,
    notification_id bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
)
"""
_SELECT = "SELECT notification_id FROM carrel_relay_position WHERE relay = %s"
_UPSERT = """
INSERT INTO carrel_relay_position (relay, notification_id) VALUES (%s, %s)
ON CONFLICT (relay) DO UPDATE
SET notification_id = EXCLUDED.notification_id, updated_at = now()
"""


class RelayPositions:
    """The last notification id that Kafka acknowledged, per relay."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def create_table(self) -> None:
        async with self._connection.transaction():
            await self._connection.execute(_CREATE)

    async def get(self, relay: str) -> int:
        cursor = await self._connection.execute(_SELECT, (relay,))
        row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def set(self, relay: str, notification_id: int) -> None:
        async with self._connection.transaction():
            await self._connection.execute(_UPSERT, (relay, notification_id))
