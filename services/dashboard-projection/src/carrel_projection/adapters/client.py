"""The OpenSearch client the projection uses, made inside the running loop."""

from opensearchpy import AsyncOpenSearch


def open_client(url: str) -> AsyncOpenSearch:
    """An async client of one OpenSearch node; the caller closes it."""
    return AsyncOpenSearch(
        hosts=[url], timeout=30, max_retries=2, retry_on_timeout=True
    )
