"""The read models' indices in OpenSearch, as the operator sees them."""

import logging
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from carrel_projection.adapters.read_models import DEFINITIONS
from carrel_projection.domain.documents import Document, Model
from opensearchpy import AsyncOpenSearch
from opensearchpy.helpers import async_scan

from carrel_operator.comparison import Snapshot
from carrel_operator.versions import (
    ModelIndices,
    build_prefix,
    index_name,
    live_alias,
    model_indices,
)

logger = logging.getLogger(__name__)

MODELS = tuple(d.model for d in DEFINITIONS)


async def read_indices(client: AsyncOpenSearch, prefix: str) -> list[ModelIndices]:
    """Every version of every model's index under ``prefix``, and the live one."""
    answer = await client.indices.get_alias(
        index=f"{prefix}-*", ignore_unavailable=True, allow_no_indices=True
    )
    aliases = {index: list(body.get("aliases", {})) for index, body in answer.items()}
    return model_indices(prefix, MODELS, aliases)


async def create_version(client: AsyncOpenSearch, prefix: str, version: int) -> None:
    """Create version ``version`` of every model, each behind its build alias."""
    building = build_prefix(prefix, version)
    for definition in DEFINITIONS:
        versioned = replace(definition, version=version)
        body = versioned.body() | {
            "aliases": {live_alias(building, definition.model): {}}
        }
        await client.indices.create(index=versioned.index(prefix), body=body)
        logger.info("created %s for a rebuild", versioned.index(prefix))


async def switch(client: AsyncOpenSearch, actions: list[dict[str, Any]]) -> None:
    """Apply alias actions in one request, which OpenSearch applies atomically."""
    await client.indices.update_aliases(body={"actions": actions})


async def drop_version(
    client: AsyncOpenSearch, prefix: str, models: Iterable[Model], version: int
) -> list[str]:
    """Delete version ``version`` of these models; the names deleted."""
    names = [index_name(prefix, model, version) for model in models]
    for name in names:
        await client.indices.delete(index=name)
        logger.info("dropped %s", name)
    return names


async def counts(client: AsyncOpenSearch, targets: dict[str, str]) -> dict[str, int]:
    """Documents per model, ``targets`` naming the index or alias of each."""
    await client.indices.refresh(index=",".join(targets.values()))
    found = {}
    for model, target in targets.items():
        answer = await client.count(index=target)
        found[model] = int(answer["count"])
    return found


async def snapshot(client: AsyncOpenSearch, targets: dict[str, str]) -> Snapshot:
    """Every document per model, ``targets`` naming the index or alias of each."""
    await client.indices.refresh(index=",".join(targets.values()))
    documents: dict[str, dict[str, Document]] = {}
    for model, target in targets.items():
        query: dict[str, Any] = {"query": {"match_all": {}}}
        hits = async_scan(client, query=query, index=target, size=1000)
        documents[model] = {hit["_id"]: hit["_source"] async for hit in hits}
    return documents


def aliases_of(prefix: str) -> dict[str, str]:
    """Each model's alias under ``prefix``, by model name."""
    return {model.value: live_alias(prefix, model) for model in MODELS}
