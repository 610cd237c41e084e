import json
from pathlib import Path
from typing import Any

import pytest
from carrel_events import CATALOGUE, Catalogue
from carrel_events.catalogue import EventPayload
from carrel_events.contracts.common import ValueObject
from carrel_events.schemas import SCHEMA_FOLDER, check, orphans, write


def test_the_committed_schemas_match_the_models() -> None:
    problems = check()

    assert problems == [], "\n".join(map(str, problems))


def test_every_schema_file_belongs_to_a_model_of_the_catalogue() -> None:
    written = list(SCHEMA_FOLDER.glob("*.json"))

    assert written
    assert list(orphans(SCHEMA_FOLDER, CATALOGUE)) == []


def test_a_schema_file_of_no_model_is_reported(tmp_path: Path) -> None:
    write(tmp_path, catalogue_with(NoteV1))
    (tmp_path / "TestGone.v1.json").write_text("{}")
    (tmp_path / "TestNote.v2.json").write_text("{}")
    (tmp_path / "notes.json").write_text("{}")

    problems = check(tmp_path, catalogue_with(NoteV1))

    assert sorted(str(p) for p in problems) == [
        "TestGone: TestGone.v1.json belongs to no model of the catalogue",
        "TestNote: TestNote.v2.json belongs to no model of the catalogue: "
        "the model is at v1",
        "notes.json: belongs to no model of the catalogue",
    ]


def catalogue_with(*payloads: type[EventPayload]) -> Catalogue:
    catalogue = Catalogue()
    catalogue.register(*payloads)
    return catalogue


class NoteV1(EventPayload):
    event_type = "TestNote"
    aggregate_type = "Test"

    text: str
    pinned: bool = False


class NoteWithNewOptionalField(EventPayload):
    event_type = "TestNote"
    aggregate_type = "Test"

    text: str
    pinned: bool = False
    colour: str = "yellow"


class NoteWithRetypedField(EventPayload):
    event_type = "TestNote"
    aggregate_type = "Test"

    text: int
    pinned: bool = False


class NoteWithRemovedField(EventPayload):
    event_type = "TestNote"
    aggregate_type = "Test"

    text: str


def test_a_changed_model_with_a_stale_schema_is_reported(tmp_path: Path) -> None:
    write(tmp_path, catalogue_with(NoteV1))

    problems = check(tmp_path, catalogue_with(NoteWithNewOptionalField))

    assert [p.problem for p in problems] == [
        "TestNote.v1.json is stale: run make schemas"
    ]


def note_with_sticker(*, glossy: bool) -> type[EventPayload]:
    """A note holding a value object, before or after the value got a field."""
    if glossy:

        class Sticker(ValueObject):
            shape: str
            glossy: bool = False

    else:

        class Sticker(ValueObject):  # type: ignore[no-redef]
            shape: str

    class NoteWithSticker(EventPayload):
        event_type = "TestNote"
        aggregate_type = "Test"

        text: str
        sticker: Sticker

    return NoteWithSticker


class NoteWithOptionalText(EventPayload):
    event_type = "TestNote"
    aggregate_type = "Test"

    text: str = ""
    pinned: bool = False


def test_an_optional_field_added_to_a_nested_value_only_needs_regenerating(
    tmp_path: Path,
) -> None:
    write(tmp_path, catalogue_with(note_with_sticker(glossy=False)))

    problems = check(tmp_path, catalogue_with(note_with_sticker(glossy=True)))

    assert [p.problem for p in problems] == [
        "TestNote.v1.json is stale: run make schemas"
    ]


def test_a_required_field_made_optional_only_needs_regenerating(
    tmp_path: Path,
) -> None:
    write(tmp_path, catalogue_with(NoteV1))

    problems = check(tmp_path, catalogue_with(NoteWithOptionalText))

    assert [p.problem for p in problems] == [
        "TestNote.v1.json is stale: run make schemas"
    ]


class NoteWithNewRequiredField(EventPayload):
    event_type = "TestNote"
    aggregate_type = "Test"

    text: str
    pinned: bool = False
    colour: str


class NoteWithPinnedRequired(EventPayload):
    event_type = "TestNote"
    aggregate_type = "Test"

    text: str
    pinned: bool


class NoteWithOtherDefault(EventPayload):
    event_type = "TestNote"
    aggregate_type = "Test"

    text: str
    pinned: bool = True


@pytest.mark.parametrize(
    ("changed", "breaking"),
    [
        (NoteWithNewRequiredField, "field 'colour' was added as required"),
        (NoteWithPinnedRequired, "field 'pinned' became required"),
        (NoteWithOtherDefault, "field 'pinned' changed its default"),
    ],
)
def test_a_new_required_field_or_default_without_a_new_version_is_breaking(
    tmp_path: Path, changed: type[EventPayload], breaking: str
) -> None:
    write(tmp_path, catalogue_with(NoteV1))

    problems = [p.problem for p in check(tmp_path, catalogue_with(changed))]

    assert f"{breaking} without a new schema_version and an upcaster" in problems


class NoteV3(EventPayload):
    event_type = "TestNote"
    schema_version = 3
    aggregate_type = "Test"

    body: str


def lift(payload: dict[str, Any]) -> dict[str, Any]:
    return payload


def test_a_bumped_version_needs_upcasters_back_to_v1(tmp_path: Path) -> None:
    write(tmp_path, catalogue_with(NoteV1))
    catalogue = catalogue_with(NoteV3)
    write(tmp_path, catalogue)
    catalogue.register_upcaster("TestNote", 2, lift)

    problems = check(tmp_path, catalogue)
    catalogue.register_upcaster("TestNote", 1, lift)

    assert [str(p) for p in problems] == [
        "TestNote: v3 has no upcaster from v1: events written at v1 cannot be read"
    ]
    assert check(tmp_path, catalogue) == []


def test_a_removed_or_retyped_field_without_a_new_version_is_breaking(
    tmp_path: Path,
) -> None:
    write(tmp_path, catalogue_with(NoteV1))

    removed = check(tmp_path, catalogue_with(NoteWithRemovedField))
    retyped = check(tmp_path, catalogue_with(NoteWithRetypedField))

    assert any("'pinned' was removed" in p.problem for p in removed)
    assert any("'text' changed type" in p.problem for p in retyped)


def test_writing_refuses_to_overwrite_a_version_with_a_breaking_change(
    tmp_path: Path,
) -> None:
    write(tmp_path, catalogue_with(NoteV1))
    before = json.loads((tmp_path / "TestNote.v1.json").read_text())

    try:
        write(tmp_path, catalogue_with(NoteWithRetypedField))
    except SystemExit as refusal:
        assert "bump schema_version" in str(refusal)
    else:
        raise AssertionError("a breaking change was written over v1")

    assert json.loads((tmp_path / "TestNote.v1.json").read_text()) == before
