"""A three-broker Kafka cluster loses a broker under load: nothing is lost.

Three KRaft nodes of our own on free ports; a topic with three replicas, two
of them in sync at least. An idempotent producer (acks=all) writes numbered
events while two consumer runtimes of one group (Carrel's ConsumerRuntime)
take them; one broker is killed with ``kill -9`` halfway and started again
later. Every event acknowledged must be taken, and events written after the
kill must be taken too (no consumer stuck on the dead broker).

Only under ``make soak``: three more JVMs do not fit CI's time on 2 cores.
"""

import asyncio
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError
from carrel_events.consumer import ConsumerRuntime, Delivery
from carrel_events.envelope import Envelope
from carrel_events.serialisation import encode

from tests.faults.rig import soaking
from tests.faults.servers import KafkaCluster, wait_for_metadata
from tests.integration.backbone_support import TallyAdded, tally_catalogue

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not soaking(), reason="three brokers run under make soak"),
]

EVENTS = 6000
AGGREGATES = 30
TOPIC = "faults.tallies"


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[KafkaCluster]:
    cluster = KafkaCluster(tmp_path / "cluster", size=3)
    try:
        cluster.start()
        asyncio.run(wait_for_metadata(cluster.bootstrap, within_seconds=120))
        yield cluster
    finally:
        cluster.stop()


class Taken:
    """What the consumers applied, once each."""

    def __init__(self) -> None:
        self.events: set[tuple[uuid.UUID, int]] = set()
        self.deliveries = 0
        self.last_at = time.monotonic()

    async def __call__(self, deliveries: Sequence[Delivery]) -> None:
        for delivery in deliveries:
            envelope = delivery.event.envelope
            self.events.add((envelope.aggregate_id, envelope.aggregate_version))
        self.deliveries += len(deliveries)
        self.last_at = time.monotonic()


def envelope(aggregate_id: uuid.UUID, version: int) -> bytes:
    event_id = uuid.uuid5(aggregate_id, str(version))
    return encode(
        Envelope(
            event_id=event_id,
            event_type="TallyAdded",
            schema_version=1,
            aggregate_type="Tally",
            aggregate_id=aggregate_id,
            aggregate_version=version,
            team_id=None,
            occurred_at=datetime.now(UTC),
            correlation_id=event_id,
            causation_id=event_id,
            payload=TallyAdded(amount=1).model_dump(mode="json"),
        )
    )


async def produce(
    bootstrap: str, acknowledged: set[tuple[uuid.UUID, int]], halfway: asyncio.Event
) -> None:
    aggregates = [uuid.uuid4() for _ in range(AGGREGATES)]
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, acks="all"
    )
    await producer.start()
    try:
        for n in range(EVENTS):
            aggregate, version = aggregates[n % AGGREGATES], n // AGGREGATES + 1
            await _send_until_acknowledged(producer, aggregate, version)
            acknowledged.add((aggregate, version))
            if n == EVENTS // 2:
                halfway.set()
            await asyncio.sleep(0.005)
    finally:
        await producer.stop()


async def _send_until_acknowledged(
    producer: AIOKafkaProducer, aggregate: uuid.UUID, version: int
) -> None:
    """Kafka's own retries first; while leaders move, ours on top."""
    for _ in range(60):
        try:
            await producer.send_and_wait(
                TOPIC, envelope(aggregate, version), key=aggregate.bytes
            )
            return
        except KafkaError:
            await asyncio.sleep(1)
    raise AssertionError(f"{aggregate}@{version} was never acknowledged")


async def test_a_broker_killed_under_load_loses_nothing_and_strands_no_consumer(
    cluster: KafkaCluster,
) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=cluster.bootstrap)
    await admin.start()
    await admin.create_topics(
        [NewTopic(TOPIC, 6, 3, topic_configs={"min.insync.replicas": "2"})]
    )
    await admin.close()
    taken = Taken()
    runtimes = [
        ConsumerRuntime(
            group="faults-cluster",
            topics=[TOPIC],
            handler=taken,
            bootstrap_servers=cluster.bootstrap,
            catalogue=tally_catalogue(),
        )
        for _ in range(2)
    ]
    stop = asyncio.Event()
    for runtime in runtimes:
        await runtime.start()
    consuming = [asyncio.create_task(r.run(stop)) for r in runtimes]
    acknowledged: set[tuple[uuid.UUID, int]] = set()
    halfway = asyncio.Event()
    producing = asyncio.create_task(produce(cluster.bootstrap, acknowledged, halfway))

    await halfway.wait()
    victim = cluster.nodes[1]
    await asyncio.to_thread(cluster.kill, victim)
    await asyncio.sleep(30)
    await asyncio.to_thread(cluster.start_node, victim)
    await producing
    deadline = time.monotonic() + 180
    while not acknowledged <= taken.events and time.monotonic() < deadline:
        await asyncio.sleep(1)
    stop.set()
    await asyncio.gather(*consuming)
    for runtime in runtimes:
        await runtime.stop()

    assert len(acknowledged) == EVENTS
    assert acknowledged - taken.events == set()
