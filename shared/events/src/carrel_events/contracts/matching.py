"""Events of the matching service (contracts to be filled by the matching work)."""

from carrel_events.catalogue import Catalogue, EventPayload

EVENTS: tuple[type[EventPayload], ...] = ()


def register_upcasters(catalogue: Catalogue) -> None:
    """No matching event has an old version to lift yet."""
