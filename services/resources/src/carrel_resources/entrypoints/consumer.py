"""``python -m carrel_resources.entrypoints.consumer``: learn teams and goals.

Reads ``teams.events`` (members, roles, groups) and ``profile.events``
(learning goals) into the service's directory tables.
"""

import asyncio

from carrel_events import Topic
from carrel_events.consumer import ConsumerRuntime, run_until_signalled
from carrel_events.observability import configure_logging
from sqlalchemy import Engine

from carrel_resources.adapters.listening import DirectoryListener
from carrel_resources.adapters.tables import connect, create_tables
from carrel_resources.settings import ResourcesSettings


def directory_consumer(
    settings: ResourcesSettings, topics: tuple[str, ...] = (Topic.TEAMS, Topic.PROFILE)
) -> tuple[ConsumerRuntime, Engine]:
    """The consumer group and the engine it writes with; the caller disposes."""
    engine = connect(settings.database_url, settings.resources_schema)
    create_tables(engine)
    runtime = ConsumerRuntime(
        group=settings.consumer_group,
        topics=topics,
        bootstrap_servers=settings.kafka_bootstrap,
        handler=DirectoryListener(engine, settings.consumer_group),
    )
    return runtime, engine


async def main() -> None:
    configure_logging("resources-consumer")
    runtime, engine = directory_consumer(ResourcesSettings())

    async def dispose() -> None:
        engine.dispose()

    await run_until_signalled(runtime, on_stop=dispose)


if __name__ == "__main__":
    asyncio.run(main())
