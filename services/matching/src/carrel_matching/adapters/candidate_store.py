"""The stored candidate lists: what the read API answers from."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as upsert

from carrel_matching.adapters.tables import candidate_lists, candidates


@dataclass(frozen=True)
class StoredCandidate:
    mentee_id: UUID
    mentor_id: UUID
    rank: int
    score: float
    breakdown: dict[str, Any]
    reasons: list[str]
    base_score: float = 0.0
    damping: float = 1.0


def replace_lists(
    c: Connection, team_id: UUID, lists: Mapping[UUID, list[dict[str, Any]]]
) -> dict[UUID, int]:
    """Store several mentees' new lists in a few statements; each list's version.

    A mentor joining a consortium's pool can change the lists of hundreds of
    mentees at once; one round trip per list kept the consumer behind.
    """
    if not lists:
        return {}
    c.execute(
        delete(candidates)
        .where(candidates.c.team_id == team_id)
        .where(candidates.c.mentee_id.in_(list(lists)))
    )
    rows = [
        {"team_id": team_id, "mentee_id": mentee_id, **row}
        for mentee_id, listed in lists.items()
        for row in listed
    ]
    if rows:
        c.execute(insert(candidates), rows)
    statement = upsert(candidate_lists).values(
        [{"team_id": team_id, "mentee_id": m, "version": 1} for m in lists]
    )
    versions = c.execute(
        statement.on_conflict_do_update(
            index_elements=["team_id", "mentee_id"],
            set_={"version": candidate_lists.c.version + 1},
        ).returning(candidate_lists.c.mentee_id, candidate_lists.c.version)
    )
    return {row.mentee_id: int(row.version) for row in versions}


def drop_list(c: Connection, team_id: UUID, mentee_id: UUID) -> None:
    c.execute(
        delete(candidates)
        .where(candidates.c.team_id == team_id)
        .where(candidates.c.mentee_id == mentee_id)
    )


def stored_lists(c: Connection, team_id: UUID) -> dict[UUID, list[tuple[UUID, float]]]:
    """Every mentee's stored list as (mentor, score), best first."""
    rows = c.execute(
        select(candidates.c.mentee_id, candidates.c.mentor_id, candidates.c.score)
        .where(candidates.c.team_id == team_id)
        .order_by(candidates.c.mentee_id, candidates.c.rank)
    )
    lists: dict[UUID, list[tuple[UUID, float]]] = {}
    for row in rows:
        lists.setdefault(row.mentee_id, []).append((row.mentor_id, row.score))
    return lists


def candidates_of(
    c: Connection, team_id: UUID, mentee_id: UUID
) -> list[StoredCandidate]:
    rows = c.execute(
        select(candidates)
        .where(candidates.c.team_id == team_id)
        .where(candidates.c.mentee_id == mentee_id)
        .order_by(candidates.c.rank)
    )
    return [_stored(row) for row in rows]


def fitting_mentees(
    c: Connection, team_id: UUID, mentor_id: UUID, limit: int
) -> list[StoredCandidate]:
    """Mentees who have this mentor in their list, best fit first."""
    rows = c.execute(
        select(candidates)
        .where(candidates.c.team_id == team_id)
        .where(candidates.c.mentor_id == mentor_id)
        .order_by(candidates.c.score.desc(), candidates.c.mentee_id)
        .limit(limit)
    )
    return [_stored(row) for row in rows]


def _stored(row: Any) -> StoredCandidate:
    return StoredCandidate(
        row.mentee_id,
        row.mentor_id,
        row.rank,
        row.score,
        row.breakdown,
        row.reasons,
        row.base_score,
        row.damping,
    )
