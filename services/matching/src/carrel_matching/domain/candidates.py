"""A mentee's ranked candidates: what both rankers produce."""

from dataclasses import dataclass
from uuid import UUID

from carrel_matching.domain.criteria import round_score


@dataclass(frozen=True, order=True)
class Candidate:
    """One mentor offered to a mentee, with the score after damping."""

    score: float
    mentor_id: UUID
    base_score: float
    damping: float


def damped(base: float, factor: float) -> float:
    return round_score(base * factor)


def ranked(candidates: list[Candidate], limit: int) -> list[Candidate]:
    """Best first; equal scores in mentor id order, as both rankers do."""
    return sorted(candidates, key=lambda c: (-c.score, str(c.mentor_id)))[:limit]


def same_list(a: list[Candidate], b: list[Candidate], tolerance: float) -> bool:
    """Whether a mentee would see the same list: mentors, order, scores."""
    if [c.mentor_id for c in a] != [c.mentor_id for c in b]:
        return False
    return all(abs(x.score - y.score) <= tolerance for x, y in zip(a, b, strict=True))
