"""People as arrays: one row per person, ready for the vectorised ranker.

A :class:`Side` holds the people of one side of a block of pairs (the mentees
of a block, or all mentors of a pool). Sets of words and skills become sparse
rows over a :class:`Tokens` index that the pool shares and that grows as new
words appear; unknown numbers are NaN and unknown codes -1.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse  # type: ignore[import-untyped]

from carrel_matching.domain.criteria import unit_vector
from carrel_matching.domain.people import (
    Mentor,
    Person,
    Place,
    SkillCatalogue,
    fold,
    words,
)

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
_LOW_64 = (1 << 64) - 1
_MEETING = {"either": 0, "remote": 1, "in_person": 2}


@dataclass
class Tokens:
    """Indices of the words, roles and codes a pool has seen; skills are fixed."""

    skills: SkillCatalogue
    skill_index: dict[str, int] = field(init=False)
    category_of_skill: Ints = field(init=False)
    categories: int = field(init=False)
    kinds: dict[str, dict[str, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ids = self.skills.skill_ids()
        categories = {c: i for i, c in enumerate(self.skills.categories())}
        self.skill_index = {skill_id: i for i, skill_id in enumerate(ids)}
        self.category_of_skill = np.array(
            [categories[self.skills.category(s) or ""] for s in ids], dtype=np.int64
        )
        self.categories = len(categories)

    def code(self, kind: str, value: str) -> int:
        table = self.kinds.setdefault(kind, {})
        return table.setdefault(value, len(table))

    def size(self, kind: str) -> int:
        return max(1, len(self.kinds.get(kind, {})))


class _Rows:
    """Collects the (row, column, value) triples of one sparse matrix."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.values: list[float] = []

    def add(self, row: int, col: int, value: float = 1.0) -> None:
        self.rows.append(row)
        self.cols.append(col)
        self.values.append(value)

    def matrix(self, n: int, width: int) -> Any:
        return sparse.csr_matrix(
            (self.values, (self.rows, self.cols)), shape=(n, width), dtype=np.float64
        )


@dataclass
class Side:
    """People in rows; mentor-only columns are zero for plain people."""

    ids: list[Any]
    tokens: Tokens
    sparse_rows: dict[str, Any]
    numbers: dict[str, Any]
    _dense: dict[str, Floats] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.position = {person_id: i for i, person_id in enumerate(self.ids)}

    @property
    def size(self) -> int:
        return len(self.ids)

    def csr(self, kind: str, width: int) -> Any:
        """A sparse matrix, widened to ``width`` columns if the index grew."""
        matrix = self.sparse_rows[kind]
        if matrix.shape[1] < width:
            matrix = sparse.csr_matrix(
                (matrix.data, matrix.indices, matrix.indptr),
                shape=(matrix.shape[0], width),
            )
            self.sparse_rows[kind] = matrix
        return matrix

    def dense_t(self, kind: str, width: int) -> Floats:
        """The transposed dense form, ``width`` rows, for the right of a product."""
        dense = self._dense.get(kind)
        if dense is None:
            dense = np.ascontiguousarray(self.sparse_rows[kind].toarray().T)
        if dense.shape[0] < width:
            dense = np.vstack([dense, np.zeros((width - dense.shape[0], self.size))])
        self._dense[kind] = dense
        return dense

    def number(self, name: str) -> Any:
        return self.numbers[name]

    def rows(self, start: int, stop: int) -> "Side":
        """Some consecutive rows, as a side of their own (sparse form only)."""
        return Side(
            ids=self.ids[start:stop],
            tokens=self.tokens,
            sparse_rows={k: m[start:stop] for k, m in self.sparse_rows.items()},
            numbers={k: v[start:stop] for k, v in self.numbers.items()},
        )

    def pick(self, positions: Sequence[int]) -> "Side":
        """Some rows in the given order, as a side of their own."""
        index = np.asarray(positions, dtype=np.int64)
        return Side(
            ids=[self.ids[i] for i in positions],
            tokens=self.tokens,
            sparse_rows={k: _picked(m, index) for k, m in self.sparse_rows.items()},
            numbers={k: v[index] for k, v in self.numbers.items()},
            _dense={k: d[:, index] for k, d in self._dense.items()},
        )

    def put(self, one: "Side") -> int:
        """Replace the row of ``one``'s single person, or append it; its position."""
        person_id = one.ids[0]
        row = self.position.get(person_id)
        widths = _widths(self.tokens)
        if row is None:
            row = self.size
            self._append(one, widths)
            self.ids.append(person_id)
            self.position[person_id] = row
        else:
            self._replace(row, one, widths)
        return row

    def _append(self, one: "Side", widths: dict[str, int]) -> None:
        for kind, width in widths.items():
            self.sparse_rows[kind] = _spliced(
                self.csr(kind, width), self.size, self.size, one.csr(kind, width)
            )
        for name, values in self.numbers.items():
            self.numbers[name] = np.append(values, one.numbers[name])
        for kind in list(self._dense):
            column = one.dense_t(kind, widths[kind])
            widened = np.hstack([self.dense_t(kind, widths[kind]), column])
            self._dense[kind] = np.ascontiguousarray(widened)

    def _replace(self, row: int, one: "Side", widths: dict[str, int]) -> None:
        for kind, width in widths.items():
            self.sparse_rows[kind] = _spliced(
                self.csr(kind, width), row, row + 1, one.csr(kind, width)
            )
        for name, values in self.numbers.items():
            values[row] = one.numbers[name][0]
        for kind in list(self._dense):
            dense = self.dense_t(kind, widths[kind])
            dense[:, row] = one.dense_t(kind, widths[kind])[:, 0]

    def withdraw(self, person_id: Any) -> None:
        """Mark a person's row as never offered, without moving any other row.

        Copying every matrix to drop one row cost about a second at 10,000
        members; the row stays until the next rebuild, and putting the person
        back replaces it.
        """
        row = self.position.get(person_id)
        if row is not None:
            self.numbers["available"][row] = False


