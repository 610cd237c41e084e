"""The teams outbox relay: ``python -m carrel_teams.entrypoints.relay``.

It follows the teams notification log and publishes each event to Kafka's
``teams.events`` (or ``CARREL_TEAMS_TOPIC``) until SIGTERM or SIGINT.
"""

import asyncio
import logging
import signal

from carrel_events.clients import kafka_options
from carrel_events.observability import configure_logging, load_worker_settings
from carrel_events.relay import EnvelopeFactory, run_relay

from carrel_teams.application import TeamsApplication
from carrel_teams.settings import TeamsSettings

logger = logging.getLogger(__name__)


async def relay(
    settings: TeamsSettings, stop: asyncio.Event, topic: str | None = None
) -> None:
    """Relay the teams events to ``topic`` (the settings' own) until ``stop``."""
    topic = topic or settings.teams_topic
    application = await asyncio.to_thread(
        TeamsApplication, settings.application_env(), settings.policy()
    )
    try:
        await run_relay(
            name=f"teams:{topic}",
            application=application,
            topic=topic,
            database_dsn=settings.relay_dsn(),
            kafka=kafka_options(settings),
            stop=stop,
            to_envelope=EnvelopeFactory(),
        )
    finally:
        application.close()


async def main() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    logger.info("teams relay starting")
    await relay(load_worker_settings(TeamsSettings), stop)
    logger.info("teams relay stopped")


if __name__ == "__main__":
    configure_logging("teams-relay")
    asyncio.run(main())
