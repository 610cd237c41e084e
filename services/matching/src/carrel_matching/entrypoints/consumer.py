"""``python -m carrel_matching.entrypoints.consumer``: rank as profiles change.

Runs the ``carrel-matching`` consumer group over ``profile.events`` and
``teams.events`` on the backbone's runtime until SIGTERM or SIGINT; what it
decides goes to ``matching.events`` through the outbox.
"""

import asyncio
from dataclasses import dataclass

from carrel_events.consumer import ConsumerRuntime, run_until_signalled
from carrel_events.observability import configure_logging
from carrel_vocabulary import load_vocabulary
from sqlalchemy import Engine

from carrel_matching.adapters.outbox import OutboxPublisher
from carrel_matching.adapters.tables import connect, create_tables
from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.application import MatchingConsumer
from carrel_matching.settings import MatchingSettings


@dataclass
class MatchingProcess:
    """The runtime, its handler's engine and the outbox publisher, to start and stop."""

    runtime: ConsumerRuntime
    engine: Engine
    publisher: OutboxPublisher

    async def start(self) -> None:
        await self.publisher.start()
        await self.publisher.drain()
        await self.runtime.start()

    async def stop(self) -> None:
        try:
            await self.runtime.stop()
        finally:
            await self.publisher.stop()
            self.engine.dispose()


def matching_process(settings: MatchingSettings) -> MatchingProcess:
    """Wire the consumer on the service's tables; creates missing tables."""
    engine = connect(settings.database_url, settings.matching_schema)
    create_tables(engine)
    publisher = OutboxPublisher(engine, settings.kafka_bootstrap)
    handler = MatchingConsumer(
        engine,
        VocabularySkills(load_vocabulary(settings.data_dir)),
        consumer=settings.matching_consumer_group,
        topic=settings.matching_topic,
        top_n=settings.candidates_per_mentee,
        publisher=publisher,
    )
    runtime = ConsumerRuntime(
        group=settings.matching_consumer_group,
        topics=[settings.profile_topic, settings.teams_topic],
        bootstrap_servers=settings.kafka_bootstrap,
        handler=handler,
    )
    return MatchingProcess(runtime, engine, publisher)


async def main() -> None:
    configure_logging("matching-consumer")
    process = matching_process(MatchingSettings())
    await process.publisher.start()
    await process.publisher.drain()

    async def stop_publisher() -> None:
        await process.publisher.stop()
        process.engine.dispose()

    await run_until_signalled(process.runtime, on_stop=stop_publisher)


if __name__ == "__main__":
    asyncio.run(main())
