"""Attached files, kept in PostgreSQL under the SHA-256 of their bytes."""

from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert

from carrel_resources.adapters.tables import stored_files
from carrel_resources.domain.attachments import AttachedFile


@dataclass(frozen=True)
class StoredFile:
    media_type: str
    content: bytes


class PostgresFileStore:
    """Content-addressed: the same bytes are stored once, whoever sends them."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def put(self, file: AttachedFile) -> None:
        statement = insert(stored_files).values(
            sha256=file.sha256,
            media_type=file.media_type,
            size_bytes=file.size_bytes,
            content=file.content,
        )
        with self._engine.begin() as connection:
            connection.execute(statement.on_conflict_do_nothing())

    def get(self, sha256: str) -> StoredFile | None:
        query = select(stored_files.c.media_type, stored_files.c.content).where(
            stored_files.c.sha256 == sha256
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return StoredFile(row.media_type, bytes(row.content)) if row else None
