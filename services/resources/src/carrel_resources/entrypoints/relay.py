"""``python -m carrel_resources.entrypoints.relay``: events to ``resources.events``.

``CARREL_RESOURCES_TOPIC`` names another topic.
"""

import asyncio
import signal

from carrel_events.clients import kafka_options
from carrel_events.observability import configure_logging, load_worker_settings
from carrel_events.relay import EnvelopeFactory, run_relay

from carrel_resources.entrypoints.wiring import build_application
from carrel_resources.settings import ResourcesSettings


async def relay(settings: ResourcesSettings, stop: asyncio.Event) -> None:
    application = build_application(settings)
    try:
        await run_relay(
            name="resources",
            application=application,
            topic=settings.resources_topic,
            database_dsn=settings.psycopg_dsn,
            kafka=kafka_options(settings),
            stop=stop,
            to_envelope=EnvelopeFactory(),
        )
    finally:
        application.close()


async def main() -> None:
    configure_logging("resources-relay")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await relay(load_worker_settings(ResourcesSettings), stop)


if __name__ == "__main__":
    asyncio.run(main())
