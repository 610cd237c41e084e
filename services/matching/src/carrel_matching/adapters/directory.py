"""Teams, memberships and mentorships as matching stores and reads them.

The writes copy teams and profile events into matching's tables; the reads
assemble what the ranker needs: a team's rules, its mentees, and the mentors
of its pool (the team's own, or a consortium's shared pool).

A mentor's capacity is their membership's capacity in the team they mentor
in, else the capacity on their profile when it is above zero, else the
team's default. Their load counts the mentorships they run now, in any team:
a person's time is not split by team.

A mentor a team paused (``MentorPaused``) is not offered to that team's
mentees, nor through a consortium's pool that draws them from that team,
until ``MentorResumed``. A mentor who also mentors in the ranked team itself
is judged by that team's pause alone: they reach its mentees as its own.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from carrel_events.contracts import teams as contract
from sqlalchemy import Connection, and_, cast, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert

from carrel_matching.adapters.profiles import person_from, profile_capacity
from carrel_matching.adapters.tables import (
    consortium_teams,
    memberships,
    mentor_pauses,
    mentorships,
    people,
    teams,
)
from carrel_matching.domain.people import Mentor, Person, TeamRules, Weights

EXCLUDING_STATES = (
    "requested",
    "active",
    "declined",
    "expired",
    "withdrawn",
    "ended",
)
"""Mentorship states in which matching does not offer that pair: a mentee who
has asked a mentor waits for the answer rather than being offered them again,
and after any answer the pair is not offered again either; nor after the
mentee withdrew the request (they may still ask that mentor themselves). A
withdrawn request no longer keeps its mentee among the busy ones, and it never
counted on the mentor's load, which counts active mentorships only."""


@dataclass(frozen=True)
class TeamPool:
    """Everything the ranker needs for one team."""

    team_id: UUID
    rules: TeamRules
    mentees: list[Person]
    mentors: list[Mentor]


# -- writes -----------------------------------------------------------------


def merge_features(c: Connection, person_id: UUID, section: dict[str, Any]) -> None:
    statement = insert(people).values(person_id=person_id, features=section)
    c.execute(
        statement.on_conflict_do_update(
            index_elements=["person_id"],
            set_={"features": people.c.features.op("||")(statement.excluded.features)},
        )
    )


def erase_person(c: Connection, person_id: UUID) -> None:
    c.execute(delete(people).where(people.c.person_id == person_id))


def resume_ended_pauses(c: Connection, today: date) -> list[UUID]:
    """Make available everyone whose pause ended by ``today``; who they are."""
    features = people.c.features
    rows = c.execute(
        update(people)
        .where(features["available"].astext == "false")
        .where(features["paused_until"].astext <= today.isoformat())
        .values(features=features.op("||")(_RESUMED))
        .returning(people.c.person_id)
    )
    return [row.person_id for row in rows]


_RESUMED = cast({"available": True, "paused_until": None}, JSONB)


def save_team(
    c: Connection, team_id: UUID, kind: str | None, settings: contract.ProgrammeSettings
) -> None:
    values: dict[str, Any] = {"settings": settings.model_dump(mode="json")}
    statement = insert(teams).values(
        team_id=team_id, kind=kind or "library", generation=0, **values
    )
    if kind is not None:
        values["kind"] = kind
    c.execute(statement.on_conflict_do_update(index_elements=["team_id"], set_=values))


def save_membership(
    c: Connection, team_id: UUID, person_id: UUID, **values: Any
) -> None:
    statement = insert(memberships).values(
        team_id=team_id, person_id=person_id, **{"roles": [], **values}
    )
    c.execute(
        statement.on_conflict_do_update(
            index_elements=["team_id", "person_id"], set_=values
        )
    )


def remove_membership(c: Connection, team_id: UUID, person_id: UUID) -> None:
    """Forget the membership and, as the teams service does, any pause in it."""
    for table in (memberships, mentor_pauses):
        c.execute(
            delete(table)
            .where(table.c.team_id == team_id)
            .where(table.c.person_id == person_id)
        )


def pause_mentor(
    c: Connection, team_id: UUID, person_id: UUID, expired_requests: int
) -> None:
    """Record the team's pause; pausing a paused mentor again changes nothing."""
    statement = insert(mentor_pauses).values(
        team_id=team_id, person_id=person_id, expired_requests=expired_requests
    )
    c.execute(statement.on_conflict_do_nothing())


def resume_mentor(c: Connection, team_id: UUID, person_id: UUID) -> None:
    c.execute(
        delete(mentor_pauses)
        .where(mentor_pauses.c.team_id == team_id)
        .where(mentor_pauses.c.person_id == person_id)
    )


def save_consortium_team(
    c: Connection, consortium_id: UUID, member_team_id: UUID, consented: bool | None
) -> None:
    values = {} if consented is None else {"consented": consented}
    statement = insert(consortium_teams).values(
        consortium_id=consortium_id,
        member_team_id=member_team_id,
        consented=bool(consented),
    )
    if values:
        c.execute(
            statement.on_conflict_do_update(
                index_elements=["consortium_id", "member_team_id"], set_=values
            )
        )
    else:
        c.execute(statement.on_conflict_do_nothing())


