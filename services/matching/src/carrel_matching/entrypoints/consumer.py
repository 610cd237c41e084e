"""``python -m carrel_matching.entrypoints.consumer``: rank as profiles change.

Runs the ``carrel-matching`` consumer group over ``profile.events`` and
``teams.events`` on the backbone's runtime until SIGTERM or SIGINT; what it
decides goes to ``matching.events`` through the outbox.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from carrel_events.clients import kafka_options
from carrel_events.consumer import ConsumerRuntime, run_until_signalled
from carrel_events.observability import configure_logging, load_worker_settings
from carrel_vocabulary import load_vocabulary
from sqlalchemy import Engine

from carrel_matching.adapters.outbox import OutboxPublisher
from carrel_matching.adapters.tables import connect, create_tables
from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.application import MatchingConsumer
from carrel_matching.settings import MatchingSettings

logger = logging.getLogger(__name__)


@dataclass
class MatchingProcess:
    """The runtime, its handler's engine and the outbox publisher, to start and stop."""

    runtime: ConsumerRuntime
    engine: Engine
    publisher: OutboxPublisher
    handler: MatchingConsumer
    pause_check_seconds: float
    _pauses: "asyncio.Task[None] | None" = None

    async def start(self) -> None:
        await self.publisher.start()
        await self.publisher.drain()
        await self.runtime.start()
        self.start_pause_checks()

    async def stop(self) -> None:
        try:
            await self.stop_pause_checks()
            await self.runtime.stop()
        finally:
            await self.publisher.stop()
            self.engine.dispose()

    def start_pause_checks(self) -> None:
        """Check now and then for mentors whose pause ended: no event tells."""
        self._pauses = asyncio.create_task(self._check_pauses())

    async def stop_pause_checks(self) -> None:
        if self._pauses is not None:
            self._pauses.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pauses

    async def _check_pauses(self) -> None:
        while True:
            try:
                await self.handler.check_pauses()
            except Exception:
                # The next check tries again; the consumer itself runs on.
                logger.exception("could not check for ended pauses")
            await asyncio.sleep(self.pause_check_seconds)


def matching_process(settings: MatchingSettings) -> MatchingProcess:
    """Wire the consumer on the service's tables; creates missing tables."""
    engine = connect(settings.database_url, settings.matching_schema)
    create_tables(engine)
    publisher = OutboxPublisher(engine, kafka_options(settings))
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
        kafka=kafka_options(settings),
        handler=handler,
    )
    return MatchingProcess(
        runtime, engine, publisher, handler, settings.pause_check_seconds
    )


async def main() -> None:
    configure_logging("matching-consumer")
    process = matching_process(load_worker_settings(MatchingSettings))
    await process.publisher.start()
    await process.publisher.drain()
    process.start_pause_checks()

    async def stop_publisher() -> None:
        await process.stop_pause_checks()
        await process.publisher.stop()
        process.engine.dispose()

    await run_until_signalled(process.runtime, on_stop=stop_publisher)


if __name__ == "__main__":
    asyncio.run(main())
