"""The vectorised ranker of one team: full ranking and incremental updates.

A :class:`TeamRanking` keeps, for each mentee of a team, the undamped best
``TOP_K_FOR_DEMAND`` mentors (which make the mentors' demand) and the damped
best ``top_n`` (what the mentee sees). A change re-scores only what it must:
a changed mentee's row, a changed mentor's column, and then only the mentees
whose lists that column can enter or leave, plus the columns of mentors whose
damping moved. Everything else keeps its lists untouched.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from uuid import UUID

import numpy as np

from carrel_matching.domain.arrays import Floats, Side, Tokens, encode
from carrel_matching.domain.candidates import Candidate
from carrel_matching.domain.candidates import damped as damped_score
from carrel_matching.domain.damping import TOP_K_FOR_DEMAND, damping_factor
from carrel_matching.domain.people import Mentor, Person, SkillCatalogue, TeamRules
from carrel_matching.domain.scoring import NOT_OFFERED, round_scores, score_block

BLOCK_ROWS = 256
RE_ENCODE_AFTER = 8
"""Above this many changed people, encoding the whole team once is cheaper than
putting each row in place (each put copies the sparse matrices)."""
DEMAND, LISTS = "demand", "lists"
Entry = tuple[float, UUID]
"""A score and the mentor it belongs to."""


@dataclass(frozen=True)
class RankingChange:
    """Mentees whose visible list changed, and mentees who left the ranking."""

    changed: frozenset[UUID] = frozenset()
    removed: frozenset[UUID] = frozenset()


def top_entries(
    scores: Floats, side: Side, limit: int
) -> list[list[tuple[float, int]]]:
    """Per row, the best ``limit`` offered columns: (score, column), ties by id."""
    rows = scores.shape[0]
    if rows == 0 or scores.shape[1] == 0 or limit <= 0:
        return [[] for _ in range(rows)]
    kth = min(limit, scores.shape[1])
    threshold = -np.partition(-scores, kth - 1, axis=1)[:, kth - 1]
    keep = (scores >= threshold[:, None]) & (scores > NOT_OFFERED)
    row_of, column = np.nonzero(keep)
    values = scores[row_of, column]
    order = np.lexsort(
        (side.number("id_low")[column], side.number("id_high")[column], -values, row_of)
    )
    best: list[list[tuple[float, int]]] = [[] for _ in range(rows)]
    for i in order.tolist():
        entries = best[row_of[i]]
        if len(entries) < limit:
            entries.append((float(values[i]), int(column[i])))
    return best


def _sort_key(entry: Entry) -> tuple[float, int]:
    return (-entry[0], entry[1].int)


class TeamRanking:
    """The candidate lists of one team's mentees over the team's mentor pool."""

    def __init__(
        self,
        mentees: Iterable[Person],
        mentors: Iterable[Mentor],
        rules: TeamRules,
        skills: SkillCatalogue,
        top_n: int = 10,
    ) -> None:
        self.rules, self.skills, self.top_n = rules, skills, top_n
        self.tokens = Tokens(skills)
        self._mentees = {p.person_id: p for p in mentees}
        self._mentors = {m.mentor_id: m for m in mentors}
        self._excluded = _by_mentee(rules)
        self._rebuild_sides()
        self.demand_top: dict[UUID, list[Entry]] = {}
        self.demand: Counter[UUID] = Counter()
        self.factors: dict[UUID, float] = {}
        self.lists: dict[UUID, list[Candidate]] = {}
        self._columns: dict[UUID, Floats] = {}
        self._demand_moved: set[UUID] = set()
        self._holders = {DEMAND: _Holders(), LISTS: _Holders()}
        self._factor_array: Floats | None = None

    @property
    def mentee_ids(self) -> frozenset[UUID]:
        return frozenset(self._mentees)

    def mentor(self, mentor_id: UUID) -> Mentor | None:
        return self._mentors.get(mentor_id)

    def mentee(self, mentee_id: UUID) -> Person | None:
        return self._mentees.get(mentee_id)

    def exclude(self, mentor_id: UUID, mentee_id: UUID) -> None:
        """Never offer this pair again; update the mentee to re-rank their row."""
        pairs = self.rules.excluded_pairs | {(mentor_id, mentee_id)}
        self.rules = replace(self.rules, excluded_pairs=pairs)
        self._excluded = _by_mentee(self.rules)

    def _rebuild_sides(self) -> None:
        self._rebuild_mentee_side()
        self._rebuild_mentor_side()

    def _rebuild_mentee_side(self) -> None:
        self.mentee_side = encode(list(self._mentees.values()), self.tokens)
        if hasattr(self, "_holders"):
            demand, lists = self._holders[DEMAND], self._holders[LISTS]
            demand.reindex(self.demand_top, self.mentee_side, TOP_K_FOR_DEMAND)
            lists.reindex(_as_entries(self.lists), self.mentee_side, self.top_n)

    def _rebuild_mentor_side(self) -> None:
        self.mentor_side = encode(list(self._mentors.values()), self.tokens)
        self._factor_array = None

    # -- full ranking -----------------------------------------------------

    def rank_all(self) -> frozenset[UUID]:
        """Rank every mentee from scratch; returns the mentees whose list changed."""
        before = self.lists
        self.demand_top = {}
        self._holders = {DEMAND: _Holders(), LISTS: _Holders()}
        for start, base in self._blocks():
            self._keep_demand(self.mentee_side.ids[start:], base)
        self.demand = Counter(m for top in self.demand_top.values() for _, m in top)
        self.factors = {m: self._factor(m) for m in self._mentors}
        self._factor_array = None
        self._demand_moved = set()
        self.lists = {}
        for start, base in self._blocks():
            self._keep_lists(self.mentee_side.ids[start:], base)
        return frozenset(e for e in self._mentees if before.get(e) != self.lists[e])

    def _blocks(self) -> Iterable[tuple[int, Floats]]:
        side = self.mentee_side
        for start in range(0, side.size, BLOCK_ROWS):
            block = side.rows(start, start + BLOCK_ROWS)
            yield (
                start,
                score_block(block, self.mentor_side, self.rules, self._excluded),
            )

    def _keep_demand(self, mentee_ids: Sequence[UUID], base: Floats) -> None:
        ids = self.mentor_side.ids
        best = top_entries(base, self.mentor_side, TOP_K_FOR_DEMAND)
        for mentee_id, entries in zip(mentee_ids, best, strict=False):
            self._set_demand(mentee_id, [(s, ids[col]) for s, col in entries])

    def _factor_vector(self) -> Floats:
        """The damping factors in mentor-side order, kept until mentors change."""
        if (
            self._factor_array is None
            or self._factor_array.size != self.mentor_side.size
        ):
            ids = self.mentor_side.ids
            self._factor_array = np.array([self.factors.get(m, 1.0) for m in ids])
        return self._factor_array

    def _keep_lists(self, mentee_ids: Sequence[UUID], base: Floats) -> None:
        factors = self._factor_vector()
        final = np.where(base > NOT_OFFERED, round_scores(base * factors), NOT_OFFERED)
        best = top_entries(final, self.mentor_side, self.top_n)
        ids = self.mentor_side.ids
        for offset, entries in enumerate(best):
            self._set_list(
                mentee_ids[offset],
                [
                    Candidate(
                        s, ids[col], float(base[offset, col]), float(factors[col])
                    )
                    for s, col in entries
                ],
            )

    def _factor(self, mentor_id: UUID) -> float:
        mentor = self._mentors[mentor_id]
        return damping_factor(self.demand[mentor_id], mentor.free_places)

    # -- incremental updates ---------------------------------------------

    def update(
        self,
        mentees: Mapping[UUID, Person | None] | None = None,
        mentors: Mapping[UUID, Mentor | None] | None = None,
    ) -> RankingChange:
        """Apply changed (or, as None, removed) mentees and mentors; re-rank."""
        mentees, mentors = mentees or {}, mentors or {}
        before = dict(self.lists)
        removed = self._apply_people(mentees, mentors)
        rows = {e for e, p in mentees.items() if p is not None}
        columns = set(mentors)
        self._columns = self._column_scores(columns)
        touched = self._merge_demand(columns, rows)
        rows |= touched.pop_rows
        row_scores = self._row_scores(rows)
        self._set_row_demand(row_scores)
        moved = self._refresh_factors(columns - removed)
        list_columns = (columns | moved) - removed
        self._columns.update(self._column_scores(list_columns - set(self._columns)))
        self._keep_lists(*row_scores)
        merged = self._merge_lists(list_columns, removed, rows)
        self._columns = {}
        gone = frozenset(e for e, p in mentees.items() if p is None)
        candidates = (rows | touched.merged | merged) - gone
        changed = {e for e in candidates if before.get(e) != self.lists.get(e)}
        return RankingChange(frozenset(changed), gone & frozenset(before))

    def _apply_people(
        self,
        mentees: Mapping[UUID, Person | None],
        mentors: Mapping[UUID, Mentor | None],
    ) -> set[UUID]:
        rebuild = len(mentees) > RE_ENCODE_AFTER
        for mentee_id, person in mentees.items():
            if person is None:
                self._set_list(mentee_id, [])
                self._set_demand(mentee_id, [])
                self.lists.pop(mentee_id, None)
                self.demand_top.pop(mentee_id, None)
                rebuild |= self._mentees.pop(mentee_id, None) is not None
            else:
                self._mentees[mentee_id] = person
                if not rebuild:
                    self.mentee_side.put(encode([person], self.tokens))
                    self._holders[DEMAND].grow(self.mentee_side.size)
                    self._holders[LISTS].grow(self.mentee_side.size)
        if rebuild:
            self._rebuild_mentee_side()
        return self._apply_mentors(mentors)

    def _apply_mentors(self, mentors: Mapping[UUID, Mentor | None]) -> set[UUID]:
        rebuild = len(mentors) > RE_ENCODE_AFTER
        removed = set()
        for mentor_id, mentor in mentors.items():
            if mentor is None:
                if self._mentors.pop(mentor_id, None) is not None:
                    removed.add(mentor_id)
                    rebuild = True
            else:
                self._mentors[mentor_id] = mentor
                if not rebuild:
                    self.mentor_side.put(encode([mentor], self.tokens))
        if rebuild:
            self._rebuild_mentor_side()
        return removed

    def _column_scores(self, mentor_ids: set[UUID]) -> dict[UUID, Floats]:
        """Undamped scores of all mentees against these mentors (-1 if gone)."""
        present = [m for m in mentor_ids if m in self._mentors]
        scores = {m: np.full(self.mentee_side.size, NOT_OFFERED) for m in mentor_ids}
        if present and self.mentee_side.size:
            positions = [self.mentor_side.position[m] for m in present]
            right = self.mentor_side.pick(positions)
            block = score_block(self.mentee_side, right, self.rules, self._excluded)
            for column, mentor_id in enumerate(present):
                scores[mentor_id] = block[:, column]
        return scores

    def _row_scores(self, rows: set[UUID]) -> tuple[list[UUID], Floats]:
        present = [e for e in rows if e in self._mentees]
        if not present:
            return [], np.empty((0, self.mentor_side.size))
        positions = [self.mentee_side.position[e] for e in present]
        left = self.mentee_side.pick(positions)
        return present, score_block(left, self.mentor_side, self.rules, self._excluded)

    def _set_row_demand(self, row_scores: tuple[list[UUID], Floats]) -> None:
        self._keep_demand(*row_scores)

    def _merge_demand(self, columns: set[UUID], rows: set[UUID]) -> "_Touched":
        """Fold new column scores into the demand lists of the other mentees."""
        touched = _Touched()
        if not columns:
            return touched
        for mentee_id in self._touched_by(columns, DEMAND):
            if mentee_id in rows:
                continue
            new = self._new_entries(mentee_id, columns, damped=False)
            merged = _merge(self.demand_top.get(mentee_id, []), new, TOP_K_FOR_DEMAND)
            if merged is None:
                touched.pop_rows.add(mentee_id)
            else:
                touched.merged.add(mentee_id)
                self._set_demand(mentee_id, merged)
        return touched

    def _merge_lists(
        self, columns: set[UUID], removed: set[UUID], rows: set[UUID]
    ) -> set[UUID]:
        """Fold new damped column scores into the lists of the other mentees."""
        touched = self._touched_by(columns | removed, LISTS) - rows
        needs_row = set()
        for mentee_id in touched:
            new = self._new_entries(mentee_id, columns, damped=True)
            new.update({m: NOT_OFFERED for m in removed})
            old = [(c.score, c.mentor_id) for c in self.lists.get(mentee_id, [])]
            merged = _merge(old, new, self.top_n)
            if merged is None:
                needs_row.add(mentee_id)
            else:
                self._set_list(mentee_id, self._candidates(mentee_id, merged))
        if needs_row:
            self._keep_lists(*self._row_scores(needs_row))
        return touched

    def _new_entries(
        self, mentee_id: UUID, columns: Iterable[UUID], damped: bool
    ) -> dict[UUID, float]:
        row = self.mentee_side.position[mentee_id]
        entries = {}
        for mentor_id in columns:
            base = float(self._columns[mentor_id][row])
            if damped and base > NOT_OFFERED:
                base = damped_score(base, self.factors.get(mentor_id, 1.0))
            entries[mentor_id] = base
        return entries

    def _touched_by(self, columns: set[UUID], kind: str) -> set[UUID]:
        """Mentees a column can enter or leave: holders, and rows above their last."""
        holders = self._holders[kind]
        touched = holders.holding(columns)
        for mentor_id in columns:
            scores = self._columns.get(mentor_id)
            if scores is None:
                continue
            rows = np.flatnonzero((scores >= holders.last) & (scores > NOT_OFFERED))
            touched.update(self.mentee_side.ids[r] for r in rows.tolist())
        return touched & self._mentees.keys()

    def _set_demand(self, mentee_id: UUID, entries: list[Entry]) -> None:
        old = self.demand_top.get(mentee_id, [])
        self.demand.subtract(m for _, m in old)
        self.demand.update(m for _, m in entries)
        self.demand_top[mentee_id] = entries
        self._demand_moved.update(m for _, m in old)
        self._demand_moved.update(m for _, m in entries)
        row = self.mentee_side.position.get(mentee_id)
        full = len(entries) >= TOP_K_FOR_DEMAND
        self._holders[DEMAND].set(mentee_id, row, old, entries, full)

    def _set_list(self, mentee_id: UUID, candidates: list[Candidate]) -> None:
        old = _as_entry_list(self.lists.get(mentee_id, []))
        self.lists[mentee_id] = candidates
        row = self.mentee_side.position.get(mentee_id)
        full = len(candidates) >= self.top_n
        entries = _as_entry_list(candidates)
        self._holders[LISTS].set(mentee_id, row, old, entries, full)

    def _refresh_factors(self, also: set[UUID]) -> set[UUID]:
        """Mentors whose damping factor moved; their factors are updated."""
        moved = set()
        for mentor_id in self._demand_moved | also:
            if mentor_id not in self._mentors:
                self.factors.pop(mentor_id, None)
                continue
            factor = self._factor(mentor_id)
            if factor != self.factors.get(mentor_id):
                moved.add(mentor_id)
            self.factors[mentor_id] = factor
            self._keep_factor(mentor_id, factor)
        self._demand_moved = set()
        return moved

    def _keep_factor(self, mentor_id: UUID, factor: float) -> None:
        column = self.mentor_side.position.get(mentor_id)
        array = self._factor_array
        if array is not None and column is not None and column < array.size:
            array[column] = factor

    def _candidates(self, mentee_id: UUID, entries: list[Entry]) -> list[Candidate]:
        known = {c.mentor_id: c for c in self.lists.get(mentee_id, [])}
        row = self.mentee_side.position[mentee_id]
        result = []
        for score, mentor_id in entries:
            if mentor_id in self._columns:
                base = float(self._columns[mentor_id][row])
            else:
                base = known[mentor_id].base_score
            factor = self.factors.get(mentor_id, 1.0)
            result.append(Candidate(score, mentor_id, base, factor))
        return result


class _Holders:
    """Which mentees list each mentor, and each mentee's last listed score."""

    def __init__(self) -> None:
        self.by_mentor: defaultdict[UUID, set[UUID]] = defaultdict(set)
        self.last: Floats = np.empty(0)

    def holding(self, mentors: Iterable[UUID]) -> set[UUID]:
        held: set[UUID] = set()
        for mentor_id in mentors:
            held |= self.by_mentor.get(mentor_id, set())
        return held

    def grow(self, size: int) -> None:
        if self.last.size < size:
            room = np.full(size - self.last.size, NOT_OFFERED)
            self.last = np.concatenate([self.last, room])

    def set(
        self,
        mentee_id: UUID,
        row: int | None,
        old: list[Entry],
        new: list[Entry],
        full: bool,
    ) -> None:
        for _, mentor_id in old:
            self.by_mentor[mentor_id].discard(mentee_id)
        for _, mentor_id in new:
            self.by_mentor[mentor_id].add(mentee_id)
        if row is not None:
            self.grow(row + 1)
            self.last[row] = new[-1][0] if full and new else NOT_OFFERED

    def reindex(
        self, lists: Mapping[UUID, list[Entry]], side: Side, limit: int
    ) -> None:
        """Rows moved: place each mentee's last score at their new row."""
        self.last = np.full(side.size, NOT_OFFERED)
        for mentee_id, entries in lists.items():
            row = side.position.get(mentee_id)
            if row is not None and entries and len(entries) >= limit:
                self.last[row] = entries[-1][0]


