"""The vectorised ranker of one team: full ranking and incremental updates.

A :class:`TeamRanking` keeps, for each mentee of a team, the undamped best
``TOP_K_FOR_DEMAND`` mentors (which make the mentors' demand) and the damped
best ``top_n`` (what the mentee sees). A change re-scores only what it must:
a changed mentee's row, a changed mentor's column, and then only the mentees
whose lists that column can enter, leave or move in, plus the columns of
mentors whose damping moved. Everything else keeps its lists untouched.

Each list is kept deeper than it is shown (:class:`_Tops`), with a *floor*
that no mentor left out of it can beat. A listed mentor whose score falls
then only moves down, and the mentee's whole row is scored again only when
fewer than the shown number of mentors stay certainly above the floor.
Without that depth, one damped mentor losing a little made every mentee who
listed them re-score all 5,000 mentors of a 10,000-member team.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from uuid import UUID

import numpy as np

from carrel_matching.domain.arrays import Floats, Side, Tokens, encode
from carrel_matching.domain.candidates import Candidate
from carrel_matching.domain.damping import TOP_K_FOR_DEMAND, damping_factor
from carrel_matching.domain.people import Mentor, Person, SkillCatalogue, TeamRules
from carrel_matching.domain.scoring import NOT_OFFERED, round_scores, score_block

BLOCK_ROWS = 256
RE_ENCODE_AFTER = 8
"""Above this many changed people, encoding the whole team once is cheaper than
putting each row in place."""
WITHDRAWN_BEFORE_REBUILD = 256
"""Rows of people who left stay (never offered) until this many, or a quarter."""
DEPTH_BEYOND_SHOWN = 10
"""How many more mentors each list keeps than it shows."""
DEMAND, LISTS = "demand", "lists"
Entry = tuple[float, UUID, float]
"""A score, the mentor it belongs to, and the mentor's undamped score."""


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
        self._tops = self._empty_tops()
        self._rebuild_sides()
        self.demand: Counter[UUID] = Counter()
        self.factors: dict[UUID, float] = {}
        self.lists: dict[UUID, list[Candidate]] = {}
        self._columns: dict[UUID, Floats] = {}
        self._demand_moved: set[UUID] = set()
        self._factor_array: Floats | None = None

    def _empty_tops(self) -> dict[str, "_Tops"]:
        return {
            DEMAND: _Tops(TOP_K_FOR_DEMAND, TOP_K_FOR_DEMAND + DEPTH_BEYOND_SHOWN),
            LISTS: _Tops(self.top_n, self.top_n + DEPTH_BEYOND_SHOWN),
        }

    @property
    def mentee_ids(self) -> frozenset[UUID]:
        return frozenset(self._mentees)

    def mentor(self, mentor_id: UUID) -> Mentor | None:
        return self._mentors.get(mentor_id)

    def mentee(self, mentee_id: UUID) -> Person | None:
        return self._mentees.get(mentee_id)

    def listing(self, mentor_id: UUID) -> set[UUID]:
        """The mentees whose shown list holds this mentor."""
        held = self._tops[LISTS].holding([mentor_id])
        return {
            e
            for e in held
            if any(c.mentor_id == mentor_id for c in self.lists.get(e, []))
        }

    def exclude(self, mentor_id: UUID, mentee_id: UUID) -> None:
        """Never offer this pair again; update the mentee to re-rank their row."""
        pairs = self.rules.excluded_pairs | {(mentor_id, mentee_id)}
        self.rules = replace(self.rules, excluded_pairs=pairs)
        self._excluded = _by_mentee(self.rules)

    def _rebuild_sides(self) -> None:
        self._rebuild_mentee_side()
        self._rebuild_mentor_side()

    def _rebuild_mentee_side(self) -> None:
        old = getattr(self, "mentee_side", None)
        self.mentee_side = encode(list(self._mentees.values()), self.tokens)
        for tops in self._tops.values():
            tops.reindex(old, self.mentee_side)

    def _rebuild_mentor_side(self) -> None:
        self.mentor_side = encode(list(self._mentors.values()), self.tokens)
        self._factor_array = None

    def _score(self, mentees: Side, mentors: Side) -> Floats:
        """Undamped scores of these mentees (rows) against these mentors."""
        return score_block(mentees, mentors, self.rules, self._excluded)

    # -- full ranking -----------------------------------------------------

    def rank_all(self) -> frozenset[UUID]:
        """Rank every mentee from scratch; returns the mentees whose list changed."""
        before = self.lists
        if self.mentee_side.size > len(self._mentees):
            self._rebuild_mentee_side()
        if self.mentor_side.size > len(self._mentors):
            self._rebuild_mentor_side()
        self._tops = self._empty_tops()
        for tops in self._tops.values():
            tops.grow(self.mentee_side.size)
        self.demand = Counter()
        for start, base in self._blocks():
            self._keep_demand(self.mentee_side.ids[start:], base)
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
            yield start, self._score(block, self.mentor_side)

    def _keep_demand(self, mentee_ids: Sequence[UUID], base: Floats) -> None:
        self._keep(DEMAND, mentee_ids, base, base)

    def _keep_lists(self, mentee_ids: Sequence[UUID], base: Floats) -> None:
        factors = self._factor_vector()
        final = np.where(base > NOT_OFFERED, round_scores(base * factors), NOT_OFFERED)
        self._keep(LISTS, mentee_ids, final, base)

    def _keep(
        self, kind: str, mentee_ids: Sequence[UUID], final: Floats, base: Floats
    ) -> None:
        """Whole rows scored again: each row's deep list and its floor."""
        depth = self._tops[kind].depth
        ids = self.mentor_side.ids
        for offset, best in enumerate(top_entries(final, self.mentor_side, depth + 1)):
            entries = [(s, ids[col], float(base[offset, col])) for s, col in best]
            floor = entries[depth][0] if len(entries) > depth else NOT_OFFERED
            self._set(kind, mentee_ids[offset], entries[:depth], floor)

    def _factor_vector(self) -> Floats:
        """The damping factors in mentor-side order, kept until mentors change."""
        if (
            self._factor_array is None
            or self._factor_array.size != self.mentor_side.size
        ):
            ids = self.mentor_side.ids
            self._factor_array = np.array([self.factors.get(m, 1.0) for m in ids])
        return self._factor_array

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
        merged, pop_rows = self._merge(DEMAND, columns, rows)
        rows |= pop_rows
        row_scores = self._row_scores(rows)
        self._keep_demand(*row_scores)
        moved = self._refresh_factors(columns - removed)
        list_columns = (columns | moved) - removed
        self._columns.update(self._column_scores(list_columns - set(self._columns)))
        self._keep_lists(*row_scores)
        listed, pop_rows = self._merge(LISTS, list_columns | removed, rows)
        self._keep_lists(*self._row_scores(pop_rows))
        self._columns = {}
        gone = frozenset(e for e, p in mentees.items() if p is None)
        candidates = (rows | merged | listed) - gone
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
                self._withdraw_mentee(mentee_id)
            else:
                self._mentees[mentee_id] = person
                if not rebuild:
                    self.mentee_side.put(encode([person], self.tokens))
        if rebuild or _mostly_withdrawn(self.mentee_side.size, len(self._mentees)):
            self._rebuild_mentee_side()
        for tops in self._tops.values():
            tops.grow(self.mentee_side.size)
        return self._apply_mentors(mentors)

    def _withdraw_mentee(self, mentee_id: UUID) -> None:
        """Forget the mentee's lists; their row stays, ignored, until a rebuild."""
        self._set(DEMAND, mentee_id, [], NOT_OFFERED)
        self._set(LISTS, mentee_id, [], NOT_OFFERED)
        self.lists.pop(mentee_id, None)
        self._mentees.pop(mentee_id, None)
        row = self.mentee_side.position.get(mentee_id)
        for tops in self._tops.values():
            tops.forget(mentee_id, row)

    def _apply_mentors(self, mentors: Mapping[UUID, Mentor | None]) -> set[UUID]:
        rebuild = len(mentors) > RE_ENCODE_AFTER
        removed = set()
        for mentor_id, mentor in mentors.items():
            if mentor is None:
                if self._mentors.pop(mentor_id, None) is not None:
                    removed.add(mentor_id)
                    self.mentor_side.withdraw(mentor_id)
            else:
                self._mentors[mentor_id] = mentor
                if not rebuild:
                    self.mentor_side.put(encode([mentor], self.tokens))
        if rebuild or _mostly_withdrawn(self.mentor_side.size, len(self._mentors)):
            self._rebuild_mentor_side()
        return removed

    def _column_scores(self, mentor_ids: set[UUID]) -> dict[UUID, Floats]:
        """Undamped scores of all mentees against these mentors (-1 if gone)."""
        present = [m for m in mentor_ids if m in self._mentors]
        scores = {m: np.full(self.mentee_side.size, NOT_OFFERED) for m in mentor_ids}
        if present and self.mentee_side.size:
            positions = [self.mentor_side.position[m] for m in present]
            block = self._score(self.mentee_side, self.mentor_side.pick(positions))
            for column, mentor_id in enumerate(present):
                scores[mentor_id] = block[:, column]
        return scores

    def _row_scores(self, rows: set[UUID]) -> tuple[list[UUID], Floats]:
        present = [e for e in rows if e in self._mentees]
        if not present:
            return [], np.empty((0, self.mentor_side.size))
        positions = [self.mentee_side.position[e] for e in present]
        return present, self._score(self.mentee_side.pick(positions), self.mentor_side)

    def _merge(
        self, kind: str, columns: set[UUID], rows: set[UUID]
    ) -> tuple[set[UUID], set[UUID]]:
        """Fold new column scores into the other mentees' deep lists.

        Returns the mentees whose lists took the new scores, and those whose
        whole row must be scored again.
        """
        tops = self._tops[kind]
        finals = {m: self._final(kind, m) for m in columns}
        merged, pop_rows = set(), set()
        for mentee_id in self._touched_by(tops, finals) - rows:
            row = self.mentee_side.position[mentee_id]
            new = {
                m: (float(final[row]), float(self._columns[m][row]))
                for m, final in finals.items()
            }
            result = tops.merged(mentee_id, row, new)
            if result is None:
                pop_rows.add(mentee_id)
            else:
                merged.add(mentee_id)
                self._set(kind, mentee_id, *result)
        return merged, pop_rows

    def _final(self, kind: str, mentor_id: UUID) -> Floats:
        """The column as lists of this kind hold it: damped for what is shown."""
        scores = self._columns[mentor_id]
        if kind == DEMAND:
            return scores
        factor = self.factors.get(mentor_id, 1.0)
        return np.where(
            scores > NOT_OFFERED, round_scores(scores * factor), NOT_OFFERED
        )

    def _touched_by(self, tops: "_Tops", finals: Mapping[UUID, Floats]) -> set[UUID]:
        """Mentees a column can enter, leave or move in: holders, rows above floor."""
        touched = tops.holding(finals)
        ids = self.mentee_side.ids
        floor = tops.floor[: self.mentee_side.size]
        for scores in finals.values():
            # At the floor too: a row whose last shown score ties the floor is
            # not certain, and a mentor with that score may come first by id.
            rows = np.flatnonzero((scores >= floor) & (scores > NOT_OFFERED))
            touched.update(ids[r] for r in rows.tolist())
        return touched & self._mentees.keys()

    def _set(self, kind: str, mentee_id: UUID, kept: list[Entry], floor: float) -> None:
        row = self.mentee_side.position.get(mentee_id)
        old = self._tops[kind].set(mentee_id, row, kept, floor)
        if kind == DEMAND:
            shown = [m for _, m, _ in kept[:TOP_K_FOR_DEMAND]]
            self.demand.subtract(old)
            self.demand.update(shown)
            self._demand_moved.update(old)
            self._demand_moved.update(shown)
        else:
            self.lists[mentee_id] = [
                Candidate(s, m, b, self.factors.get(m, 1.0))
                for s, m, b in kept[: self.top_n]
            ]

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