def save_mentorship(
    c: Connection,
    mentorship_id: UUID,
    team_id: UUID,
    state: str,
    mentor_id: UUID | None = None,
    mentee_id: UUID | None = None,
) -> tuple[UUID, UUID] | None:
    """Record a mentorship's state; its (mentor, mentee) once both are known."""
    if mentor_id is not None and mentee_id is not None:
        statement = insert(mentorships).values(
            mentorship_id=mentorship_id,
            team_id=team_id,
            mentor_id=mentor_id,
            mentee_id=mentee_id,
            state=state,
        )
        c.execute(
            statement.on_conflict_do_update(
                index_elements=["mentorship_id"],
                set_={"state": state, "mentor_id": mentor_id},
            )
        )
        return mentor_id, mentee_id
    row = c.execute(
        update(mentorships)
        .where(mentorships.c.mentorship_id == mentorship_id)
        .values(state=state)
        .returning(mentorships.c.mentor_id, mentorships.c.mentee_id)
    ).first()
    return None if row is None else (row.mentor_id, row.mentee_id)


def bump_generation(c: Connection, team_id: UUID) -> int | None:
    """Lock the team's row and count one more change; None for an unknown team."""
    row = c.execute(
        update(teams)
        .where(teams.c.team_id == team_id)
        .values(generation=teams.c.generation + 1)
        .returning(teams.c.generation)
    ).first()
    return None if row is None else int(row.generation)


# -- reads ------------------------------------------------------------------


def pool_teams(c: Connection, team_id: UUID) -> set[UUID]:
    """The teams whose mentors a team's mentees may be offered (itself included).

    A consortium's pool takes the mentors of its consenting member teams; a
    consenting member team shares the pool of its consortium. The relation
    runs both ways, so it also says which teams a change of ``team_id`` touches.
    """
    consented = consortium_teams.c.consented.is_(True)
    consortia = set(
        c.scalars(
            select(consortium_teams.c.consortium_id).where(
                consortium_teams.c.member_team_id == team_id, consented
            )
        )
    )
    consortia.add(team_id)
    members = c.scalars(
        select(consortium_teams.c.member_team_id).where(
            consortium_teams.c.consortium_id.in_(consortia), consented
        )
    )
    return consortia | set(members)


class Pools:
    """:func:`pool_teams` remembered for one transaction, which asks it often."""

    def __init__(self, c: Connection) -> None:
        self._c = c
        self._known: dict[UUID, set[UUID]] = {}

    def of(self, team_id: UUID) -> set[UUID]:
        if team_id not in self._known:
            self._known[team_id] = pool_teams(self._c, team_id)
        return self._known[team_id]


def teams_touched_by(
    c: Connection, person_ids: Iterable[UUID], pools: Pools
) -> set[UUID]:
    """Teams whose rankings these people's changes can move.

    A mentee is ranked in their own team only; a mentor is offered to the
    whole pool their team shares, so their changes reach every team of it.
    In a consortium of 48 libraries, sending a mentee's change to all 48
    kept the consumer minutes behind the demo's load.
    """
    rows = c.execute(
        select(memberships.c.team_id, memberships.c.roles).where(
            memberships.c.person_id.in_(list(person_ids))
        )
    )
    touched: set[UUID] = set()
    for row in rows:
        if "mentee" in row.roles:
            touched.add(row.team_id)
        if "mentor" in row.roles:
            touched |= pools.of(row.team_id)
    return touched


def team_rules(c: Connection, team_id: UUID) -> tuple[TeamRules, int] | None:
    """The team's rules and default capacity; None for a team not yet known."""
    row = c.execute(select(teams.c.settings).where(teams.c.team_id == team_id)).first()
    if row is None:
        return None
    settings = contract.ProgrammeSettings.model_validate(row.settings)
    weights = Weights(**settings.matching_weights.model_dump())
    listed = {(p.mentor_id, p.mentee_id) for p in settings.excluded_pairs}
    rules = TeamRules(
        weights=weights,
        must_haves=frozenset(settings.must_haves),
        exclude_same_institution=settings.exclude_same_institution,
        excluded_pairs=frozenset(listed | _ended_pairs(c, team_id)),
    )
    return rules, settings.default_mentor_capacity


def _ended_pairs(c: Connection, team_id: UUID) -> set[tuple[UUID, UUID]]:
    mentees_of_team = select(memberships.c.person_id).where(
        memberships.c.team_id == team_id
    )
    rows = c.execute(
        select(mentorships.c.mentor_id, mentorships.c.mentee_id).where(
            mentorships.c.state.in_(EXCLUDING_STATES),
            mentorships.c.mentee_id.in_(mentees_of_team),
        )
    )
    return {(r.mentor_id, r.mentee_id) for r in rows}


