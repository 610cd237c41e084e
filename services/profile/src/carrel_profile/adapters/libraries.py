"""The US public library systems of the IMLS survey, indexed for name search.

About 9,000 systems load in well under a second and stay in memory; a search
by name prefix is a binary search in sorted lists, one of whole names and one
of the names' later words ("anch" finds "Anchorage Public Library", "public
li" finds it too).
"""

import bisect
import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from carrel_vocabulary.text import fold

LIBRARIES_FILE = "us_public_library_systems_pls_fy2022.csv"


@dataclass(frozen=True)
class Library:
    """A US public library system; ``id`` is ``<state>:<libid>``."""

    id: str
    name: str
    city: str
    state: str
    latitude: float | None
    longitude: float | None


class LibraryDirectory:
    """Libraries by id, and a prefix search over their names."""

    def __init__(self, libraries: list[Library]) -> None:
        self._by_id = {library.id: library for library in libraries}
        self._libraries = libraries
        self._names = sorted((fold(lib.name), i) for i, lib in enumerate(libraries))
        self._words = sorted(
            (" ".join(words[start:]), i)
            for i, lib in enumerate(libraries)
            for words in [fold(lib.name).split()]
            for start in range(1, len(words))
        )

    def __len__(self) -> int:
        return len(self._libraries)

    def library(self, library_id: str) -> Library | None:
        return self._by_id.get(library_id)

    def library_name(self, library_id: str) -> str | None:
        library = self._by_id.get(library_id)
        return library.name if library else None

    def search(
        self, prefix: str, state: str | None = None, limit: int = 10
    ) -> list[Library]:
        """Libraries whose name, or a later word of it, starts with ``prefix``."""
        folded = fold(prefix)
        if not folded:
            return []
        found: dict[int, None] = {}
        for index in (*_starting(self._names, folded), *_starting(self._words, folded)):
            if state is None or self._libraries[index].state == state:
                found.setdefault(index)
            if len(found) >= limit:
                break
        return [self._libraries[index] for index in found]


def _starting(entries: list[tuple[str, int]], prefix: str) -> list[int]:
    start = bisect.bisect_left(entries, (prefix, -1))
    end = bisect.bisect_left(entries, (prefix + "\x7f", -1), lo=start)
    return [index for _, index in entries[start:end]]


@lru_cache(maxsize=2)
def load_libraries(data_dir: Path) -> LibraryDirectory:
    """Read the survey's library systems once per process."""
    with (data_dir / LIBRARIES_FILE).open(newline="", encoding="utf-8") as file:
        return LibraryDirectory([_library(row) for row in csv.DictReader(file)])


def _library(row: dict[str, str]) -> Library:
    return Library(
        id=f"{row['state']}:{row['libid']}",
        name=row["name"].strip(),
        city=row["city"].strip(),
        state=row["state"],
        latitude=_float(row["lat"]),
        longitude=_float(row["lon"]),
    )


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
