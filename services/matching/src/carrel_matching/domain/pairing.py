"""Whole-pool pairing: every unmatched mentee to a mentor, within capacities.

Each mentor's free places become slots, and the pool becomes a bipartite
graph from mentees to slots solved as a minimum-cost full matching
(``scipy.sparse.csgraph.min_weight_full_bipartite_matching``). Every mentee
also has a private "unmatched" slot, so the matching always exists.

- ``highest_total``: a pair costs ``2 - score`` and staying unmatched costs 2,
  so the matching maximises the sum of scores.
- ``most_matched``: staying unmatched costs ``2 + (mentees + 1)``, more than
  any trade of scores could win back, so the matching first maximises the
  number of pairs at or above ``min_score``, then their total score.

Only each mentee's best ``candidates_per_mentee`` mentors enter the graph.
That keeps 5,000 mentees on 2,500 mentors well under a second; the answer is
the true optimum whenever no optimal pair lies deeper in a mentee's list,
which with 50 candidates per mentee and a few places per mentor is the usual
case, but it is not proved for every pool.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

import numpy as np
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
from scipy.sparse.csgraph import (  # type: ignore[import-untyped]
    min_weight_full_bipartite_matching,
)

from carrel_matching.domain.arrays import Floats, Tokens, encode
from carrel_matching.domain.people import Mentor, Person, SkillCatalogue, TeamRules
from carrel_matching.domain.ranker import BLOCK_ROWS, _by_mentee
from carrel_matching.domain.scoring import score_block

Objective = Literal["highest_total", "most_matched"]


@dataclass(frozen=True)
class Pair:
    mentee_id: UUID
    mentor_id: UUID
    score: float


@dataclass(frozen=True)
class Pairing:
    """An assignment and the pool's totals."""

    objective: Objective
    pairs: tuple[Pair, ...]
    unmatched: tuple[UUID, ...]
    mentees: int
    places: int

    @property
    def total_score(self) -> float:
        return round(sum(p.score for p in self.pairs), 6)

    @property
    def mean_score(self) -> float:
        return round(self.total_score / len(self.pairs), 6) if self.pairs else 0.0


def pair_pool(
    mentees: Sequence[Person],
    mentors: Sequence[Mentor],
    rules: TeamRules,
    skills: SkillCatalogue,
    objective: Objective = "highest_total",
    min_score: float = 0.0,
    candidates_per_mentee: int = 50,
) -> Pairing:
    """The best assignment of these mentees to these mentors' free places."""
    offered = [m for m in mentors if m.offerable]
    places = sum(m.free_places for m in offered)
    if not mentees or not offered:
        ids = tuple(p.person_id for p in mentees)
        return Pairing(objective, (), ids, len(mentees), places)
    rows, cols, scores = _best_edges(
        mentees, offered, rules, skills, min_score, candidates_per_mentee
    )
    chosen = _solve(rows, cols, scores, offered, len(mentees), objective)
    pairs = tuple(
        Pair(mentees[r].person_id, offered[m].mentor_id, s) for r, m, s in chosen
    )
    matched = {p.mentee_id for p in pairs}
    unmatched = tuple(p.person_id for p in mentees if p.person_id not in matched)
    return Pairing(objective, pairs, unmatched, len(mentees), places)


def _best_edges(
    mentees: Sequence[Person],
    mentors: Sequence[Mentor],
    rules: TeamRules,
    skills: SkillCatalogue,
    min_score: float,
    limit: int,
) -> tuple[np.ndarray, np.ndarray, Floats]:
    tokens = Tokens(skills)
    right = encode(list(mentors), tokens)
    excluded = _by_mentee(rules)
    parts: list[tuple[np.ndarray, np.ndarray, Floats]] = []
    for start in range(0, len(mentees), BLOCK_ROWS):
        left = encode(list(mentees[start : start + BLOCK_ROWS]), tokens)
        block = score_block(left, right, rules, excluded)
        block[block < min_score] = -1.0
        keep = min(limit, block.shape[1])
        best = np.argpartition(-block, keep - 1, axis=1)[:, :keep]
        rows = np.repeat(np.arange(block.shape[0]), keep)
        cols = best.ravel()
        values = block[rows, cols]
        good = values >= 0
        parts.append((rows[good] + start, cols[good], values[good]))
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
    )


def _solve(
    rows: np.ndarray,
    cols: np.ndarray,
    scores: Floats,
    mentors: Sequence[Mentor],
    mentees: int,
    objective: Objective,
) -> list[tuple[int, int, float]]:
    """(mentee row, mentor index, score) of the optimal matching."""
    free = np.array([m.free_places for m in mentors], dtype=np.int64)
    first_slot = np.concatenate([[0], np.cumsum(free)[:-1]])
    slots = int(free.sum())
    copies = free[cols]
    edge_rows = np.repeat(rows, copies)
    starts = np.repeat(np.cumsum(copies) - copies, copies)
    edge_slots = (
        np.repeat(first_slot[cols], copies) + np.arange(len(edge_rows)) - starts
    )
    edge_costs = np.repeat(2.0 - scores, copies)
    unmatched_cost = 2.0 + (mentees + 1 if objective == "most_matched" else 0)
    graph = csr_matrix(
        (
            np.concatenate([edge_costs, np.full(mentees, unmatched_cost)]),
            (
                np.concatenate([edge_rows, np.arange(mentees)]),
                np.concatenate([edge_slots, slots + np.arange(mentees)]),
            ),
        ),
        shape=(mentees, slots + mentees),
    )
    matched_rows, matched_slots = min_weight_full_bipartite_matching(graph)
    real = matched_slots < slots
    chosen_rows, chosen_slots = matched_rows[real], matched_slots[real]
    if not len(chosen_rows):
        return []
    mentor_of_slot = np.repeat(np.arange(len(mentors)), free)
    chosen_mentors = mentor_of_slot[chosen_slots]
    by_pair = csr_matrix((scores, (rows, cols)), shape=(mentees, len(mentors)))
    chosen_scores = np.asarray(by_pair[chosen_rows, chosen_mentors]).ravel()
    return list(
        zip(
            chosen_rows.tolist(),
            chosen_mentors.tolist(),
            chosen_scores.tolist(),
            strict=True,
        )
    )
