"""The plain pure-Python ranker: every pair, one at a time.

It computes exactly what the vectorised ranker computes, through the plain
definitions in :mod:`carrel_matching.domain.criteria`. The tests hold the two
to agreement and the benchmarks measure one against the other.

:class:`PlainTeamRanking` is the baseline of an update: the very same
incremental bookkeeping as :class:`TeamRanking` (same rows, same columns,
same deep lists), with every score computed pair by pair in plain Python.
"""

import copy
from collections import Counter
from collections.abc import Sequence
from uuid import UUID

import numpy as np

from carrel_matching.domain.arrays import Floats, Side
from carrel_matching.domain.candidates import Candidate, damped, ranked
from carrel_matching.domain.criteria import scored_pair
from carrel_matching.domain.damping import TOP_K_FOR_DEMAND, damping_factor
from carrel_matching.domain.people import Mentor, Person, SkillCatalogue, TeamRules
from carrel_matching.domain.ranker import TeamRanking
from carrel_matching.domain.scoring import NOT_OFFERED


def base_scores(
    mentee: Person,
    mentors: Sequence[Mentor],
    rules: TeamRules,
    skills: SkillCatalogue,
) -> dict[UUID, float]:
    """The undamped score of every mentor that may be offered to the mentee."""
    scores = {}
    for mentor in mentors:
        score = scored_pair(mentee, mentor, rules, skills)
        if score is not None:
            scores[mentor.mentor_id] = score
    return scores


def rank_team(
    mentees: Sequence[Person],
    mentors: Sequence[Mentor],
    rules: TeamRules,
    skills: SkillCatalogue,
    top_n: int,
) -> dict[UUID, list[Candidate]]:
    """Every mentee's best ``top_n`` mentors, damping included."""
    base = {m.person_id: base_scores(m, mentors, rules, skills) for m in mentees}
    demand: Counter[UUID] = Counter()
    for scores in base.values():
        demand.update(_best_ids(scores, TOP_K_FOR_DEMAND))
    factors = {
        m.mentor_id: damping_factor(demand[m.mentor_id], m.free_places) for m in mentors
    }
    return {
        mentee_id: ranked(
            [
                Candidate(damped(s, factors[mid]), mid, s, factors[mid])
                for mid, s in scores.items()
            ],
            top_n,
        )
        for mentee_id, scores in base.items()
    }


def _best_ids(scores: dict[UUID, float], k: int) -> list[UUID]:
    order = sorted(scores.items(), key=lambda item: (-item[1], str(item[0])))
    return [mentor_id for mentor_id, _ in order[:k]]


class PlainTeamRanking(TeamRanking):
    """A team ranking that scores each pair with :func:`scored_pair`."""

    @classmethod
    def taking_over(cls, ranking: TeamRanking) -> "PlainTeamRanking":
        """A copy of a ranked team that scores in plain Python from now on.

        Ranking 10,000 members pair by pair takes most of an hour, so the
        baseline of an update starts from the vectorised ranker's state.
        """
        plain = copy.deepcopy(ranking)
        plain.__class__ = cls
        return plain  # type: ignore[return-value]

    def _score(self, mentees: Side, mentors: Side) -> Floats:
        scores = np.full((mentees.size, mentors.size), NOT_OFFERED)
        pool = [self.mentor(m) for m in mentors.ids]
        for row, mentee_id in enumerate(mentees.ids):
            mentee = self.mentee(mentee_id)
            if mentee is None:
                continue
            for column, mentor in enumerate(pool):
                if mentor is None:
                    continue
                score = scored_pair(mentee, mentor, self.rules, self.skills)
                if score is not None:
                    scores[row, column] = score
        return scores
