"""Recommendations: resources that meet a member's learning goals, with reasons."""

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Recommendable:
    """A resource a member could be pointed to, with its skill tags."""

    resource_id: UUID
    title: str
    kind: str
    skill_tags: Sequence[Mapping[str, str]]


@dataclass(frozen=True)
class Recommendation:
    resource_id: UUID
    title: str
    kind: str
    goals_met: list[str]
    reasons: list[str]


def recommend(
    goals: Sequence[str],
    resources: Iterable[Recommendable],
    completed: Collection[UUID],
    goal_label: Callable[[str], str],
    limit: int = 20,
) -> list[Recommendation]:
    """Resources not yet completed whose tags meet a goal, most goals met first.

    The team's own material comes before the central index when both meet as
    many goals, since a coordinator chose it for this team.
    """
    wanted = set(goals)
    found = []
    for resource in resources:
        if resource.resource_id in completed:
            continue
        met = [t for t in resource.skill_tags if t["skill_id"] in wanted]
        if met:
            found.append(_recommendation(resource, met, goal_label))
    found.sort(key=lambda r: (-len(r.goals_met), r.kind != "material", r.title))
    return found[:limit]


def _recommendation(
    resource: Recommendable,
    met: Sequence[Mapping[str, str]],
    goal_label: Callable[[str], str],
) -> Recommendation:
    return Recommendation(
        resource_id=resource.resource_id,
        title=resource.title,
        kind=resource.kind,
        goals_met=[t["skill_id"] for t in met],
        reasons=[
            f"covers your goal '{goal_label(t['skill_id'])}': {t['because']}"
            for t in met
        ],
    )
