import json
from pathlib import Path

from carrel_events import Catalogue
from carrel_events.catalogue import EventPayload
from carrel_events.schemas import SCHEMA_FOLDER, check, write


def test_the_committed_schemas_match_the_models() -> None:
    problems = check()

    assert problems == [], "\n".join(map(str, problems))


def test_every_schema_file_belongs_to_a_model_of_the_catalogue() -> None:
    written = {path.name for path in SCHEMA_FOLDER.glob("*.json")}
    problems = [p for p in check() if "missing" in p.problem]

    assert written and not problems


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
