"""The catalogue: which payload model and schema version each event type has.

An event recorded long ago keeps the schema version it was written with. When
it is read, the catalogue's upcasters lift its payload, one version at a time,
to the current model; the stored event is never rewritten.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

logger = logging.getLogger(__name__)

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class EventPayload(BaseModel):
    """Base of every payload model; subclasses name their event and version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    aggregate_type: ClassVar[str]


class UnknownEventType(LookupError):
    """The catalogue has no payload model for this event type."""


class NewerSchemaVersion(ValueError):
    """An event was written at a schema version this reader does not know yet."""


@dataclass
class Catalogue:
    """Payload models by event type, and upcasters by (event type, version)."""

    payloads: dict[str, type[EventPayload]] = field(default_factory=dict)
    upcasters: dict[tuple[str, int], Upcaster] = field(default_factory=dict)

    def register(self, *payloads: type[EventPayload]) -> None:
        for payload in payloads:
            known = self.payloads.get(payload.event_type)
            if known is not None and known is not payload:
                msg = f"event type {payload.event_type!r} is registered twice"
                raise ValueError(msg)
            self.payloads[payload.event_type] = payload

    def register_upcaster(
        self, event_type: str, from_version: int, upcaster: Upcaster
    ) -> None:
        """Add the step that lifts ``event_type`` from ``from_version`` by one."""
        self.upcasters[(event_type, from_version)] = upcaster

    def payload_type(self, event_type: str) -> type[EventPayload]:
        try:
            return self.payloads[event_type]
        except KeyError:
            raise UnknownEventType(event_type) from None

    def knows(self, event_type: str) -> bool:
        return event_type in self.payloads

    def upcast(
        self, event_type: str, version: int, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """Bring a payload written at ``version`` to the current version."""
        current = self.payload_type(event_type).schema_version
        if version > current:
            msg = f"{event_type} v{version} is newer than this reader (v{current})"
            raise NewerSchemaVersion(msg)
        while version < current:
            step = self.upcasters.get((event_type, version))
            if step is None:
                msg = f"no upcaster for {event_type} from v{version}"
                raise LookupError(msg)
            payload = step(payload)
            version += 1
        return payload

    def missing_upcasters(self, event_type: str) -> list[int]:
        """The versions below the current one that no upcaster lifts."""
        current = self.payload_type(event_type).schema_version
        return [
            version
            for version in range(1, current)
            if (event_type, version) not in self.upcasters
        ]

    def event_types(self) -> Iterable[str]:
        return sorted(self.payloads)
