"""Index definitions of the read models, with strict mappings, and their creation.

Each model lives in a versioned index ``<prefix>-<model>-v<N>`` behind the
alias ``<prefix>-<model>``; readers and writers use only the alias, so a new
version can be built beside the old one and the alias moved. Every mapping
is ``dynamic: strict``: a field the code does not declare is refused rather
than guessed, so the mapping cannot explode. Objects kept only for the
projection's own bookkeeping (``applied``, ``mentorships``, ``goals``) are
``enabled: false``: stored in the source, never indexed.
"""

import logging
from dataclasses import dataclass, field
from typing import Any

from opensearchpy import AsyncOpenSearch
from opensearchpy.exceptions import RequestError

from carrel_projection.domain.documents import Model

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Field:
    """One field of a mapping and what it means, for the generated docs."""

    mapping: dict[str, Any]
    about: str


def keyword(about: str) -> Field:
    return Field({"type": "keyword"}, about)


def number(about: str, kind: str = "integer") -> Field:
    return Field({"type": kind}, about)


def flag(about: str) -> Field:
    return Field({"type": "boolean"}, about)


def moment(about: str) -> Field:
    return Field({"type": "date"}, about)


def text(about: str, with_keyword: bool = False) -> Field:
    mapping: dict[str, Any] = {"type": "text", "analyzer": "folded"}
    if with_keyword:
        mapping["fields"] = {"keyword": {"type": "keyword", "ignore_above": 256}}
    return Field(mapping, about)


def private_object(about: str) -> Field:
    return Field({"type": "object", "enabled": False}, about)


LEDGER = private_object(
    "Last version applied from each aggregate (``{aggregate_id: version}``); "
    "makes duplicates and replays change nothing"
)
UPDATED = moment("When the last event that changed this document happened")
TEAM = keyword("The team this document belongs to; every read filters on it")

ANALYSIS: dict[str, Any] = {
    "analyzer": {
        "folded": {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["lowercase", "asciifolding"],
        },
        "skill_words": {
            "type": "custom",
            "tokenizer": "skill_parts",
            "filter": ["lowercase", "asciifolding"],
        },
    },
    "tokenizer": {"skill_parts": {"type": "pattern", "pattern": "[._:\\-\\s]+"}},
    "normalizer": {
        "folded_keyword": {"type": "custom", "filter": ["lowercase", "asciifolding"]}
    },
}


@dataclass(frozen=True)
class IndexDefinition:
    """A read model's index: mapping, refresh interval and why that interval."""

    model: Model
    about: str
    fields: dict[str, Field]
    refresh_interval: str
    refresh_reason: str
    version: int = 1
    analysis: dict[str, Any] = field(default_factory=lambda: ANALYSIS)

    def alias(self, prefix: str) -> str:
        return f"{prefix}-{self.model.value}"

    def index(self, prefix: str) -> str:
        return f"{self.alias(prefix)}-v{self.version}"

    def body(self) -> dict[str, Any]:
        """The create-index request: settings and the strict mapping."""
        properties = {name: f.mapping for name, f in self.fields.items()}
        settings = {
            "number_of_shards": 1,
            "number_of_replicas": 0,
            "refresh_interval": self.refresh_interval,
            "analysis": self.analysis,
        }
        mappings = {"dynamic": "strict", "properties": properties}
        return {"settings": {"index": settings}, "mappings": mappings}


async def ensure_indices(
    client: AsyncOpenSearch, prefix: str, definitions: tuple[IndexDefinition, ...]
) -> None:
    """Create each versioned index and its alias, unless the alias exists.

    Several processes (the HTTP server and the consumers) do this at start-up
    on a fresh cluster; whichever loses the race to create an index takes the
    winner's index as its own.
    """
    for definition in definitions:
        alias = definition.alias(prefix)
        if await client.indices.exists_alias(name=alias):
            await _add_new_fields(client, alias, definition)
            continue
        index = definition.index(prefix)
        await _create_index(client, index, definition.body())
        # The alias may have appeared meanwhile, and may name a rebuilt index.
        if await client.indices.exists_alias(name=alias):
            continue
        await client.indices.put_alias(index=index, name=alias)
        logger.info("alias %s -> %s", alias, index)


async def _add_new_fields(
    client: AsyncOpenSearch, alias: str, definition: IndexDefinition
) -> None:
    """Bring an existing index up to the definition's fields.

    A field added to a definition is added to the live mapping in place, so a
    running system takes it without a rebuild; a field whose type changed is
    refused by OpenSearch, and that needs a new version and ``carrel-ops
    rebuild``.
    """
    properties = definition.body()["mappings"]["properties"]
    await client.indices.put_mapping(index=alias, body={"properties": properties})


async def _create_index(
    client: AsyncOpenSearch, index: str, body: dict[str, Any]
) -> None:
    try:
        await client.indices.create(index=index, body=body)
    except RequestError as error:
        if error.error != "resource_already_exists_exception":
            raise
        logger.info("index %s already exists; another process made it", index)
    else:
        logger.info("created index %s", index)


async def drop_indices(
    client: AsyncOpenSearch, prefix: str, definitions: tuple[IndexDefinition, ...]
) -> None:
    """Delete every index of these models (for tests and rebuilds)."""
    for definition in definitions:
        index = definition.index(prefix)
        if await client.indices.exists(index=index):
            await client.indices.delete(index=index)
