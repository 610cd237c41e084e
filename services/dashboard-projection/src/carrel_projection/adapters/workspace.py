"""A batch's working set of documents: read once, changed in memory, written once.

Events of a batch are applied one after another to the documents held here,
so a later event sees what an earlier one did before anything is written.
Only documents whose content changed are written back.
"""

from collections.abc import Iterable

from carrel_projection.adapters.store import DocumentStore, Stored, Write
from carrel_projection.domain.documents import Document, Model, same_content

Key = tuple[Model, str]


class Workspace:
    """The documents one batch reads and changes."""

    def __init__(self, store: DocumentStore) -> None:
        self._store = store
        self._read: dict[Key, Stored | None] = {}
        self._current: dict[Key, Document | None] = {}
        self._appended: dict[Key, Document] = {}

    async def prefetch(self, keys: Iterable[Key]) -> None:
        """Read in one request per model every key not yet held."""
        by_model: dict[Model, set[str]] = {}
        for model, doc_id in keys:
            if (model, doc_id) not in self._read:
                by_model.setdefault(model, set()).add(doc_id)
        for model, ids in by_model.items():
            found = await self._store.fetch(model, ids)
            for doc_id in ids:
                stored = found.get(doc_id)
                self._read[(model, doc_id)] = stored
                self._current[(model, doc_id)] = stored.source if stored else None

    async def get(self, model: Model, doc_id: str) -> Document | None:
        await self.prefetch([(model, doc_id)])
        return self._current[(model, doc_id)]

    def held(self, model: Model, doc_id: str) -> Document | None:
        """A document already read, without reading (None if not held)."""
        return self._current.get((model, doc_id))

    def put(self, model: Model, doc_id: str, document: Document) -> None:
        if (model, doc_id) not in self._read:
            raise KeyError(f"{model}/{doc_id} must be read before it is written")
        self._current[(model, doc_id)] = document

    def delete(self, model: Model, doc_id: str) -> None:
        if (model, doc_id) not in self._read:
            raise KeyError(f"{model}/{doc_id} must be read before it is deleted")
        self._current[(model, doc_id)] = None

    def append(self, model: Model, doc_id: str, document: Document) -> None:
        """A document written once and never changed (an activity entry)."""
        self._appended[(model, doc_id)] = document

    async def ids_in_team(self, model: Model, team_id: str) -> list[str]:
        return [doc_id async for doc_id in self._store.ids_in_team(model, team_id)]

    def writes(self) -> list[Write]:
        """What must be written: changed documents, deletions and appends."""
        writes = []
        for key, document in self._current.items():
            stored = self._read[key]
            before = stored.source if stored else None
            if same_content(before, document):
                continue
            writes.append(_write(key, stored, document))
        for (model, doc_id), document in self._appended.items():
            team = document.get("team_id")
            writes.append(Write("append", model, doc_id, document, None, team))
        return writes


def _write(key: Key, stored: Stored | None, document: Document | None) -> Write:
    model, doc_id = key
    read_at = (stored.seq_no, stored.primary_term) if stored else None
    if document is None:
        team = stored.source.get("team_id") if stored else None
        return Write("delete", model, doc_id, None, read_at, team)
    return Write("put", model, doc_id, document, read_at, document.get("team_id"))
