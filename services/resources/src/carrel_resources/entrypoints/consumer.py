"""``python -m carrel_resources.entrypoints.consumer``: learn teams and goals.

Reads ``teams.events`` (members, roles, groups) and ``profile.events``
(learning goals) into the service's directory tables; the settings
``CARREL_RESOURCES_READS_TEAMS_TOPIC``, ``CARREL_RESOURCES_READS_PROFILE_TOPIC``
and ``CARREL_RESOURCES_CONSUMER_GROUP`` name others.
"""

import asyncio

from carrel_events.clients import kafka_options
from carrel_events.consumer import ConsumerRuntime, run_until_signalled
from carrel_events.observability import configure_logging, load_worker_settings
from sqlalchemy import Engine

from carrel_resources.adapters.listening import DirectoryListener
from carrel_resources.adapters.tables import connect, create_tables
from carrel_resources.settings import ResourcesSettings


def directory_consumer(
    settings: ResourcesSettings, topics: tuple[str, ...] | None = None
) -> tuple[ConsumerRuntime, Engine]:
    """The consumer group and the engine it writes with; the caller disposes.

    It reads ``topics``, or else the two topics the settings name.
    """
    engine = connect(settings.database_url, settings.resources_schema)
    create_tables(engine)
    group = settings.resources_consumer_group
    runtime = ConsumerRuntime(
        group=group,
        topics=topics or _read_topics(settings),
        kafka=kafka_options(settings),
        handler=DirectoryListener(engine, group),
    )
    return runtime, engine


def _read_topics(settings: ResourcesSettings) -> tuple[str, ...]:
    return (
        settings.resources_reads_teams_topic,
        settings.resources_reads_profile_topic,
    )


async def main() -> None:
    configure_logging("resources-consumer")
    runtime, engine = directory_consumer(load_worker_settings(ResourcesSettings))

    async def dispose() -> None:
        engine.dispose()

    await run_until_signalled(runtime, on_stop=dispose)


if __name__ == "__main__":
    asyncio.run(main())
