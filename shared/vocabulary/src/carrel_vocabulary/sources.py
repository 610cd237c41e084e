"""Reading the O*NET and ESCO extracts in the shared data folder.

Both files are small (a few hundred rows) and read once per process, so a
plain ``csv`` reader is all this needs.
"""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

ONET_FILE = "onet_29_2_library_occupations.csv"
ESCO_FILE = "esco_1_2_0_library_occupations_skills.csv"

Source = Literal["onet", "esco"]
_ONET_KINDS = {"skill": "skill", "knowledge": "knowledge", "technology": "tech"}
_ESCO_SKILL_RELATIONS = {"essential_skill", "optional_skill"}
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class SourceSkill:
    """One skill as a source names it, before synonyms and categories."""

    id: str
    label: str
    source: Source
    technology: bool


def slug(text: str) -> str:
    """Lower-case words joined by hyphens, for ids built from names."""
    return _NOT_SLUG.sub("-", text.lower()).strip("-")[:100]


def onet_skills(data_dir: Path) -> Iterator[SourceSkill]:
    """O*NET skills, knowledge areas and technologies of library occupations."""
    for row in _rows(data_dir / ONET_FILE):
        kind = _ONET_KINDS.get(row["element_type"])
        if kind is None:
            continue
        name = row["element_name"].strip()
        key = name if kind == "tech" else row["element_id"]
        yield SourceSkill(
            id=f"onet.{kind}.{slug(key)}",
            label=name,
            source="onet",
            technology=kind == "tech",
        )


def esco_skills(data_dir: Path) -> Iterator[SourceSkill]:
    """ESCO skills and knowledge of library occupations, essential or optional."""
    for row in _rows(data_dir / ESCO_FILE):
        if row["relation"] in _ESCO_SKILL_RELATIONS:
            label = row["label"].strip()
            yield SourceSkill(
                id=f"esco.{slug(label)}", label=label, source="esco", technology=False
            )


def job_titles(data_dir: Path) -> Iterator[str]:
    """Occupation titles and their alternates, from both sources."""
    for row in _rows(data_dir / ONET_FILE):
        if row["element_type"] == "description":
            yield row["occupation_title"]
        elif row["element_type"] == "alternate_title":
            yield row["element_name"]
    for row in _rows(data_dir / ESCO_FILE):
        if row["relation"] == "description":
            yield row["occupation_label"]
        elif row["relation"] == "alt_label":
            yield row["label"]


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        yield from csv.DictReader(file)
