"""The OpenSearch client the projection uses, made inside the running loop."""

from carrel_events.clients import opensearch_options
from carrel_events.settings import StackSettings
from opensearchpy import AsyncOpenSearch


def open_client(settings: StackSettings) -> AsyncOpenSearch:
    """An async client of the cluster, with its auth and TLS; the caller closes it."""
    return AsyncOpenSearch(
        **opensearch_options(settings),
        timeout=30,
        max_retries=2,
        retry_on_timeout=True,
    )
