"""``python -m carrel_profile.entrypoints.relay``: profile events to Kafka.

Follows the profile event store's notification log and publishes each event
in its envelope to ``profile.events`` (``CARREL_PROFILE_TOPIC``) until SIGTERM
or SIGINT.
"""

import asyncio
import logging
import signal

from carrel_events.clients import kafka_options
from carrel_events.observability import configure_logging, load_worker_settings
from carrel_events.relay import EnvelopeFactory, run_relay
from carrel_vocabulary import load_vocabulary

from carrel_profile.adapters.libraries import load_libraries
from carrel_profile.application import ProfileApplication
from carrel_profile.settings import ProfileSettings

logger = logging.getLogger(__name__)

RELAY_NAME = "profile"


async def relay_profile_events(
    settings: ProfileSettings, stop: asyncio.Event, topic: str | None = None
) -> None:
    """Relay until ``stop`` is set, to ``topic`` or else the settings' topic."""
    application = ProfileApplication(
        settings.event_store_env(),
        load_vocabulary(settings.data_dir),
        load_libraries(settings.data_dir),
    )
    try:
        await run_relay(
            name=RELAY_NAME,
            application=application,
            topic=topic or settings.profile_topic,
            database_dsn=settings.event_store_dsn(),
            kafka=kafka_options(settings),
            stop=stop,
            to_envelope=EnvelopeFactory(),
        )
    finally:
        application.close()


async def _main() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    settings = load_worker_settings(ProfileSettings)
    logger.info("relaying profile events to %s", settings.profile_topic)
    await relay_profile_events(settings, stop)


if __name__ == "__main__":
    configure_logging("profile-relay")
    asyncio.run(_main())
