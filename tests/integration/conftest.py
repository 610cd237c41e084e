"""Fixtures for tests against the real PostgreSQL, Kafka and OpenSearch.

``stack`` is found or started once per session by the repository's root
conftest (see ``stack.py``). Tests
share those servers, so each one names what it creates with ``unique_name``
and never sees another test's topics, indices or tables.
"""

import re
import uuid

import pytest


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> str:
    """A fresh lowercase name, valid as topic, index, table or database name.

    It starts with a short form of the test's name, so that whatever a failed
    test leaves behind can be traced to it.
    """
    test = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())
    test = test.removeprefix("test_")[:24].strip("_")
    return f"it_{test}_{uuid.uuid4().hex[:12]}"
