"""What coordinators ask of matching: pairing previews, publishing, groups.

These read the same tables the consumer keeps, compute in this process, and
record what is published through the outbox in the same transaction.
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from carrel_events.contracts import matching as events
from sqlalchemy import Engine, insert, select, update

from carrel_matching.adapters import directory, outbox
from carrel_matching.adapters.profiles import person_from
from carrel_matching.adapters.tables import memberships, pairings, people
from carrel_matching.domain.candidates import Candidate
from carrel_matching.domain.criteria import pair_fit
from carrel_matching.domain.grouping import Basis, suggest_groups
from carrel_matching.domain.pairing import Objective, Pairing, pair_pool
from carrel_matching.domain.people import Mentor, Person, SkillCatalogue, Weights
from carrel_matching.domain.reasons import reasons_for


class UnknownPairing(LookupError):
    """No preview with this id in this team."""


class AlreadyPublished(RuntimeError):
    """The preview was published before."""


@dataclass(frozen=True)
class PairingRequest:
    objective: Objective
    min_score: float
    weights: Weights | None


class Coordination:
    """Pairings and group suggestions for one service process."""

    def __init__(self, engine: Engine, skills: SkillCatalogue, topic: str) -> None:
        self._engine, self._skills, self._topic = engine, skills, topic

    def preview(
        self, team_id: UUID, request: PairingRequest, by: UUID
    ) -> dict[str, Any]:
        """Pair every unmatched mentee; store the preview and return it."""
        with self._engine.begin() as c:
            pool = directory.load_pool(c, team_id)
            unmatched = directory.unmatched_mentee_ids(c, team_id)
            if pool is None:
                raise UnknownPairing(team_id)
            rules = pool.rules
            if request.weights is not None:
                rules = replace(rules, weights=request.weights)
            mentees = [p for p in pool.mentees if p.person_id in unmatched]
            pairing = pair_pool(
                mentees, pool.mentors, rules, self._skills,
                request.objective, request.min_score,
            )  # fmt: skip
            preview = _preview_of(pairing, mentees, pool.mentors, rules, self._skills)
            preview["weights"] = vars(rules.weights)
            preview["pairing_id"] = str(uuid4())
            c.execute(
                insert(pairings).values(
                    pairing_id=UUID(preview["pairing_id"]),
                    team_id=team_id,
                    preview=preview,
                    created_by=by,
                    created_at=datetime.now(UTC),
                    published=False,
                )
            )
        return preview

    def publish(self, team_id: UUID, pairing_id: UUID, by: UUID) -> dict[str, Any]:
        """Record each pair as proposed, then the publication, in the outbox."""
        with self._engine.begin() as c:
            row = c.execute(
                select(pairings)
                .where(pairings.c.pairing_id == pairing_id)
                .where(pairings.c.team_id == team_id)
                .with_for_update()
            ).first()
            if row is None:
                raise UnknownPairing(pairing_id)
            if row.published:
                raise AlreadyPublished(pairing_id)
            preview: dict[str, Any] = row.preview
            version = 0
            for pair in preview["pairs"]:
                version += 1
                proposed = events.PairingProposed(
                    pair=events.ProposedPair.model_validate(pair), proposed_by=by
                )
                outbox.record(
                    c, self._topic, proposed,
                    aggregate_id=pairing_id, version=version, team_id=team_id,
                )  # fmt: skip
            published = events.PairingPublished(
                objective=preview["objective"],
                pairs=len(preview["pairs"]),
                unmatched_mentee_ids=preview["unmatched_mentee_ids"],
                total_score=preview["totals"]["total_score"],
                published_by=by,
            )
            outbox.record(
                c, self._topic, published,
                aggregate_id=pairing_id, version=version + 1, team_id=team_id,
            )  # fmt: skip
            c.execute(
                update(pairings)
                .where(pairings.c.pairing_id == pairing_id)
                .values(published=True)
            )
        return preview

    def suggest_groups(
        self,
        team_id: UUID,
        basis: Basis,
        smallest: int,
        largest: int,
        roles: set[str],
        by: UUID,
    ) -> dict[str, Any]:
        """Split the team's members with these roles; record the suggestion."""
        with self._engine.begin() as c:
            members = _members(c, team_id, roles)
            groups = suggest_groups(members, smallest, largest, basis)
            suggestion_id = uuid4()
            event = events.GroupsSuggested(
                basis=basis,
                smallest=smallest,
                largest=largest,
                groups=[
                    events.SuggestedGroup(
                        member_ids=list(g.member_ids), shared=list(g.shared)
                    )
                    for g in groups
                    if g.member_ids
                ],
                suggested_by=by,
            )
            outbox.record(
                c, self._topic, event,
                aggregate_id=suggestion_id, version=1, team_id=team_id,
            )  # fmt: skip
        return {"suggestion_id": str(suggestion_id), **event.model_dump(mode="json")}


