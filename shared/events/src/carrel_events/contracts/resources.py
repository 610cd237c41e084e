"""Events of the resources service (contracts to be filled by the resources work)."""

from carrel_events.catalogue import Catalogue, EventPayload

EVENTS: tuple[type[EventPayload], ...] = ()


def register_upcasters(catalogue: Catalogue) -> None:
    """No resources event has an old version to lift yet."""
