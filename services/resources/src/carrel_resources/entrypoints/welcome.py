"""``python -m carrel_resources.entrypoints.welcome``: welcome resources.

Reads ``teams.events`` (or ``CARREL_RESOURCES_READS_TEAMS_TOPIC``) as the
consumer group ``resources-welcome`` (``CARREL_RESOURCES_WELCOME_GROUP``) and
shares each team's welcome resources with every member who joins it.
"""

import asyncio
from dataclasses import dataclass

from carrel_events.clients import kafka_options
from carrel_events.consumer import ConsumerRuntime, run_until_signalled
from carrel_events.observability import configure_logging, load_worker_settings
from sqlalchemy import Engine

from carrel_resources.adapters.tables import connect
from carrel_resources.adapters.welcoming import WelcomeListener
from carrel_resources.application import ResourcesApplication
from carrel_resources.entrypoints.wiring import build_application
from carrel_resources.settings import ResourcesSettings


@dataclass(frozen=True)
class WelcomeConsumer:
    """The consumer group, and what it writes with; :meth:`close` after stopping."""

    runtime: ConsumerRuntime
    application: ResourcesApplication
    engine: Engine

    def close(self) -> None:
        self.application.close()
        self.engine.dispose()


def welcome_consumer(
    settings: ResourcesSettings, topics: tuple[str, ...] | None = None
) -> WelcomeConsumer:
    """Reads ``topics``, or else the teams topic the settings name."""
    application = build_application(settings)
    engine = connect(settings.database_url, settings.resources_schema)
    group = settings.resources_welcome_group
    runtime = ConsumerRuntime(
        group=group,
        topics=topics or (settings.resources_reads_teams_topic,),
        kafka=kafka_options(settings),
        handler=WelcomeListener(engine, application, group),
    )
    return WelcomeConsumer(runtime, application, engine)


async def main() -> None:
    configure_logging("resources-welcome")
    consumer = welcome_consumer(load_worker_settings(ResourcesSettings))

    async def close() -> None:
        await asyncio.to_thread(consumer.close)

    await run_until_signalled(consumer.runtime, on_stop=close)


if __name__ == "__main__":
    asyncio.run(main())
