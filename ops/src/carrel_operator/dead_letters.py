"""Dead letters: listing, inspecting, and retrying them after a fix.

A retry publishes the letter's original value, with its key, to the topic it
came from, with the header ``carrel-retry-of`` naming the letter. Which
letters were retried is recorded in a small compacted topic keyed by letter,
after the copy is acknowledged, so retrying the same letter again does
nothing. A crash between the two sends the copy twice; consumers are
idempotent, so the event is still applied once.

The projection's ledger takes an event for a duplicate when a later event of
its aggregate was applied while the letter waited; ``carrel-ops dead-letters
retry`` therefore also re-projects the aggregates of the projection's letters
from their history (:mod:`carrel_operator.reprojection`).

Known shortcoming: two operators retrying the same letter at the same moment
may both publish it (the ledger is read, then written); idempotent consumers
absorb the duplicate.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson
from aiokafka import AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from carrel_events import DecodeError, dead_letter_topic, decode
from carrel_events.clients import Kafka, kafka_client_options
from carrel_events.serialisation import DecodedEvent

from carrel_operator.adapters.kafka import read_to_end

logger = logging.getLogger(__name__)

RETRY_HEADER = "carrel-retry-of"


@dataclass(frozen=True)
class DeadLetter:
    """One message of a dead-letter topic, with the reasons in its headers."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]
    timestamp_ms: int

    @property
    def letter_id(self) -> str:
        return f"{self.topic}:{self.partition}:{self.offset}"

    @property
    def original_topic(self) -> str:
        return self.headers.get("carrel-original-topic", "")

    @property
    def original_partition(self) -> int | None:
        partition = self.headers.get("carrel-original-partition", "")
        return int(partition) if partition.isdigit() else None

    @property
    def original_place(self) -> str:
        partition = self.headers.get("carrel-original-partition", "?")
        return f"{self.original_topic}[{partition}]@" + self.headers.get(
            "carrel-original-offset", "?"
        )

    @property
    def error(self) -> str:
        return self.headers.get("carrel-error", "")

    @property
    def error_type(self) -> str:
        return self.headers.get("carrel-error-type", "")

    @property
    def consumer(self) -> str:
        return self.headers.get("carrel-consumer", "")

    def event(self) -> DecodedEvent | None:
        """The letter's event, or None when it cannot be decoded."""
        try:
            return decode(self.value)
        except DecodeError:
            return None


@dataclass
class RetryReport:
    retried: list[str] = field(default_factory=list)
    already_retried: list[str] = field(default_factory=list)


def dead_letter_topics(topics: Iterable[str]) -> list[str]:
    return [dead_letter_topic(t) for t in topics]


async def read_dead_letters(
    bootstrap: Kafka, topics: Sequence[str]
) -> list[DeadLetter]:
    """Every letter now in these dead-letter topics, oldest first per partition."""
    return [_letter(r) for r in await read_to_end(bootstrap, topics)]


def _letter(record: ConsumerRecord) -> DeadLetter:
    headers = {name: value.decode(errors="replace") for name, value in record.headers}
    return DeadLetter(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        headers=headers,
        timestamp_ms=record.timestamp,
    )


class RetryLedger:
    """Which letters were retried: a compacted topic keyed by letter id."""

    def __init__(self, bootstrap: Kafka, topic: str) -> None:
        self._bootstrap = bootstrap
        self.topic = topic

    async def ensure(self) -> None:
        admin = AIOKafkaAdminClient(**kafka_client_options(self._bootstrap))
        await admin.start()
        try:
            compacted = {"cleanup.policy": "compact"}
            await admin.create_topics(
                [NewTopic(self.topic, 1, 1, topic_configs=compacted)]
            )
        except TopicAlreadyExistsError:
            pass
        finally:
            await admin.close()

    async def retried(self) -> set[str]:
        records = await read_to_end(self._bootstrap, [self.topic])
        return {r.key.decode() for r in records if r.key and r.value is not None}

    async def record(self, producer: AIOKafkaProducer, letter: DeadLetter) -> None:
        value = {
            "retried_at": datetime.now(UTC).isoformat(),
            "to": letter.original_topic,
        }
        await producer.send_and_wait(
            self.topic, orjson.dumps(value), key=letter.letter_id.encode()
        )


async def retry_letters(
    bootstrap: Kafka,
    letters: Sequence[DeadLetter],
    ledger: RetryLedger,
    *,
    again: bool = False,
) -> RetryReport:
    """Publish each letter back to its original topic, once unless ``again``."""
    await ledger.ensure()
    done = await ledger.retried()
    report = RetryReport()
    producer = AIOKafkaProducer(
        **kafka_client_options(bootstrap), enable_idempotence=True, acks="all"
    )
    await producer.start()
    try:
        for letter in letters:
            if letter.letter_id in done and not again:
                report.already_retried.append(letter.letter_id)
                continue
            await _republish(producer, letter)
            await ledger.record(producer, letter)
            report.retried.append(letter.letter_id)
    finally:
        await producer.stop()
    return report


async def _republish(producer: AIOKafkaProducer, letter: DeadLetter) -> None:
    if not letter.original_topic:
        raise ValueError(f"letter {letter.letter_id} does not name its topic")
    await producer.send_and_wait(
        letter.original_topic,
        letter.value,
        key=letter.key,
        headers=[(RETRY_HEADER, letter.letter_id.encode())],
    )
    logger.info("retried %s to %s", letter.letter_id, letter.original_place)
