"""Request and response bodies of the read API."""

from typing import Literal
from uuid import UUID

from carrel_events.contracts.teams import MatchingWeights
from pydantic import BaseModel, ConfigDict, Field, model_validator

MemberRole = Literal["mentor", "mentee", "coordinator"]
_GROUPED_ROLES: tuple[MemberRole, ...] = ("mentor", "mentee")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CriterionView(Body):
    value: float
    weight: float


class CandidateView(Body):
    mentor_id: UUID
    rank: int
    score: float
    breakdown: dict[str, CriterionView]
    reasons: list[str]


class EmptyListView(Body):
    code: Literal[
        "not_a_mentee",
        "not_ranked_yet",
        "no_mentors",
        "no_mentor_with_room",
        "kept_out_by_rules",
    ]
    reason: str


class CandidatesView(Body):
    team_id: UUID
    mentee_id: UUID
    candidates: list[CandidateView]
    empty_because: EmptyListView | None = None
    """Why the list is empty; None when it is not."""


class FittingMenteeView(Body):
    mentee_id: UUID
    rank: int
    """Where this mentor stands in the mentee's list."""
    score: float
    reasons: list[str]


class FittingMenteesView(Body):
    team_id: UUID
    mentor_id: UUID
    mentees: list[FittingMenteeView]


class PairingOptions(Body):
    objective: Literal["highest_total", "most_matched"] = "highest_total"
    min_score: float = Field(default=0.0, ge=0, le=1)
    weights: MatchingWeights | None = None
    """Weights to try instead of the team's; the team's settings stay as they are."""


class PairView(Body):
    mentee_id: UUID
    mentor_id: UUID
    score: float
    reasons: list[str]


class PairingTotals(Body):
    mentees: int
    places: int
    pairs: int
    unmatched: int
    total_score: float
    mean_score: float


class PairingPreview(Body):
    pairing_id: UUID
    objective: str
    weights: dict[str, float]
    pairs: list[PairView]
    unmatched_mentee_ids: list[UUID]
    totals: PairingTotals


class ComparisonRequest(Body):
    first: PairingOptions
    second: PairingOptions


class PreviewDifferences(Body):
    pairs_only_in_first: int
    pairs_only_in_second: int
    pairs_in_both: int
    pairs_change: int
    total_score_change: float
    mean_score_change: float


class Comparison(Body):
    first: PairingPreview
    second: PairingPreview
    differences: PreviewDifferences


class PublishedPairing(Body):
    pairing_id: UUID
    pairs: int


class GroupRequest(Body):
    basis: Literal["geography", "interests"]
    smallest: int = Field(default=3, ge=1, le=500)
    largest: int = Field(default=6, ge=1, le=500)
    roles: list[MemberRole] = Field(
        default_factory=lambda: list(_GROUPED_ROLES), min_length=1
    )

    @model_validator(mode="after")
    def _range(self) -> "GroupRequest":
        if self.largest < self.smallest:
            raise ValueError("largest must be at least smallest")
        return self


class GroupView(Body):
    member_ids: list[UUID]
    shared: list[str]


class GroupSuggestion(Body):
    suggestion_id: UUID
    basis: str
    smallest: int
    largest: int
    groups: list[GroupView]
    suggested_by: UUID
