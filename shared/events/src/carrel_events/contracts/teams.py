"""Events of the teams service (contracts to be filled by the teams work)."""

from carrel_events.catalogue import Catalogue, EventPayload

EVENTS: tuple[type[EventPayload], ...] = ()


def register_upcasters(catalogue: Catalogue) -> None:
    """No teams event has an old version to lift yet."""
