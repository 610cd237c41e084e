"""The scale-out test runs only when asked: ``make scaleout``.

It starts eight consumer processes and streams events for minutes, so the
ordinary test run leaves it out unless ``CARREL_SCALEOUT=1`` is set.
"""

import os

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("CARREL_SCALEOUT") == "1":
        return
    skip = pytest.mark.skip(reason="long; run it with `make scaleout`")
    for item in items:
        if item.path.parent.name == "scaleout":
            item.add_marker(skip)
