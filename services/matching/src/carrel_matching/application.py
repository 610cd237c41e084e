"""The matching consumer: profile and teams events in, candidate lists out.

Each batch of deliveries is applied in one transaction: every event is
claimed in the :class:`AppliedVersions` ledger (so a redelivery changes
nothing), copied into matching's tables, and then only the affected teams
are re-ranked, incrementally where this process already holds the team's
ranking. Changed lists are stored, and a ``MentorCandidatesRanked`` event for
each goes into the outbox in that same transaction; it is published after
commit.

A team's ranking lives in this process's memory as a cache of what the
tables say. Each write to a team bumps its ``generation`` under a row lock;
a process whose cached generation is not the one before rebuilds the team's
ranking from the tables, so several consumer processes stay correct (the
cost is a full ranking of that team when they alternate).
"""

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from carrel_events.catalogue import EventPayload
from carrel_events.consumer import AppliedVersions, Delivery
from carrel_events.contracts import profile
from carrel_events.contracts import teams as contract
from carrel_events.contracts.matching import (
    MentorCandidatesRanked,
    RankedCandidate,
    candidate_list_id,
)
from carrel_events.envelope import Envelope
from sqlalchemy import Connection, Engine

from carrel_matching.adapters import candidate_store, directory, outbox
from carrel_matching.adapters.profiles import section_of
from carrel_matching.domain.candidates import Candidate
from carrel_matching.domain.people import Mentor, Person, SkillCatalogue
from carrel_matching.domain.ranker import TeamRanking
from carrel_matching.domain.reasons import explain

logger = logging.getLogger(__name__)


@dataclass
class Changes:
    """What one batch changed, so that only the affected lists are re-ranked."""

    people: set[UUID] = field(default_factory=set)
    memberships: set[tuple[UUID, UUID]] = field(default_factory=set)
    mentor_teams: set[UUID] = field(default_factory=set)
    """Teams where someone became, stayed or stopped being a mentor."""
    ended_pairs: set[tuple[UUID, UUID]] = field(default_factory=set)
    rebuild: set[UUID] = field(default_factory=set)
    last: Envelope | None = None

    def persons(self) -> set[UUID]:
        pairs = {p for pair in self.ended_pairs for p in pair}
        return self.people | {p for _, p in self.memberships} | pairs


@dataclass
class _Cached:
    generation: int
    ranking: TeamRanking


