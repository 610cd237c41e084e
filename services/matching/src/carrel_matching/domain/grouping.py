"""Group suggestions: a team split into groups of a chosen size range.

By geography, groups are grown around the member farthest from the rest
(so the outskirts are not left over as scattered remnants) with their nearest
unassigned neighbours by great-circle distance, found through a k-d tree on
unit vectors. By interests, a group is grown around the member with most
interests by adding, each time, whoever shares most with the group so far.
Members with nothing to go on (no coordinates, no interests) fill the last
groups in their region's order; the suggestion says so in what they share.
"""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

import numpy as np
from scipy.spatial import cKDTree  # type: ignore[import-untyped]

from carrel_matching.domain.criteria import EARTH_RADIUS_KM, unit_vector
from carrel_matching.domain.people import Person

Basis = Literal["geography", "interests"]


@dataclass(frozen=True)
class SuggestedGroup:
    member_ids: tuple[UUID, ...]
    shared: tuple[str, ...]
    """What the members share, in words a coordinator can read."""


def group_sizes(count: int, smallest: int, largest: int) -> list[int]:
    """Sizes as even as can be; all within the range whenever the count allows."""
    if count <= 0:
        return []
    groups = max(1, math.ceil(count / largest))
    base, extra = divmod(count, groups)
    return [base + 1] * extra + [base] * (groups - extra)


def suggest_groups(
    people: Sequence[Person], smallest: int, largest: int, basis: Basis
) -> list[SuggestedGroup]:
    """Split ``people`` into groups of ``smallest`` to ``largest`` members."""
    ordered = sorted(people, key=lambda p: p.person_id.int)
    sizes = group_sizes(len(ordered), smallest, largest)
    if basis == "geography":
        groups = _by_geography(ordered, sizes)
        return [SuggestedGroup(_ids(g), _shared_place(g)) for g in groups]
    groups = _by_interests(ordered, sizes)
    return [SuggestedGroup(_ids(g), _shared_interests(g)) for g in groups]


def _ids(group: list[Person]) -> tuple[UUID, ...]:
    return tuple(p.person_id for p in group)


def _by_geography(people: list[Person], sizes: list[int]) -> list[list[Person]]:
    located = [p for p in people if p.place.has_coordinates]
    elsewhere = sorted(
        (p for p in people if not p.place.has_coordinates),
        key=lambda p: (p.place.country, p.place.region, p.place.city),
    )
    groups: list[list[Person]] = []
    sizes = sorted(sizes)
    if located:
        points = np.array([_unit_vector_of(p) for p in located])
        groups = _grow_near(located, points, sizes[: _fitting(sizes, len(located))])
    return _fill(groups, sizes, [*_left_over(located, groups), *elsewhere])


def _fitting(sizes: list[int], available: int) -> int:
    """How many of the groups the located members can fill on their own."""
    total = 0
    for count, size in enumerate(sizes):
        if total + size > available:
            return count
        total += size
    return len(sizes)


def _grow_near(
    people: list[Person], points: np.ndarray, sizes: list[int]
) -> list[list[Person]]:
    tree = cKDTree(points)
    free = np.ones(len(people), dtype=bool)
    groups = []
    # Smaller groups first: the outermost members then need fewer neighbours.
    for size in sorted(sizes):
        seed = _outermost(points, free)
        members = _nearest_free(tree, points[seed], free, size)
        free[members] = False
        groups.append([people[i] for i in members])
    return groups


def _outermost(points: np.ndarray, free: np.ndarray) -> int:
    candidates = np.flatnonzero(free)
    centre = points[candidates].mean(axis=0)
    distance = ((points[candidates] - centre) ** 2).sum(axis=1)
    return int(candidates[np.argmax(distance)])


def _nearest_free(
    tree: cKDTree, point: np.ndarray, free: np.ndarray, size: int
) -> list[int]:
    k = min(len(free), size * 4)
    while True:
        _, found = tree.query(point, k=k)
        chosen = [int(i) for i in np.atleast_1d(found) if free[i]][:size]
        if len(chosen) == size or k >= len(free):
            return chosen
        k = min(len(free), k * 4)


def _left_over(people: list[Person], groups: list[list[Person]]) -> list[Person]:
    placed = {p.person_id for g in groups for p in g}
    return [p for p in people if p.person_id not in placed]


def _fill(
    groups: list[list[Person]], sizes: list[int], rest: list[Person]
) -> list[list[Person]]:
    for size in sizes[len(groups) :]:
        groups.append(rest[:size])
        rest = rest[size:]
    return groups


def _by_interests(people: list[Person], sizes: list[int]) -> list[list[Person]]:
    free = {p.person_id: p for p in people}
    holders: dict[str, set[UUID]] = {}
    for person in people:
        for interest in person.interests:
            holders.setdefault(interest, set()).add(person.person_id)
    groups = []
    for size in sizes:
        seed = max(free.values(), key=lambda p: (len(p.interests), -p.person_id.int))
        group = [free.pop(seed.person_id)]
        shared: Counter[str] = Counter(seed.interests)
        while len(group) < size and free:
            best = _closest(free, holders, shared)
            group.append(free.pop(best.person_id))
            shared.update(best.interests)
        groups.append(group)
    return groups


def _closest(
    free: dict[UUID, Person], holders: dict[str, set[UUID]], shared: Counter[str]
) -> Person:
    """The free member sharing most with the group; the first free one if none."""
    scores: Counter[UUID] = Counter()
    for interest, weight in shared.items():
        for person_id in holders.get(interest, ()):
            if person_id in free:
                scores[person_id] += weight
    if not scores:
        return next(iter(free.values()))
    best = max(scores.items(), key=lambda item: (item[1], -item[0].int))
    return free[best[0]]


def _shared_interests(group: list[Person]) -> tuple[str, ...]:
    counts = Counter(i for p in group for i in p.interests)
    common = [(i, n) for i, n in counts.most_common() if n >= 2]
    if not common:
        return ("no interest in common yet",)
    return tuple(f"{i} ({n} of {len(group)})" for i, n in common[:5])


def _shared_place(group: list[Person]) -> tuple[str, ...]:
    regions = Counter(p.place.region for p in group if p.place.region)
    said = []
    if len(regions) == 1 and sum(regions.values()) == len(group):
        said.append(f"all in {next(iter(regions))}")
    elif regions:
        said.append("in " + ", ".join(r for r, _ in regions.most_common(3)))
    located = [p for p in group if p.place.has_coordinates]
    if len(located) >= 2:
        said.append(f"within {round(_widest(located))} km of each other")
    if len(located) < len(group):
        said.append(f"{len(group) - len(located)} without a known place")
    return tuple(said)


def _unit_vector_of(person: Person) -> Any:
    place = person.place
    return unit_vector(place.latitude, place.longitude)  # type: ignore[arg-type]


def _widest(group: list[Person]) -> float:
    points = np.array([_unit_vector_of(p) for p in group])
    chords = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    return float(2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, chords.max() / 2)))
