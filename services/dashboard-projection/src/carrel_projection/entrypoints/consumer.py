"""``python -m carrel_projection.entrypoints.consumer``: keep the read models.

Consumes every topic of the backbone in the group ``carrel-projection`` and
writes the read models in OpenSearch until SIGTERM or SIGINT. Creates the
indices and aliases first if they do not exist.
"""

import asyncio
import logging

from carrel_events.clients import kafka_options
from carrel_events.consumer import ConsumerRuntime, run_until_signalled
from carrel_events.observability import configure_logging, load_worker_settings

from carrel_projection.adapters.client import open_client
from carrel_projection.adapters.indices import ensure_indices
from carrel_projection.adapters.read_models import DEFINITIONS
from carrel_projection.adapters.store import DocumentStore
from carrel_projection.application import Projection
from carrel_projection.settings import ProjectionSettings

logger = logging.getLogger(__name__)


def projection_runtime(
    settings: ProjectionSettings, store: DocumentStore
) -> ConsumerRuntime:
    """The consumer group that feeds the projection's batch handler."""
    return ConsumerRuntime(
        group=settings.projection_group,
        topics=settings.projection_topics,
        kafka=kafka_options(settings),
        handler=Projection(store),
        max_batch=settings.projection_max_batch,
    )


async def run_projection(settings: ProjectionSettings, stop: asyncio.Event) -> None:
    """Make the indices, then project until ``stop`` is set."""
    client = open_client(settings)
    try:
        await ensure_indices(client, settings.index_prefix, DEFINITIONS)
        runtime = projection_runtime(
            settings, DocumentStore(client, settings.index_prefix)
        )
        await runtime.start()
        try:
            await runtime.run(stop)
        finally:
            await runtime.stop()
    finally:
        await client.close()


async def _main() -> None:
    settings = load_worker_settings(ProjectionSettings)
    client = open_client(settings)
    try:
        await ensure_indices(client, settings.index_prefix, DEFINITIONS)
        store = DocumentStore(client, settings.index_prefix)
        logger.info(
            "projecting %s into %s-*", settings.projection_topics, settings.index_prefix
        )
        await run_until_signalled(projection_runtime(settings, store))
    finally:
        await client.close()


if __name__ == "__main__":
    configure_logging("dashboard-projection-consumer")
    asyncio.run(_main())