def _as_entry_list(candidates: list[Candidate]) -> list[Entry]:
    return [(c.score, c.mentor_id) for c in candidates]


def _as_entries(lists: Mapping[UUID, list[Candidate]]) -> dict[UUID, list[Entry]]:
    return {e: _as_entry_list(cs) for e, cs in lists.items()}


@dataclass
class _Touched:
    merged: set[UUID] = field(default_factory=set)
    pop_rows: set[UUID] = field(default_factory=set)


def _merge(old: list[Entry], new: dict[UUID, float], limit: int) -> list[Entry] | None:
    """Old best list with some mentors re-scored; None if a full row is needed.

    A mentor of the old list whose score fell (or who is gone) might be
    overtaken by a mentor outside the list that we do not know, so then only
    the whole row can tell.
    """
    for score, mentor_id in old:
        if mentor_id in new and new[mentor_id] < score:
            return None
    merged = {m: s for s, m in old}
    merged.update({m: s for m, s in new.items() if s > NOT_OFFERED})
    entries = sorted(((s, m) for m, s in merged.items()), key=_sort_key)
    return entries[:limit]


def _entries(candidates: list[Candidate]) -> list[Entry]:
    return [(c.score, c.mentor_id) for c in candidates]


def _by_mentee(rules: TeamRules) -> dict[UUID, frozenset[UUID]]:
    grouped: defaultdict[UUID, set[UUID]] = defaultdict(set)
    for mentor_id, mentee_id in rules.excluded_pairs:
        grouped[mentee_id].add(mentor_id)
    return {e: frozenset(ms) for e, ms in grouped.items()}
