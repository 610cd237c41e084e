"""Fixtures of the fault tests: one rig of Carrel for the package (``rig.py``)."""

from collections.abc import Iterator

import pytest

from tests.faults.programme import Programme, client, make_team
from tests.faults.rig import Rig, running_rig
from tests.integration.stack import Stack


@pytest.fixture(scope="package")
def rig(stack: Stack) -> Iterator[Rig]:
    """Every Carrel process, on servers of its own.

    ``stack`` is asked for only so that the shared stack has fetched the
    artifacts the rig's servers start from.
    """
    del stack
    with running_rig() as rig:
        yield rig


@pytest.fixture(scope="package")
def programme(rig: Rig) -> Programme:
    """Two teams of the same shape, made through the gateway."""
    with client(rig.url) as http:
        return Programme(make_team(http, "Alder"), make_team(http, "Birch"))
