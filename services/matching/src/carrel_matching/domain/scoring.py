"""The vectorised scorer: every criterion for a block of pairs at once.

It computes, for each mentee row of ``mentees`` and each mentor row of
``mentors``, the same undamped score as
:func:`carrel_matching.domain.criteria.scored_pair`, and -1 where that
function says None (the mentor may not be offered). Sets meet through sparse
products; distances, gaps and codes through broadcasting.
"""

from collections.abc import Mapping
from uuid import UUID

import numpy as np

from carrel_matching.domain import criteria as c
from carrel_matching.domain.arrays import Bools, Floats, Side, _widths
from carrel_matching.domain.people import TeamRules

NOT_OFFERED = -1.0


def round_scores(values: Floats) -> Floats:
    """The array form of :func:`carrel_matching.domain.criteria.round_score`."""
    return np.asarray(np.rint(values * c.SCORE_STEP) / c.SCORE_STEP)


def score_block(
    mentees: Side,
    mentors: Side,
    rules: TeamRules,
    excluded: Mapping[UUID, frozenset[UUID]],
) -> Floats:
    """Undamped scores, mentees in rows and mentors in columns; -1 when refused."""
    products = _Products(mentees, mentors)
    goals = products.goal_fit()
    values = [
        goals[0],
        goals[1],
        products.interests(),
        products.role_fit(),
        _experience(mentees, mentors),
        _place(mentees, mentors)[0],
        products.language(),
        _free_capacity(mentors),
    ]
    score = _weighted_mean(values, mentees, rules)
    offered = _offered(mentees, mentors, rules, excluded, products, goals[2])
    return np.where(offered, score, NOT_OFFERED)


class _Products:
    def __init__(self, left: Side, right: Side) -> None:
        self.left, self.right = left, right
        self.widths = _widths(left.tokens)

    def product(self, left_kind: str, right_kind: str) -> Floats:
        width = self.widths[left_kind]
        matrix = self.left.csr(left_kind, width)
        return np.asarray(matrix @ self.right.dense_t(right_kind, width))

    def goal_fit(self) -> tuple[Floats, Floats, Floats]:
        exact = self.product("goals", "has_skill")
        in_category = self.product("goal_categories", "has_category")
        proficiency = self.product("goals", "proficiency")
        best_near = self.product("goal_categories", "category_best") - self.product(
            "goals", "category_best_of_held"
        )
        count = self.left.number("goal_count")[:, None]
        safe = np.maximum(count, 1)
        coverage = (exact + c.CATEGORY_CREDIT * (in_category - exact)) / safe
        depth = (proficiency / 5 + c.CATEGORY_CREDIT * best_near / 5) / safe
        known = count > 0
        return np.where(known, coverage, 0.0), np.where(known, depth, 0.0), exact

    def interests(self) -> Floats:
        shared = self.product("interests", "interests")
        count = self.left.number("interest_count")[:, None]
        wanted = np.maximum(np.minimum(count, c.INTERESTS_FOR_FULL_MARK), 1)
        return np.where(count > 0, np.minimum(1.0, shared / wanted), 0.0)

    def role_fit(self) -> Floats:
        exact = self.product("target_roles", "role") > 0
        shared_words = self.product("target_words", "role_words")
        count = self.right.number("role_word_count")[None, :]
        partial = c.ROLE_WORD_CREDIT * shared_words / np.maximum(count, 1)
        return np.where(exact, 1.0, np.where(count > 0, partial, 0.0))

    def language(self) -> Floats:
        self.shared_languages = self.product("languages", "languages")
        known = (self.left.number("language_count")[:, None] > 0) & (
            self.right.number("language_count")[None, :] > 0
        )
        fit = np.where(self.shared_languages > 0, 1.0, 0.0)
        return np.where(known, fit, c.LANGUAGE_UNKNOWN)


def _experience(left: Side, right: Side) -> Floats:
    gap = right.number("years")[None, :] - left.number("years")[:, None]
    rising = np.clip(gap / 5, 0.0, 1.0)
    falling = np.clip(1 - (gap - 20) / 30, 0.5, 1.0)
    curve = np.minimum(rising, falling)
    return np.where(np.isnan(gap), c.EXPERIENCE_UNKNOWN, curve)


