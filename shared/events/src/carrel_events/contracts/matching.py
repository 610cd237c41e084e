"""Events of the matching service: what it decided, for others to show.

Matching is a consumer, not an event-sourced service, so its "aggregates" are
the things it decides about: a mentee's candidate list in a team (its id is
:func:`candidate_list_id`, its version counts the list's changes), a pairing
proposal (the preview's id) and a group suggestion. Every envelope carries the
``team_id``. Reasons are short sentences made from profile sections the team
can see; private preferences never appear in them.
"""

from typing import Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from carrel_events.catalogue import Catalogue, EventPayload
from carrel_events.contracts.common import ShortText, ValueObject

PairingObjective = Literal["highest_total", "most_matched"]
GroupBasis = Literal["geography", "interests"]


def candidate_list_id(team_id: UUID, mentee_id: UUID) -> UUID:
    """The stable id of one mentee's candidate list in one team."""
    return uuid5(NAMESPACE_URL, f"carrel:candidates:{team_id}:{mentee_id}")


class RankedCandidate(ValueObject):
    mentor_id: UUID
    rank: int = Field(ge=1)
    score: float = Field(ge=0, le=1)
    reasons: list[ShortText] = Field(default_factory=list, max_length=12)


class MentorCandidatesRanked(EventPayload):
    """A mentee's best mentors changed; the list is given whole, best first."""

    event_type = "MentorCandidatesRanked"
    aggregate_type = "CandidateList"

    mentee_id: UUID
    candidates: list[RankedCandidate] = Field(max_length=50)


class ProposedPair(ValueObject):
    mentee_id: UUID
    mentor_id: UUID
    score: float = Field(ge=0, le=1)
    reasons: list[ShortText] = Field(default_factory=list, max_length=12)


class PairingProposed(EventPayload):
    """One pair of a published pairing, for the teams service to propose."""

    event_type = "PairingProposed"
    aggregate_type = "Pairing"

    pair: ProposedPair
    proposed_by: UUID


class PairingPublished(EventPayload):
    """A coordinator published a whole-pool pairing; its pairs came before this."""

    event_type = "PairingPublished"
    aggregate_type = "Pairing"

    objective: PairingObjective
    pairs: int = Field(ge=0)
    unmatched_mentee_ids: list[UUID] = Field(default_factory=list, max_length=20000)
    total_score: float = Field(ge=0)
    published_by: UUID


class SuggestedGroup(ValueObject):
    member_ids: list[UUID] = Field(min_length=1, max_length=500)
    shared: list[ShortText] = Field(default_factory=list, max_length=10)


class GroupsSuggested(EventPayload):
    """A split of a team into groups; GroupCreated may cite its id."""

    event_type = "GroupsSuggested"
    aggregate_type = "GroupSuggestion"

    basis: GroupBasis
    smallest: int = Field(ge=1, le=500)
    largest: int = Field(ge=1, le=500)
    groups: list[SuggestedGroup] = Field(max_length=5000)
    suggested_by: UUID


EVENTS: tuple[type[EventPayload], ...] = (
    MentorCandidatesRanked,
    PairingProposed,
    PairingPublished,
    GroupsSuggested,
)


def register_upcasters(catalogue: Catalogue) -> None:
    """No matching event has an old version to lift yet."""
