"""The plain pure-Python ranker: every pair, one at a time.

It computes exactly what the vectorised ranker computes, through the plain
definitions in :mod:`carrel_matching.domain.criteria`. The tests hold the two
to agreement and the benchmarks measure one against the other.
"""

from collections import Counter
from collections.abc import Sequence
from uuid import UUID

from carrel_matching.domain.candidates import Candidate, damped, ranked
from carrel_matching.domain.criteria import scored_pair
from carrel_matching.domain.damping import TOP_K_FOR_DEMAND, damping_factor
from carrel_matching.domain.people import Mentor, Person, SkillCatalogue, TeamRules


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
