from uuid import UUID, uuid4

from carrel_events import Catalogue, Envelope
from carrel_events.catalogue import EventPayload
from carrel_events.envelope import event_id_for
from carrel_events.relay import EnvelopeFactory
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class Shelf(Aggregate):
    @event("ShelfBuilt")
    def __init__(self, label: str, team_id: UUID) -> None:
        self.label = label
        self.team_id = team_id

    @event("ShelfRelabelled")
    def relabel(self, label: str, correlation_id: UUID) -> None:
        self.label = label

    @event("ShelfDusted")
    def dust(self) -> None:
        pass


class ShelfBuilt(EventPayload):
    event_type = "ShelfBuilt"
    aggregate_type = "Shelf"
    label: str


class ShelfRelabelled(EventPayload):
    event_type = "ShelfRelabelled"
    aggregate_type = "Shelf"
    label: str


def envelopes_of(shelf: Shelf) -> list[Envelope | None]:
    catalogue = Catalogue()
    catalogue.register(ShelfBuilt, ShelfRelabelled)
    factory = EnvelopeFactory(catalogue)
    return [factory(e) for e in shelf.collect_events()]


def test_a_domain_event_becomes_an_envelope_with_a_stable_id() -> None:
    team_id, correlation_id = uuid4(), uuid4()
    shelf = Shelf("Maps", team_id)
    shelf.relabel("Atlases", correlation_id)

    built, relabelled = envelopes_of(shelf)

    assert built is not None and relabelled is not None
    assert built.event_type == "ShelfBuilt"
    assert built.payload == {"label": "Maps"}
    assert built.team_id == team_id
    assert built.event_id == event_id_for(shelf.id, 1)
    assert built.correlation_id == built.event_id
    assert relabelled.aggregate_version == 2
    assert relabelled.correlation_id == correlation_id
    assert relabelled.causation_id == correlation_id


def test_an_event_outside_the_catalogue_stays_inside_the_service() -> None:
    shelf = Shelf("Maps", uuid4())
    shelf.dust()

    assert envelopes_of(shelf)[1] is None


def test_the_same_position_always_yields_the_same_event_id() -> None:
    application: Application[UUID] = Application()
    shelf = Shelf("Maps", uuid4())
    application.save(shelf)
    stored: Shelf = application.repository.get(shelf.id)

    assert event_id_for(stored.id, 1) == event_id_for(shelf.id, 1)
    assert event_id_for(shelf.id, 1) != event_id_for(shelf.id, 2)