class MatchingConsumer:
    """The batch handler of the ``carrel-matching`` consumer group."""

    def __init__(
        self,
        engine: Engine,
        skills: SkillCatalogue,
        *,
        consumer: str,
        topic: str,
        top_n: int = 10,
        publisher: outbox.OutboxPublisher | None = None,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ) -> None:
        self._engine, self._skills = engine, skills
        self._ledger = AppliedVersions(consumer)
        self._topic, self._top_n = topic, top_n
        self._publisher = publisher
        self._today = today
        self._cache: dict[UUID, _Cached] = {}
        # Batches and the pause check run in worker threads and share _cache.
        self._lock = threading.Lock()

    async def __call__(self, deliveries: Sequence[Delivery]) -> None:
        await asyncio.to_thread(self.apply_batch, deliveries)
        await self._drain()

    async def check_pauses(self) -> int:
        """Offer again the mentors whose pause is over; publish what changed."""
        resumed = await asyncio.to_thread(self.resume_ended_pauses)
        await self._drain()
        return resumed

    async def _drain(self) -> None:
        if self._publisher is not None:
            await self._publisher.drain()

    def apply_batch(self, deliveries: Sequence[Delivery]) -> None:
        """Apply, re-rank and record the outbox events, all in one transaction."""

        def apply(c: Connection, changes: Changes) -> None:
            for delivery in deliveries:
                envelope = delivery.event.envelope
                if self._ledger.claim(c, envelope):
                    _apply(c, envelope, delivery.event.payload, changes)
                    changes.last = envelope

        self._in_transaction(apply)

    def resume_ended_pauses(self) -> int:
        """Mark available everyone paused until today or before; re-rank them.

        No event says that a pause is over: the day comes, and the mentor
        should be offered again. A pause "until" a day ends on that day (UTC).
        """
        resumed: list[UUID] = []

        def resume(c: Connection, changes: Changes) -> None:
            resumed.extend(directory.resume_ended_pauses(c, self._today()))
            changes.people.update(resumed)

        self._in_transaction(resume)
        if resumed:
            logger.info("%d paused people are available again", len(resumed))
        return len(resumed)

    def _in_transaction(self, write: Callable[[Connection, Changes], None]) -> None:
        """Write, re-rank and record the outbox events, all in one transaction."""
        pending: dict[UUID, _Cached] = {}
        with self._lock:
            try:
                with self._engine.begin() as c:
                    changes = Changes()
                    write(c, changes)
                    self._rerank(c, changes, pending)
            except Exception:
                # The tables rolled back; rankings touched in memory may not match.
                for team_id in pending:
                    self._cache.pop(team_id, None)
                raise
            self._cache.update(pending)

    def _rerank(
        self, c: Connection, changes: Changes, pending: dict[UUID, _Cached]
    ) -> None:
        pools = directory.Pools(c)
        rebuild = set()
        for team_id in changes.rebuild:
            rebuild |= pools.of(team_id)
        persons = changes.persons()
        affected = directory.teams_touched_by(c, persons, pools) | rebuild
        affected |= {team_id for team_id, _ in changes.memberships}
        for team_id in changes.mentor_teams:
            affected |= pools.of(team_id)
        for team_id in sorted(affected):
            generation = directory.bump_generation(c, team_id)
            if generation is None:
                continue
            cached = self._cache.get(team_id)
            if (
                team_id in rebuild
                or cached is None
                or cached.generation != generation - 1
            ):
                ranking = self._rank_from_scratch(c, team_id, changes)
            else:
                ranking = cached.ranking
                pool = pools.of(team_id)
                self._rank_changes(c, team_id, ranking, changes, persons, pool)
            if ranking is not None:
                pending[team_id] = _Cached(generation, ranking)
                self._cache.pop(team_id, None)

    def _rank_from_scratch(
        self, c: Connection, team_id: UUID, changes: Changes
    ) -> TeamRanking | None:
        pool = directory.load_pool(c, team_id)
        if pool is None:
            return None
        ranking = TeamRanking(
            pool.mentees, pool.mentors, pool.rules, self._skills, self._top_n
        )
        ranking.rank_all()
        stored = candidate_store.stored_lists(c, team_id)
        for mentee_id in set(stored) - ranking.mentee_ids:
            candidate_store.drop_list(c, team_id, mentee_id)
        changed = [
            mentee_id
            for mentee_id, candidates in ranking.lists.items()
            if stored.get(mentee_id, []) != [(x.mentor_id, x.score) for x in candidates]
        ]
        self._store(c, team_id, ranking, changed, changes)
        logger.info("ranked team %s from scratch", team_id)
        return ranking

    def _rank_changes(
        self,
        c: Connection,
        team_id: UUID,
        ranking: TeamRanking,
        changes: Changes,
        persons: set[UUID],
        pool: set[UUID],
    ) -> None:
        for mentor_id, mentee_id in changes.ended_pairs:
            ranking.exclude(mentor_id, mentee_id)
        found = directory.team_rules(c, team_id)
        default_capacity = found[1] if found else 2
        mentees, mentors = directory.load_people(
            c, team_id, persons, default_capacity, pool
        )
        before = {m: ranking.mentor(m) for m, x in mentors.items() if x}
        change = ranking.update(
            {e: p for e, p in mentees.items() if p or ranking.mentee(e)},
            {m: x for m, x in mentors.items() if x or ranking.mentor(m)},
        )
        for mentee_id in change.removed:
            candidate_store.drop_list(c, team_id, mentee_id)
        retold = self._retold(ranking, before, change.changed)
        self._store(c, team_id, ranking, sorted(change.changed | retold), changes)

    def _retold(
        self,
        ranking: TeamRanking,
        before: dict[UUID, Mentor | None],
        changed: frozenset[UUID],
    ) -> set[UUID]:
        """Unchanged lists whose reasons changed: a listed mentor's profile moved.

        Hiding a section, or a new job title that scores the same, leaves every
        list as it was, but what the mentee reads beside the mentor differs.
        """
        retold = set()
        for mentor_id, old in before.items():
            new = ranking.mentor(mentor_id)
            if old is None or new is None or old == new:
                continue
            for mentee_id in ranking.listing(mentor_id) - changed:
                mentee = ranking.mentee(mentee_id)
                candidate = next(
                    x for x in ranking.lists[mentee_id] if x.mentor_id == mentor_id
                )
                if mentee is not None and self._told(
                    mentee, old, candidate, ranking
                ) != self._told(mentee, new, candidate, ranking):
                    retold.add(mentee_id)
        return retold

    def _told(
        self, mentee: Person, mentor: Mentor, candidate: Candidate, r: TeamRanking
    ) -> tuple[dict[str, dict[str, float]], list[str]]:
        return explain(mentee, mentor, candidate, r.rules, self._skills)

    def _store(
        self,
        c: Connection,
        team_id: UUID,
        ranking: TeamRanking,
        mentee_ids: Sequence[UUID],
        changes: Changes,
    ) -> None:
        """Store these mentees' lists and their events, a few statements in all."""
        lists = {
            mentee_id: [
                self._row(ranking, mentee_id, rank, candidate)
                for rank, candidate in enumerate(ranking.lists.get(mentee_id, []), 1)
            ]
            for mentee_id in mentee_ids
        }
        versions = candidate_store.replace_lists(c, team_id, lists)
        last = changes.last
        envelopes = [
            outbox.envelope_for(
                _ranked(mentee_id, rows),
                aggregate_id=candidate_list_id(team_id, mentee_id),
                version=versions[mentee_id],
                team_id=team_id,
                correlation_id=last.correlation_id if last else None,
                causation_id=last.event_id if last else None,
            )
            for mentee_id, rows in lists.items()
        ]
        outbox.store(c, self._topic, envelopes)

    def _row(
        self, ranking: TeamRanking, mentee_id: UUID, rank: int, candidate: Candidate
    ) -> dict[str, Any]:
        mentee, mentor = ranking.mentee(mentee_id), ranking.mentor(candidate.mentor_id)
        assert mentee is not None and mentor is not None, "listed people are known"
        breakdown, reasons = explain(
            mentee, mentor, candidate, ranking.rules, self._skills
        )
        return {
            "rank": rank,
            "mentor_id": candidate.mentor_id,
            "score": candidate.score,
            "base_score": candidate.base_score,
            "damping": candidate.damping,
            "breakdown": breakdown,
            "reasons": reasons,
        }


