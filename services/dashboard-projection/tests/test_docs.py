"""The committed mapping reference is the one the code generates."""

from pathlib import Path

from carrel_projection.adapters.read_models import DEFINITIONS
from carrel_projection.entrypoints.docs import render

COMMITTED = Path(__file__).parents[1] / "MAPPINGS.md"


def test_the_committed_mappings_document_is_current() -> None:
    assert COMMITTED.read_text() == render(), (
        "regenerate: python -m carrel_projection.entrypoints.docs "
        "> services/dashboard-projection/MAPPINGS.md"
    )


def test_every_mapping_is_strict_and_every_field_is_explained() -> None:
    for definition in DEFINITIONS:
        body = definition.body()
        assert body["mappings"]["dynamic"] == "strict"
        assert all(field.about for field in definition.fields.values())
