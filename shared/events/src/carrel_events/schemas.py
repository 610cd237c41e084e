"""JSON Schemas of the payload models, kept under version control.

``python -m carrel_events.schemas write`` writes ``<EventType>.v<N>.json`` for
each event's current version; ``check`` says which files are stale and which
model changes would break consumers of a version already written.

A change is compatible when a consumer built on the written schema still reads
what the new model writes, and a consumer built on the new model still reads
the events already recorded: an added optional field (readers ignore fields
they do not know, see :mod:`carrel_events.serialisation`), a required field
made optional, a changed description. It needs only the schema regenerated.
A breaking change (a field removed, retyped or newly required, a default
changed) needs a new ``schema_version`` and an upcaster, never an edited old
schema. ``check`` also asks, for each bumped version, for the chain of
upcasters back to v1, and reports a schema file that belongs to no model.
Schema files of older versions of a model stay: they describe events already
recorded.
"""

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carrel_events.catalogue import Catalogue, EventPayload
from carrel_events.contracts import CATALOGUE

SCHEMA_FOLDER = Path(__file__).resolve().parents[2] / "schemas"
# Words of a property's schema that do not change what a consumer reads; a
# default is compared on its own, as writers always write the field.
_COSMETIC = {"description", "title", "examples", "default"}
_FILE_NAME = re.compile(r"^(?P<event_type>\w+)\.v(?P<version>[1-9]\d*)\.json$")


@dataclass(frozen=True)
class SchemaProblem:
    event_type: str
    problem: str

    def __str__(self) -> str:
        return f"{self.event_type}: {self.problem}"


def schema_of(payload: type[EventPayload]) -> dict[str, Any]:
    schema = payload.model_json_schema(mode="serialization")
    schema["x-event-type"] = payload.event_type
    schema["x-schema-version"] = payload.schema_version
    schema["x-aggregate-type"] = payload.aggregate_type
    return schema


def schema_path(folder: Path, payload: type[EventPayload]) -> Path:
    return folder / f"{payload.event_type}.v{payload.schema_version}.json"


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> Iterator[str]:
    """What in ``new`` would break a consumer that reads by ``old``."""
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, old_prop in old_props.items():
        if name not in new_props:
            yield f"field {name!r} was removed"
        elif _meaning(old_prop) != _meaning(new_props[name]):
            yield f"field {name!r} changed type"
        elif "default" in old_prop and old_prop["default"] != new_props[name].get(
            "default"
        ):
            # Events recorded before the field existed are read with it.
            yield f"field {name!r} changed its default"
    old_required = set(old.get("required", []))
    for name in sorted(set(new.get("required", [])) - old_required):
        if name in old_props:
            yield f"field {name!r} became required"
        else:
            yield f"field {name!r} was added as required"
    if old.get("$defs", {}) != new.get("$defs", {}):
        for name, definition in old.get("$defs", {}).items():
            if name in new.get("$defs", {}):
                yield from (
                    f"{name}.{change}"
                    for change in breaking_changes(definition, new["$defs"][name])
                )


def _meaning(prop: Any) -> Any:
    if isinstance(prop, dict):
        return {k: _meaning(v) for k, v in prop.items() if k not in _COSMETIC}
    if isinstance(prop, list):
        return [_meaning(item) for item in prop]
    return prop


def check(
    folder: Path = SCHEMA_FOLDER, catalogue: Catalogue = CATALOGUE
) -> list[SchemaProblem]:
    problems = []
    for event_type in catalogue.event_types():
        payload = catalogue.payload_type(event_type)
        problems += [
            SchemaProblem(
                event_type,
                f"v{payload.schema_version} has no upcaster from v{version}: "
                f"events written at v{version} cannot be read",
            )
            for version in catalogue.missing_upcasters(event_type)
        ]
        path, current = schema_path(folder, payload), schema_of(payload)
        if not path.exists():
            problems.append(SchemaProblem(event_type, f"{path.name} is missing"))
            continue
        written = json.loads(path.read_text())
        for change in breaking_changes(written, current):
            problems.append(
                SchemaProblem(
                    event_type,
                    f"{change} without a new schema_version and an upcaster",
                )
            )
        if written != json.loads(render(current)):
            problems.append(
                SchemaProblem(event_type, f"{path.name} is stale: run make schemas")
            )
    return problems + list(orphans(folder, catalogue))


def orphans(folder: Path, catalogue: Catalogue) -> Iterator[SchemaProblem]:
    """Schema files of no event type, or of a version newer than its model's."""
    for path in sorted(folder.glob("*.json")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            yield SchemaProblem(path.name, "belongs to no model of the catalogue")
            continue
        event_type, version = match["event_type"], int(match["version"])
        if not catalogue.knows(event_type):
            yield SchemaProblem(
                event_type, f"{path.name} belongs to no model of the catalogue"
            )
        elif version > catalogue.payload_type(event_type).schema_version:
            yield SchemaProblem(
                event_type,
                f"{path.name} belongs to no model of the catalogue: the model "
                f"is at v{catalogue.payload_type(event_type).schema_version}",
            )


def write(folder: Path = SCHEMA_FOLDER, catalogue: Catalogue = CATALOGUE) -> list[str]:
    """Write every current schema; refuse a breaking change to a written one."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for event_type in catalogue.event_types():
        payload = catalogue.payload_type(event_type)
        path, current = schema_path(folder, payload), schema_of(payload)
        if path.exists():
            changes = list(breaking_changes(json.loads(path.read_text()), current))
            if changes:
                msg = f"{event_type}: {'; '.join(changes)}; bump schema_version"
                raise SystemExit(msg)
        text = render(current)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(path.name)
    return written


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "write":
        for name in write():
            print(f"wrote {name}")
        return 0
    problems = check()
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