def _ranked(mentee_id: UUID, rows: list[dict[str, Any]]) -> MentorCandidatesRanked:
    return MentorCandidatesRanked(
        mentee_id=mentee_id,
        candidates=[
            RankedCandidate(
                mentor_id=row["mentor_id"],
                rank=row["rank"],
                score=row["score"],
                reasons=row["reasons"],
            )
            for row in rows
        ],
    )


# -- events into tables -----------------------------------------------------


def _apply(c: Connection, e: Envelope, p: EventPayload, changes: Changes) -> None:
    if isinstance(p, profile.ProfileErased):
        directory.erase_person(c, e.aggregate_id)
        changes.people.add(e.aggregate_id)
        return
    section = section_of(p)
    if section is not None:
        directory.merge_features(c, e.aggregate_id, section)
        changes.people.add(e.aggregate_id)
        return
    if e.team_id is not None:
        _apply_team_event(c, e.team_id, e, p, changes)


def _apply_team_event(
    c: Connection, team_id: UUID, e: Envelope, p: EventPayload, changes: Changes
) -> None:
    match p:
        case contract.TeamCreated():
            directory.save_team(c, team_id, p.kind, p.settings)
            changes.rebuild.add(team_id)
        case contract.TeamSettingsChanged():
            directory.save_team(c, team_id, None, p.settings)
            changes.rebuild.add(team_id)
        case contract.ConsortiumMemberTeamAdded():
            directory.save_consortium_team(c, team_id, p.member_team_id, None)
        case contract.ConsortiumConsentGiven() | contract.ConsortiumConsentWithdrawn():
            given = isinstance(p, contract.ConsortiumConsentGiven)
            directory.save_consortium_team(c, team_id, p.member_team_id, given)
            changes.rebuild.update({team_id, p.member_team_id})
        case _:
            _apply_member_event(c, team_id, e, p, changes)