def _picked(matrix: Any, index: Ints) -> Any:
    """Rows of a compressed matrix, gathered with plain numpy.

    scipy's fancy indexing cost about half a millisecond per matrix, and an
    update picks a dozen matrices a few times.
    """
    starts, stops = matrix.indptr[index], matrix.indptr[index + 1]
    lengths = stops - starts
    indptr = np.zeros(index.size + 1, dtype=matrix.indptr.dtype)
    np.cumsum(lengths, out=indptr[1:])
    take = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1])
    return sparse.csr_matrix(
        (matrix.data[take], matrix.indices[take], indptr),
        shape=(index.size, matrix.shape[1]),
    )


def _spliced(matrix: Any, start: int, stop: int, rows: Any) -> Any:
    """``matrix`` with rows ``start:stop`` replaced by ``rows``, in one copy.

    scipy's slicing and stacking took milliseconds per matrix for one row;
    joining the three arrays of the compressed form directly takes microseconds.
    """
    low, high = matrix.indptr[start], matrix.indptr[stop]
    data = np.concatenate([matrix.data[:low], rows.data, matrix.data[high:]])
    indices = np.concatenate(
        [
            matrix.indices[:low],
            rows.indices.astype(matrix.indices.dtype),
            matrix.indices[high:],
        ]
    )
    shift = rows.nnz - (high - low)
    indptr = np.concatenate(
        [
            matrix.indptr[:start],
            low + rows.indptr[:-1].astype(matrix.indptr.dtype),
            matrix.indptr[stop:] + shift,
        ]
    )
    shape = (matrix.shape[0] - (stop - start) + rows.shape[0], matrix.shape[1])
    return sparse.csr_matrix((data, indices, indptr), shape=shape)


def encode(people: Sequence[Person | Mentor], tokens: Tokens) -> Side:
    """Rows for these people, in this order."""
    rows = {k: _Rows() for k in _SPARSE_KINDS}
    numbers: dict[str, list[Any]] = {k: [] for k in _NUMBER_KINDS}
    ids = []
    for row, someone in enumerate(people):
        person = someone.person if isinstance(someone, Mentor) else someone
        ids.append(person.person_id)
        _encode_sets(row, person, tokens, rows)
        _encode_numbers(someone, person, tokens, numbers)
    widths = _widths(tokens)
    n = len(ids)
    return Side(
        ids=ids,
        tokens=tokens,
        sparse_rows={k: rows[k].matrix(n, widths[k]) for k in _SPARSE_KINDS},
        numbers={k: np.array(v, dtype=_NUMBER_KINDS[k]) for k, v in numbers.items()},
    )


_SPARSE_KINDS = (
    "goals",
    "goal_categories",
    "proficiency",
    "has_skill",
    "category_best",
    "has_category",
    "category_best_of_held",
    "interests",
    "target_roles",
    "target_words",
    "role",
    "role_words",
    "languages",
)
_NUMBER_KINDS: dict[str, Any] = {
    "goal_count": np.float64,
    "interest_count": np.float64,
    "role_word_count": np.float64,
    "language_count": np.float64,
    "years": np.float64,
    "x": np.float64,
    "y": np.float64,
    "z": np.float64,
    "country": np.int64,
    "region": np.int64,
    "offset": np.float64,
    "institution": np.int64,
    "avoid_institution": np.bool_,
    "available": np.bool_,
    "free_places": np.int64,
    "capacity": np.int64,
    "place_weight": np.float64,
    "meeting": np.int64,
    "id_high": np.uint64,
    "id_low": np.uint64,
}


