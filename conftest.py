"""Fixtures for every test folder: where the real stack is (see tests/integration)."""

from collections.abc import Iterator

import pytest

from tests.integration.stack import Stack, running_stack


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """Connection settings of the running stack, found or started once."""
    with running_stack() as settings:
        yield settings