def _apply_member_event(
    c: Connection, team_id: UUID, e: Envelope, p: EventPayload, changes: Changes
) -> None:
    match p:
        case contract.MemberJoined():
            roles = list(p.roles)
            directory.save_membership(
                c, team_id, p.person_id, roles=roles, capacity=p.mentor_capacity
            )
            _note_member(changes, team_id, p.person_id, mentor="mentor" in roles)
        case contract.MemberRoleChanged():
            was = _was_mentor(c, team_id, p.person_id)
            directory.save_membership(c, team_id, p.person_id, roles=list(p.roles))
            mentor = was or "mentor" in p.roles
            _note_member(changes, team_id, p.person_id, mentor=mentor)
        case contract.MentorCapacityChanged():
            directory.save_membership(
                c, team_id, p.person_id, capacity=p.mentor_capacity
            )
            _note_member(changes, team_id, p.person_id, mentor=True)
        case contract.MemberLeft():
            was = _was_mentor(c, team_id, p.person_id)
            directory.remove_membership(c, team_id, p.person_id)
            _note_member(changes, team_id, p.person_id, mentor=was)
        case contract.MentorPaused():
            directory.pause_mentor(c, team_id, p.person_id, p.expired_requests)
            _note_member(changes, team_id, p.person_id, mentor=True)
        case contract.MentorResumed():
            directory.resume_mentor(c, team_id, p.person_id)
            _note_member(changes, team_id, p.person_id, mentor=True)
        case _:
            _apply_mentorship_event(c, team_id, e, p, changes)


def _was_mentor(c: Connection, team_id: UUID, person_id: UUID) -> bool:
    return "mentor" in (directory.roles_in(c, team_id, person_id) or ())


def _note_member(
    changes: Changes, team_id: UUID, person_id: UUID, *, mentor: bool
) -> None:
    changes.memberships.add((team_id, person_id))
    if mentor:
        changes.mentor_teams.add(team_id)


_STATES: dict[type[EventPayload], str] = {
    contract.MentorshipRequested: "requested",
    contract.MentorshipAccepted: "active",
    contract.MentorshipDeclined: "declined",
    contract.MentorshipExpired: "expired",
    contract.MentorshipWithdrawn: "withdrawn",
    contract.MentorshipEnded: "ended",
}


def _apply_mentorship_event(
    c: Connection, team_id: UUID, e: Envelope, p: EventPayload, changes: Changes
) -> None:
    state = _STATES.get(type(p))
    if state is None:
        return
    pair = directory.save_mentorship(
        c,
        e.aggregate_id,
        team_id,
        state,
        mentor_id=getattr(p, "mentor_id", None),
        mentee_id=getattr(p, "mentee_id", None),
    )
    if pair is None:
        logger.warning("mentorship %s %s before its request", e.aggregate_id, state)
        return
    if state in directory.EXCLUDING_STATES:
        changes.ended_pairs.add(pair)