def _widths(tokens: Tokens) -> dict[str, int]:
    skills, categories = len(tokens.skill_index), tokens.categories
    return {
        "goals": skills,
        "goal_categories": categories,
        "proficiency": skills,
        "has_skill": skills,
        "category_best": categories,
        "has_category": categories,
        "category_best_of_held": skills,
        "interests": tokens.size("interest"),
        "target_roles": tokens.size("role"),
        "target_words": tokens.size("word"),
        "role": tokens.size("role"),
        "role_words": tokens.size("word"),
        "languages": tokens.size("language"),
    }


def _encode_sets(
    row: int, person: Person, tokens: Tokens, rows: dict[str, _Rows]
) -> None:
    _encode_goals(row, person, tokens, rows)
    _encode_skills(row, person, tokens, rows)
    for interest in person.interests:
        rows["interests"].add(row, tokens.code("interest", interest))
    targets = {fold(t) for t in person.target_roles}
    for target in targets:
        rows["target_roles"].add(row, tokens.code("role", target))
    for word in frozenset().union(*(words(t) for t in targets)):
        rows["target_words"].add(row, tokens.code("word", word))
    role = fold(person.current_role)
    if role:
        rows["role"].add(row, tokens.code("role", role))
        for word in words(role):
            rows["role_words"].add(row, tokens.code("word", word))
    for language in person.languages:
        rows["languages"].add(row, tokens.code("language", language))


def _encode_goals(
    row: int, person: Person, tokens: Tokens, rows: dict[str, _Rows]
) -> None:
    for goal in person.learning_goals:
        index = tokens.skill_index.get(goal)
        if index is None:
            continue
        rows["goals"].add(row, index)
        rows["goal_categories"].add(row, int(tokens.category_of_skill[index]))


def _encode_skills(
    row: int, person: Person, tokens: Tokens, rows: dict[str, _Rows]
) -> None:
    held = {
        tokens.skill_index[s]: p
        for s, p in person.skills.items()
        if s in tokens.skill_index
    }
    best: dict[int, int] = {}
    for index, proficiency in held.items():
        category = int(tokens.category_of_skill[index])
        best[category] = max(best.get(category, 0), proficiency)
    for index, proficiency in held.items():
        rows["proficiency"].add(row, index, proficiency)
        rows["has_skill"].add(row, index)
        category_best = best[int(tokens.category_of_skill[index])]
        rows["category_best_of_held"].add(row, index, category_best)
    for category, proficiency in best.items():
        rows["category_best"].add(row, category, proficiency)
        rows["has_category"].add(row, category)


def _encode_numbers(
    someone: Person | Mentor,
    person: Person,
    tokens: Tokens,
    numbers: dict[str, list[Any]],
) -> None:
    place = person.place
    known_goals = [g for g in person.learning_goals if g in tokens.skill_index]
    role = fold(person.current_role)
    region = fold(place.region)
    values: dict[str, Any] = {
        "goal_count": len(known_goals),
        "interest_count": len(person.interests),
        "role_word_count": len(words(role)),
        "language_count": len(person.languages),
        "years": _or_nan(person.years_of_experience),
        **dict(zip("xyz", _unit_vector(place), strict=True)),
        "country": tokens.code("country", place.country) if place.country else -1,
        "region": (
            tokens.code("region", f"{place.country}/{region}")
            if place.country and region
            else -1
        ),
        "offset": _or_nan(place.utc_offset_hours),
        "institution": (
            tokens.code("institution", person.institution)
            if person.institution is not None
            else -1
        ),
        "avoid_institution": person.avoid_own_institution,
        "available": someone.available,
        "free_places": someone.free_places if isinstance(someone, Mentor) else 0,
        "capacity": someone.capacity if isinstance(someone, Mentor) else 0,
        "place_weight": person.place_weight,
        "meeting": _MEETING[person.meeting_preference],
        "id_high": person.person_id.int >> 64,
        "id_low": person.person_id.int & _LOW_64,
    }
    for name, value in values.items():
        numbers[name].append(value)


def _unit_vector(place: Place) -> tuple[float, float, float]:
    if place.latitude is None or place.longitude is None:
        return (float("nan"),) * 3
    return unit_vector(place.latitude, place.longitude)


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)