class _Tops:
    """Each mentee's best ``depth`` mentors, and what no one left out can beat.

    ``floor[row]`` is at least the score of every offered mentor missing from
    that row's list; the first ``shown`` entries are certain while they stay
    above it (or while the floor says nobody else is offered at all).
    """

    def __init__(self, shown: int, depth: int) -> None:
        self.shown, self.depth = shown, depth
        self.kept: dict[UUID, list[Entry]] = {}
        self.by_mentor: defaultdict[UUID, set[UUID]] = defaultdict(set)
        self.floor: Floats = np.empty(0)

    def holding(self, mentors: Iterable[UUID]) -> set[UUID]:
        held: set[UUID] = set()
        for mentor_id in mentors:
            held |= self.by_mentor.get(mentor_id, set())
        return held

    def grow(self, size: int) -> None:
        if self.floor.size < size:
            room = np.full(size - self.floor.size, NOT_OFFERED)
            self.floor = np.concatenate([self.floor, room])

    def set(
        self, mentee_id: UUID, row: int | None, kept: list[Entry], floor: float
    ) -> list[UUID]:
        """Keep this list; returns the mentors shown before, for the demand."""
        old = self.kept.get(mentee_id, [])
        for _, mentor_id, _ in old:
            self.by_mentor[mentor_id].discard(mentee_id)
        for _, mentor_id, _ in kept:
            self.by_mentor[mentor_id].add(mentee_id)
        self.kept[mentee_id] = kept
        if row is not None:
            self.grow(row + 1)
            self.floor[row] = floor
        return [m for _, m, _ in old[: self.shown]]

    def forget(self, mentee_id: UUID, row: int | None) -> None:
        """A mentee who left: no column may enter their row any more."""
        self.kept.pop(mentee_id, None)
        if row is not None and row < self.floor.size:
            self.floor[row] = np.inf

    def merged(
        self, mentee_id: UUID, row: int, new: Mapping[UUID, tuple[float, float]]
    ) -> tuple[list[Entry], float] | None:
        """The list with these mentors' new scores; None if the row must be scored.

        A mentor whose score fell to the floor or below leaves the list, since
        someone outside might now be ahead of them; the floor still holds.
        """
        floor = float(self.floor[row])
        kept = [e for e in self.kept.get(mentee_id, []) if e[1] not in new]
        kept += [(s, m, b) for m, (s, b) in new.items() if s > floor]
        kept.sort(key=_sort_key)
        if len(kept) > self.depth:
            floor = max(floor, kept[self.depth][0])
            kept = kept[: self.depth]
        certain = floor <= NOT_OFFERED or (
            len(kept) >= self.shown and kept[self.shown - 1][0] > floor
        )
        return (kept, floor) if certain else None

    def reindex(self, old: Side | None, side: Side) -> None:
        """Rows moved: carry each mentee's floor to their new row."""
        floor = np.full(side.size, NOT_OFFERED)
        if old is not None:
            for row, mentee_id in enumerate(side.ids):
                was = old.position.get(mentee_id)
                if was is not None and was < self.floor.size:
                    floor[row] = self.floor[was]
        self.floor = floor


def _mostly_withdrawn(rows: int, people: int) -> bool:
    """Whether withdrawn rows are many enough to be worth one rebuild."""
    return rows - people > max(WITHDRAWN_BEFORE_REBUILD, rows // 4)


def _by_mentee(rules: TeamRules) -> dict[UUID, frozenset[UUID]]:
    grouped: defaultdict[UUID, set[UUID]] = defaultdict(set)
    for mentor_id, mentee_id in rules.excluded_pairs:
        grouped[mentee_id].add(mentor_id)
    return {e: frozenset(ms) for e, ms in grouped.items()}
