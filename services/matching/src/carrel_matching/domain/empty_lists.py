"""Why a mentee's candidate list is empty, in words the mentee understands.

An empty list with no word of why reads as a fault; most often it is not one:
nobody in the pool has room, or the team's rules keep everyone with room out.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from carrel_matching.domain.criteria import refusal
from carrel_matching.domain.people import Mentor, Person, SkillCatalogue, TeamRules

ROOM = frozenset({"paused", "full"})


@dataclass(frozen=True)
class EmptyList:
    """A code for programs, a sentence for people."""

    code: str
    reason: str


NOT_A_MENTEE = EmptyList(
    "not_a_mentee", "this member does not take part as a mentee in this team"
)
NOT_RANKED_YET = EmptyList(
    "not_ranked_yet",
    "matching has not caught up with the latest changes yet; it takes seconds",
)
NO_MENTORS = EmptyList("no_mentors", "no mentor has joined your team or consortium yet")
NO_ROOM = EmptyList(
    "no_mentor_with_room",
    "no mentor in your team or consortium has room: each is full or paused",
)


def why_empty(
    mentee: Person,
    mentors: Iterable[Mentor],
    rules: TeamRules,
    skills: SkillCatalogue,
) -> EmptyList:
    """Why no mentor of the pool is offered to this mentee."""
    refusals = Counter(
        refusal(mentee, mentor, rules, skills) or "offered"
        for mentor in mentors
        if mentor.mentor_id != mentee.person_id
    )
    if not refusals:
        return NO_MENTORS
    if set(refusals) <= ROOM:
        return NO_ROOM
    if "offered" in refusals:
        return NOT_RANKED_YET
    return EmptyList("kept_out_by_rules", _rules_sentence(refusals))


def _rules_sentence(refusals: Counter[str]) -> str:
    with_room = sum(n for r, n in refusals.items() if r not in ROOM)
    causes = sorted(
        {_CAUSES.get(r.split(":")[0], r) for r in refusals if r not in ROOM}
    )
    return f"the {with_room} mentor(s) with room are kept out by {' and '.join(causes)}"


_CAUSES = {
    "excluded_pair": "requests or mentorships you already have with them",
    "same_institution": "the rule against mentors from your own institution",
    "must_have": "the team's must-haves",
}
