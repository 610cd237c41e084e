"""Versions of the read-model indices, and the one request that switches them.

Each model lives in ``<prefix>-<model>-v<N>`` behind the alias
``<prefix>-<model>``. A rebuild writes version N+1 through a build alias
``<prefix>-rebuild<N+1>-<model>`` (so the projection's store, which writes
through aliases, can fill it unchanged), then moves every live alias and
drops every build alias in one ``_aliases`` request: OpenSearch applies it
atomically, so no reader ever sees a mix of versions.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from carrel_projection.domain.documents import Model


@dataclass(frozen=True)
class ModelIndices:
    """The versions of one model's index that exist, and which one is live."""

    model: Model
    versions: tuple[int, ...]
    live: int | None
    building: int | None = None


def index_name(prefix: str, model: Model, version: int) -> str:
    return f"{prefix}-{model.value}-v{version}"


def live_alias(prefix: str, model: Model) -> str:
    return f"{prefix}-{model.value}"


def build_prefix(prefix: str, version: int) -> str:
    """The prefix whose aliases point at the indices of a rebuild."""
    return f"{prefix}-rebuild{version}"


def model_indices(
    prefix: str, models: Iterable[Model], aliases: Mapping[str, Iterable[str]]
) -> list[ModelIndices]:
    """Versions per model from ``{index name: its aliases}``.

    Names that are not exactly ``<prefix>-<model>-v<N>`` belong to another
    prefix (``carrel`` and ``carrel-test-1`` share a wildcard) and are ignored.
    """
    found = []
    for model in models:
        pattern = re.compile(rf"^{re.escape(live_alias(prefix, model))}-v(\d+)$")
        versions: dict[int, set[str]] = {}
        for index, names in aliases.items():
            match = pattern.match(index)
            if match:
                versions[int(match.group(1))] = set(names)
        live = [
            v for v, names in versions.items() if live_alias(prefix, model) in names
        ]
        building_alias = f"-{model.value}"
        building = [
            v
            for v, names in versions.items()
            if build_prefix(prefix, v) + building_alias in names
        ]
        found.append(
            ModelIndices(
                model,
                tuple(sorted(versions)),
                live[0] if live else None,
                building[0] if building else None,
            )
        )
    return found


def next_version(indices: Iterable[ModelIndices]) -> int:
    """One more than any version of any model: the whole set moves together."""
    return max((max(m.versions, default=0) for m in indices), default=0) + 1


def switch_actions(
    prefix: str, indices: Iterable[ModelIndices], version: int
) -> list[dict[str, Any]]:
    """The ``_aliases`` actions that make ``version`` live for every model."""
    actions: list[dict[str, Any]] = []
    for model in indices:
        alias = live_alias(prefix, model.model)
        new = index_name(prefix, model.model, version)
        if model.live is not None and model.live != version:
            old = index_name(prefix, model.model, model.live)
            actions.append({"remove": {"index": old, "alias": alias}})
        actions.append({"add": {"index": new, "alias": alias}})
        building = live_alias(build_prefix(prefix, version), model.model)
        actions.append({"remove": {"index": new, "alias": building}})
    return actions


def droppable(indices: Iterable[ModelIndices], version: int) -> list[Model]:
    """Models that have ``version``; raises if it is live or being built."""
    models = []
    for model in indices:
        if version == model.live:
            raise ValueError(f"v{version} of {model.model.value} is live")
        if version == model.building:
            raise ValueError(f"v{version} of {model.model.value} is being built")
        if version in model.versions:
            models.append(model.model)
    return models