def _members(c: Any, team_id: UUID, roles: set[str]) -> list[Person]:
    rows = c.execute(
        select(memberships.c.person_id, memberships.c.roles, people.c.features)
        .select_from(
            memberships.outerjoin(people, people.c.person_id == memberships.c.person_id)
        )
        .where(memberships.c.team_id == team_id)
    )
    paused = directory.paused_in(c, team_id) if "mentee" in roles else set()
    return [
        person_from(r.person_id, r.features or {})
        for r in rows
        if roles & _grouped_as(r.roles, r.person_id in paused)
    ]


def _grouped_as(roles: list[str], paused: bool) -> set[str]:
    """The roles a member is grouped by: a paused mentor not as a mentor.

    Mentors put in one group with mentees are as good as offered to them;
    ``paused`` is only asked for when mentees are grouped, so a grouping of
    mentors alone still takes in a paused mentor as a peer.
    """
    held = set(roles)
    if paused:
        held.discard("mentor")
    return held


def _preview_of(
    pairing: Pairing,
    mentees: list[Person],
    mentors: list[Mentor],
    rules: Any,
    skills: SkillCatalogue,
) -> dict[str, Any]:
    mentee_by_id = {p.person_id: p for p in mentees}
    mentor_by_id = {m.mentor_id: m for m in mentors}
    pairs = []
    for pair in pairing.pairs:
        mentor = mentor_by_id[pair.mentor_id]
        fit = pair_fit(mentee_by_id[pair.mentee_id], mentor, rules, skills)
        shown = Candidate(pair.score, pair.mentor_id, pair.score, 1.0)
        pairs.append(
            {
                "mentee_id": str(pair.mentee_id),
                "mentor_id": str(pair.mentor_id),
                "score": pair.score,
                "reasons": reasons_for(fit, mentor, shown, skills),
            }
        )
    return {
        "objective": pairing.objective,
        "pairs": pairs,
        "unmatched_mentee_ids": [str(m) for m in pairing.unmatched],
        "totals": {
            "mentees": pairing.mentees,
            "places": pairing.places,
            "pairs": len(pairing.pairs),
            "unmatched": len(pairing.unmatched),
            "total_score": pairing.total_score,
            "mean_score": pairing.mean_score,
        },
    }


def compare(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """What changes from one preview to the other."""
    a = {(p["mentee_id"], p["mentor_id"]) for p in first["pairs"]}
    b = {(p["mentee_id"], p["mentor_id"]) for p in second["pairs"]}
    return {
        "pairs_only_in_first": len(a - b),
        "pairs_only_in_second": len(b - a),
        "pairs_in_both": len(a & b),
        "pairs_change": second["totals"]["pairs"] - first["totals"]["pairs"],
        "total_score_change": round(
            second["totals"]["total_score"] - first["totals"]["total_score"], 6
        ),
        "mean_score_change": round(
            second["totals"]["mean_score"] - first["totals"]["mean_score"], 6
        ),
    }