def load_pool(c: Connection, team_id: UUID) -> TeamPool | None:
    """The whole team as the ranker needs it; None for an unknown team."""
    found = team_rules(c, team_id)
    if found is None:
        return None
    rules, default_capacity = found
    mentees, mentors = load_people(c, team_id, None, default_capacity)
    return TeamPool(
        team_id,
        rules,
        [p for p in mentees.values() if p is not None],
        [m for m in mentors.values() if m is not None],
    )


def load_people(
    c: Connection,
    team_id: UUID,
    person_ids: set[UUID] | None,
    default_capacity: int,
    pool: set[UUID] | None = None,
) -> tuple[dict[UUID, Person | None], dict[UUID, Mentor | None]]:
    """These people (all when None) as the team's mentees and pool mentors.

    Asked-for people who are neither come back as None, so that the ranker
    drops them. ``pool`` saves asking :func:`pool_teams` again.
    """
    pool = pool_teams(c, team_id) if pool is None else pool
    query = select(
        memberships.c.team_id,
        memberships.c.person_id,
        memberships.c.roles,
        memberships.c.capacity,
        people.c.features,
        mentor_pauses.c.person_id.is_not(None).label("paused"),
    ).select_from(
        memberships.outerjoin(
            people, people.c.person_id == memberships.c.person_id
        ).outerjoin(mentor_pauses, _paused_membership())
    )
    query = query.where(memberships.c.team_id.in_(pool))
    if person_ids is not None:
        query = query.where(memberships.c.person_id.in_(person_ids))
    rows = c.execute(query).all()
    loads = _loads(c, {r.person_id for r in rows if "mentor" in r.roles})
    mentees: dict[UUID, Person | None] = dict.fromkeys(person_ids or (), None)
    mentors: dict[UUID, Mentor | None] = dict.fromkeys(person_ids or (), None)
    in_team = {r.person_id for r in rows if r.team_id == team_id}
    paused = _paused_for(team_id, rows)
    for row in sorted(rows, key=lambda r: r.team_id != team_id):
        person = person_from(row.person_id, row.features or {})
        if row.team_id == team_id and "mentee" in row.roles:
            mentees[row.person_id] = person
        if "mentor" in row.roles and mentors.get(row.person_id) is None:
            capacity = _capacity(row.capacity, row.features or {}, default_capacity)
            mentors[row.person_id] = Mentor(
                person,
                capacity,
                loads.get(row.person_id, 0),
                same_team=row.person_id in in_team,
                paused=row.person_id in paused,
            )
    return mentees, mentors


def _paused_membership() -> Any:
    return and_(
        mentor_pauses.c.team_id == memberships.c.team_id,
        mentor_pauses.c.person_id == memberships.c.person_id,
    )


def _paused_for(team_id: UUID, rows: Sequence[Any]) -> set[UUID]:
    """Mentors whose pause keeps them from the mentees of ``team_id``.

    A mentor of the team itself: when the team paused them. A mentor drawn
    only from other teams of the pool: when any of those teams paused them.
    """
    mentoring = [r for r in rows if "mentor" in r.roles]
    own = {r.person_id: bool(r.paused) for r in mentoring if r.team_id == team_id}
    drawn = {r.person_id for r in mentoring if r.paused and r.person_id not in own}
    return {p for p, paused in own.items() if paused} | drawn


def _capacity(membership: int | None, features: dict[str, Any], default: int) -> int:
    if membership is not None:
        return membership
    return profile_capacity(features) or default


def _loads(c: Connection, mentor_ids: set[UUID]) -> dict[UUID, int]:
    if not mentor_ids:
        return {}
    rows = c.execute(
        select(mentorships.c.mentor_id, func.count())
        .where(mentorships.c.state == "active")
        .where(mentorships.c.mentor_id.in_(mentor_ids))
        .group_by(mentorships.c.mentor_id)
    )
    return {row[0]: int(row[1]) for row in rows}


def roles_in(c: Connection, team_id: UUID, person_id: UUID) -> frozenset[str] | None:
    """The member's roles in the team; None when not a member."""
    row = c.execute(
        select(memberships.c.roles).where(
            and_(memberships.c.team_id == team_id, memberships.c.person_id == person_id)
        )
    ).first()
    return None if row is None else frozenset(row.roles)


def paused_in(c: Connection, team_id: UUID) -> set[UUID]:
    """The mentors this team paused and who have not resumed."""
    rows = c.scalars(
        select(mentor_pauses.c.person_id).where(mentor_pauses.c.team_id == team_id)
    )
    return set(rows)


def unmatched_mentee_ids(c: Connection, team_id: UUID) -> set[UUID]:
    """The team's mentees with no mentorship running or asked for."""
    busy = select(mentorships.c.mentee_id).where(
        or_(mentorships.c.state == "active", mentorships.c.state == "requested")
    )
    rows = c.scalars(
        select(memberships.c.person_id)
        .where(memberships.c.team_id == team_id)
        .where(memberships.c.roles.contains(["mentee"]))
        .where(memberships.c.person_id.not_in(busy))
    )
    return set(rows)