def _place(left: Side, right: Side) -> tuple[Floats, Bools, Bools, Floats]:
    distance = _distance(left, right)
    distance_part = np.where(
        np.isnan(distance), 0.0, 1 / (1 + distance / c.DISTANCE_HALF_KM)
    )
    lc, rc = left.number("country")[:, None], right.number("country")[None, :]
    lr, rr = left.number("region")[:, None], right.number("region")[None, :]
    same_country = (lc == rc) & (lc >= 0)
    same_region = (lr == rr) & (lr >= 0)
    hours = np.abs(left.number("offset")[:, None] - right.number("offset")[None, :])
    zone_part = np.where(
        np.isnan(hours), 0.0, np.maximum(0.0, 1 - hours / c.TIME_ZONE_SPAN_HOURS)
    )
    region_part = np.where(same_region, 1.0, np.where(same_country, 0.5, 0.0))
    value = 0.5 * distance_part + 0.25 * region_part + 0.25 * zone_part
    return value, same_country, same_region, hours


def _distance(left: Side, right: Side) -> Floats:
    squared = np.zeros((left.size, right.size))
    for axis in "xyz":
        difference = left.number(axis)[:, None] - right.number(axis)[None, :]
        squared += difference * difference
    half_chord = np.minimum(1.0, np.sqrt(squared) / 2)
    return np.asarray(2 * c.EARTH_RADIUS_KM * np.arcsin(half_chord))


def _free_capacity(right: Side) -> Floats:
    capacity = right.number("capacity").astype(np.float64)
    free = np.maximum(0, right.number("free_places")).astype(np.float64)
    share = np.where(capacity > 0, free / np.maximum(capacity, 1), 0.0)
    return np.asarray(share[None, :])


def _weighted_mean(values: list[Floats], left: Side, rules: TeamRules) -> Floats:
    preference = left.number("place_weight")[:, None]
    weighted = np.zeros((left.size, values[0].shape[1]))
    total = np.zeros((left.size, 1))
    for criterion, value in zip(c.CRITERIA, values, strict=True):
        weight = _weight_of(criterion, rules, preference)
        weighted += value * weight
        total = total + weight
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(total > 0, weighted / total, 0.0)
    return round_scores(np.clip(mean, 0.0, 1.0))


def _weight_of(criterion: c.Criterion, rules: TeamRules, preference: Floats) -> Floats:
    if criterion == "place":
        return rules.weights.place * 2 * preference
    fixed = c.criterion_weights(rules.weights, 0.0)[criterion]
    return np.full_like(preference, fixed)


def _offered(
    left: Side,
    right: Side,
    rules: TeamRules,
    excluded: Mapping[UUID, frozenset[UUID]],
    products: _Products,
    exact_goals: Floats,
) -> Bools:
    offered = np.broadcast_to(
        right.number("available") & (right.number("free_places") > 0),
        (left.size, right.size),
    ).copy()
    _refuse_pairs(offered, left, right, excluded)
    offered &= ~_same_institution(left, right, rules)
    for must in rules.must_haves:
        offered &= _must_have(must, left, right, products, exact_goals)
    return offered


def _refuse_pairs(
    offered: Bools,
    left: Side,
    right: Side,
    excluded: Mapping[UUID, frozenset[UUID]],
) -> None:
    """No one mentors themself, nor anyone the exclusions keep them from."""
    if left.size <= right.size:
        for row, mentee_id in enumerate(left.ids):
            for mentor_id in (mentee_id, *excluded.get(mentee_id, ())):
                column = right.position.get(mentor_id)
                if column is not None:
                    offered[row, column] = False
        return
    for at, mentor_id in enumerate(right.ids):
        self_row = left.position.get(mentor_id)
        if self_row is not None:
            offered[self_row, at] = False
    for mentee_id, mentors in excluded.items():
        mentee_row = left.position.get(mentee_id)
        if mentee_row is None:
            continue
        for mentor_id in mentors:
            mentor_column = right.position.get(mentor_id)
            if mentor_column is not None:
                offered[mentee_row, mentor_column] = False


def _same_institution(left: Side, right: Side, rules: TeamRules) -> Bools:
    li = left.number("institution")[:, None]
    ri = right.number("institution")[None, :]
    avoid = (
        rules.exclude_same_institution
        | left.number("avoid_institution")[:, None]
        | right.number("avoid_institution")[None, :]
    )
    return np.asarray(avoid & (li == ri) & (li >= 0))


def _must_have(
    must: str, left: Side, right: Side, products: _Products, exact_goals: Floats
) -> Bools:
    if must in ("same_country", "same_region", "same_time_zone"):
        _, same_country, same_region, hours = _place(left, right)
        if must == "same_country":
            return same_country
        if must == "same_region":
            return same_region
        return np.asarray(hours == 0)
    if must == "shared_language":
        return np.asarray(products.shared_languages > 0)
    if must == "compatible_meeting_preference":
        lm = left.number("meeting")[:, None]
        rm = right.number("meeting")[None, :]
        return np.asarray(~(((lm == 1) & (rm == 2)) | ((lm == 2) & (rm == 1))))
    return np.asarray(exact_goals > 0)
