"""Reading and writing read-model documents in OpenSearch.

Reads are realtime GETs (``mget``), so the projection sees its own last write
whatever the refresh interval. Writes go in bulk with optimistic concurrency
control: a document read at ``(seq_no, primary_term)`` is written only if it
is still at that point, so two consumers that touch the same document (a
profile partition and a teams partition, say) cannot overwrite each other;
the loser raises, and the consumer runtime retries its batch on fresh reads.
"""

import logging
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from opensearchpy import AsyncOpenSearch
from opensearchpy.helpers import async_scan

from carrel_projection.domain.documents import Document, Model

logger = logging.getLogger(__name__)

BULK_CHUNK = 1000
"""Operations per bulk request: big enough to amortise, small enough to retry."""

NOTIFY = """
ctx._source.sequence += 1;
ctx._source.models = params.models;
ctx._source.changed_at = params.changed_at;
"""


@dataclass(frozen=True)
class Stored:
    """A document as read, with the point it was read at."""

    source: Document
    seq_no: int
    primary_term: int


@dataclass(frozen=True)
class Write:
    """One change to one document.

    ``kind`` is ``put`` (create when ``read_at`` is None, else replace if
    unchanged since read), ``delete`` (if unchanged since read) or
    ``append`` (create once; an existing one means already applied).
    """

    kind: str
    model: Model
    doc_id: str
    document: Document | None
    read_at: tuple[int, int] | None
    team_id: str | None


class BulkWriteFailed(RuntimeError):
    """Some items of a bulk request failed; the batch must be retried."""


class DocumentStore:
    """The read models' documents, addressed by model and id, via the aliases."""

    def __init__(self, client: AsyncOpenSearch, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def alias(self, model: Model) -> str:
        return f"{self.prefix}-{model.value}"

    async def fetch(self, model: Model, ids: Iterable[str]) -> dict[str, Stored]:
        """The documents of these ids that exist, read in realtime."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        answer = await self.client.mget(
            index=self.alias(model), body={"ids": wanted}, realtime=True
        )
        return {
            doc["_id"]: Stored(doc["_source"], doc["_seq_no"], doc["_primary_term"])
            for doc in answer["docs"]
            if doc.get("found")
        }

    async def ids_in_team(self, model: Model, team_id: str) -> AsyncIterator[str]:
        """Every document id of a team in a model (a search: refresh-bound)."""
        query = {"query": {"term": {"team_id": team_id}}, "_source": False}
        async for hit in async_scan(self.client, query=query, index=self.alias(model)):
            yield hit["_id"]

    async def write(self, writes: list[Write]) -> set[tuple[str, Model]]:
        """Apply every write; the (team, model) pairs that really changed.

        Raises :class:`BulkWriteFailed` when any item failed, other than an
        append that was already there.
        """
        changed: set[tuple[str, Model]] = set()
        failures: list[str] = []
        for start in range(0, len(writes), BULK_CHUNK):
            chunk = writes[start : start + BULK_CHUNK]
            body = [line for write in chunk for line in self._operation(write)]
            answer = await self.client.bulk(body=body, refresh="false")
            for write, item in zip(chunk, answer["items"], strict=True):
                outcome = _outcome(write, next(iter(item.values())))
                if outcome == "changed" and write.team_id:
                    changed.add((write.team_id, write.model))
                elif outcome not in ("changed", "unchanged"):
                    failures.append(outcome)
        if failures:
            raise BulkWriteFailed(f"{len(failures)} writes failed: {failures[:3]}")
        return changed

    def _operation(self, write: Write) -> list[dict[str, Any]]:
        # require_alias: a write to a missing alias fails instead of creating
        # an index with a guessed mapping (after a botched rebuild, say).
        target: dict[str, Any] = {
            "_index": self.alias(write.model),
            "_id": write.doc_id,
            "require_alias": True,
        }
        if write.read_at is not None:
            target |= {
                "if_seq_no": write.read_at[0],
                "if_primary_term": write.read_at[1],
            }
        if write.kind == "delete":
            return [{"delete": target}]
        action = "index" if write.read_at is not None else "create"
        return [{action: target}, write.document or {}]

    async def notify(self, changed: set[tuple[str, Model]]) -> None:
        """Raise each changed team's sequence, naming the models that changed."""
        by_team: dict[str, set[str]] = {}
        for team_id, model in changed:
            by_team.setdefault(team_id, set()).add(model.value)
        if not by_team:
            return
        now = datetime.now(UTC).isoformat()
        body: list[dict[str, Any]] = []
        for team_id, models in sorted(by_team.items()):
            params = {"models": sorted(models), "changed_at": now}
            upsert = {"team_id": team_id, "sequence": 1, **params}
            script = {"source": NOTIFY, "lang": "painless", "params": params}
            target = {
                "_index": self.alias(Model.CHANGES),
                "_id": team_id,
                "require_alias": True,
            }
            body += [{"update": {**target, "retry_on_conflict": 5}}]
            body += [{"script": script, "upsert": upsert}]
        answer = await self.client.bulk(body=body, refresh="false")
        if answer["errors"]:
            # Only live notifications are lost; the read models are written.
            logger.warning("could not raise change sequences: %s", answer["items"][:3])


def _outcome(write: Write, item: dict[str, Any]) -> str:
    status = item.get("status", 500)
    if write.kind == "append" and status == 409:
        return "unchanged"
    if write.kind == "delete" and status == 404:
        return "unchanged"
    if "error" in item:
        error = item["error"]
        reason = error.get("reason", "") if isinstance(error, dict) else error
        return f"{write.model.value}/{write.doc_id}: {status} {reason}"
    return "changed"
