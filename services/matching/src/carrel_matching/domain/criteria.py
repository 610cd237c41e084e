"""Each criterion of a mentor's fit for a mentee, scored between 0 and 1.

These are the plain definitions, one pair at a time. The vectorised ranker in
:mod:`carrel_matching.domain.ranker` computes the very same numbers for whole
blocks of pairs, and the tests hold the two to agreement.

How the team's six weights reach the eight criteria:

=================  ==========================================================
criterion          weight
=================  ==========================================================
goal_coverage      ``learning_goals``
skill_depth        ``skills``
interests          ``interests``
role_fit           two thirds of ``aspirations``
experience         one third of ``aspirations``
place              ``place`` times twice the mentee's place preference
language           ``place`` (talking matters wherever people are)
free_capacity      ``availability``
=================  ==========================================================

The score is the weighted mean of the criteria, so it stays within 0 and 1.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

from carrel_matching.domain.people import (
    Mentor,
    MustHave,
    Person,
    SkillCatalogue,
    TeamRules,
    Weights,
    fold,
    words,
)

Criterion = Literal[
    "goal_coverage",
    "skill_depth",
    "interests",
    "role_fit",
    "experience",
    "place",
    "language",
    "free_capacity",
]
CRITERIA: tuple[Criterion, ...] = (
    "goal_coverage",
    "skill_depth",
    "interests",
    "role_fit",
    "experience",
    "place",
    "language",
    "free_capacity",
)

CATEGORY_CREDIT = 0.5
"""A goal the mentor knows only the broader category of counts half."""
INTERESTS_FOR_FULL_MARK = 3
ROLE_WORD_CREDIT = 0.5
EXPERIENCE_UNKNOWN = 0.5
LANGUAGE_UNKNOWN = 0.5
DISTANCE_HALF_KM = 150.0
"""At this distance the distance part of place falls to one half."""
TIME_ZONE_SPAN_HOURS = 8.0
EARTH_RADIUS_KM = 6371.0088
SCORE_STEP = 1e9
"""Scores are rounded to 1e-9 so that both rankers break ties the same way."""


def round_score(value: float) -> float:
    """Round half to even at 1e-9, exactly as numpy's ``rint(x * 1e9) / 1e9``."""
    return round(value * SCORE_STEP) / SCORE_STEP


@dataclass(frozen=True)
class GoalFit:
    coverage: float
    depth: float
    covered: tuple[str, ...] = ()
    """Goals the mentor has as a skill, by skill id."""
    near: tuple[str, ...] = ()
    """Goals the mentor knows only the category of."""
    goals: int = 0


def goal_fit(mentee: Person, mentor: Person, skills: SkillCatalogue) -> GoalFit:
    """How the mentor's skills cover the goals, and how deeply (proficiency)."""
    goals = [g for g in mentee.learning_goals if skills.category(g) is not None]
    if not goals:
        return GoalFit(0.0, 0.0)
    best_in_category = _best_per_category(mentor.skills, skills)
    covered, near, coverage, depth = [], [], 0.0, 0.0
    for goal in goals:
        proficiency = mentor.skills.get(goal, 0) if skills.category(goal) else 0
        if proficiency:
            covered.append(goal)
            coverage += 1.0
            depth += proficiency / 5
            continue
        in_category = best_in_category.get(skills.category(goal) or "", 0)
        if in_category:
            near.append(goal)
            coverage += CATEGORY_CREDIT
            depth += CATEGORY_CREDIT * in_category / 5
    n = len(goals)
    return GoalFit(coverage / n, depth / n, tuple(covered), tuple(near), n)


def _best_per_category(
    mentor_skills: Mapping[str, int], skills: SkillCatalogue
) -> dict[str, int]:
    best: dict[str, int] = {}
    for skill_id, proficiency in mentor_skills.items():
        category = skills.category(skill_id)
        if category is not None:
            best[category] = max(best.get(category, 0), proficiency)
    return best


def shared_interests(mentee: Person, mentor: Person) -> tuple[float, list[str]]:
    """Sharing three of the mentee's interests (or all, if fewer) is a full mark."""
    if not mentee.interests:
        return 0.0, []
    shared = sorted(mentee.interests & mentor.interests)
    wanted = min(len(mentee.interests), INTERESTS_FOR_FULL_MARK)
    return min(1.0, len(shared) / wanted), shared


def role_fit(mentee: Person, mentor: Person) -> tuple[float, str | None]:
    """1 when the mentor works in a target role; half credit per shared word.

    Returns the target role that matched exactly, if any.
    """
    role = fold(mentor.current_role)
    if not role or not mentee.target_roles:
        return 0.0, None
    for target in mentee.target_roles:
        if fold(target) == role:
            return 1.0, target
    role_words = words(role)
    if not role_words:
        return 0.0, None
    target_words = frozenset().union(*(words(t) for t in mentee.target_roles))
    return ROLE_WORD_CREDIT * len(role_words & target_words) / len(role_words), None


def experience_fit(mentee: Person, mentor: Person) -> float:
    """A mentor 5 to 20 years ahead fits best; one behind does not fit."""
    if mentee.years_of_experience is None or mentor.years_of_experience is None:
        return EXPERIENCE_UNKNOWN
    return experience_curve(mentor.years_of_experience - mentee.years_of_experience)


def experience_curve(gap: float) -> float:
    rising = min(1.0, max(0.0, gap / 5))
    falling = min(1.0, max(0.5, 1 - (gap - 20) / 30))
    return min(rising, falling)


@dataclass(frozen=True)
class PlaceFit:
    value: float
    distance_km: float | None
    same_country: bool
    same_region: bool
    hours_apart: float | None
    country: str = ""


def place_fit(mentee: Person, mentor: Person) -> PlaceFit:
    """Half distance, a quarter region, a quarter time zone; unknown parts score 0."""
    a, b = mentee.place, mentor.place
    distance = None
    if a.has_coordinates and b.has_coordinates:
        distance = great_circle_km(
            a.latitude,  # type: ignore[arg-type]
            a.longitude,  # type: ignore[arg-type]
            b.latitude,  # type: ignore[arg-type]
            b.longitude,  # type: ignore[arg-type]
        )
    same_country = bool(a.country) and a.country == b.country
    same_region = same_country and bool(a.region) and fold(a.region) == fold(b.region)
    hours = None
    if a.utc_offset_hours is not None and b.utc_offset_hours is not None:
        hours = abs(a.utc_offset_hours - b.utc_offset_hours)
    distance_part = 0.0 if distance is None else 1 / (1 + distance / DISTANCE_HALF_KM)
    region_part = 1.0 if same_region else 0.5 if same_country else 0.0
    zone_part = 0.0 if hours is None else max(0.0, 1 - hours / TIME_ZONE_SPAN_HOURS)
    value = 0.5 * distance_part + 0.25 * region_part + 0.25 * zone_part
    return PlaceFit(value, distance, same_country, same_region, hours, a.country)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The distance over the earth, through the chord between the two points.

    The chord is taken from the difference of unit vectors rather than from
    trigonometry of the differences, which the vectorised ranker does the same
    way with the same operations, so both give the very same kilometres.
    """
    (x1, y1, z1), (x2, y2, z2) = unit_vector(lat1, lon1), unit_vector(lat2, lon2)
    dx, dy, dz = x1 - x2, y1 - y2, z1 - z2
    chord = math.sqrt(dx * dx + dy * dy + dz * dz)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, chord / 2))


def unit_vector(latitude: float, longitude: float) -> tuple[float, float, float]:
    phi, lam = math.radians(latitude), math.radians(longitude)
    return math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)


def language_fit(mentee: Person, mentor: Person) -> tuple[float, list[str]]:
    """1 with a shared language, 0 with none, one half when either is unknown."""
    if not mentee.languages or not mentor.languages:
        return LANGUAGE_UNKNOWN, []
    shared = sorted(mentee.languages & mentor.languages)
    return (1.0 if shared else 0.0), shared


def free_capacity(mentor: Mentor) -> float:
    """The share of the mentor's places still free."""
    if mentor.capacity <= 0:
        return 0.0
    return mentor.free_places / mentor.capacity


def criterion_weights(
    weights: Weights, place_preference: float
) -> dict[Criterion, float]:
    """The weight of each criterion for a mentee with this place preference."""
    return {
        "goal_coverage": weights.learning_goals,
        "skill_depth": weights.skills,
        "interests": weights.interests,
        "role_fit": weights.aspirations * 2 / 3,
        "experience": weights.aspirations / 3,
        "place": weights.place * 2 * place_preference,
        "language": weights.place,
        "free_capacity": weights.availability,
    }


@dataclass(frozen=True)
class PairFit:
    """Every criterion of one pair, with what the reasons need to speak."""

    values: dict[Criterion, float]
    weights: dict[Criterion, float]
    goals: GoalFit
    shared_interests: list[str] = field(default_factory=list)
    target_role: str | None = None
    place: PlaceFit | None = None
    shared_languages: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        total = sum(self.weights.values())
        if total <= 0:
            return 0.0
        weighted = sum(self.values[c] * self.weights[c] for c in CRITERIA)
        return round_score(min(1.0, max(0.0, weighted / total)))


def pair_fit(
    mentee: Person, mentor: Mentor, rules: TeamRules, skills: SkillCatalogue
) -> PairFit:
    """Score one pair on every criterion (filters aside: see :func:`refusal`)."""
    other = mentor.person
    goals = goal_fit(mentee, other, skills)
    interests, shared = shared_interests(mentee, other)
    role, target = role_fit(mentee, other)
    place = place_fit(mentee, other)
    language, languages = language_fit(mentee, other)
    values: dict[Criterion, float] = {
        "goal_coverage": goals.coverage,
        "skill_depth": goals.depth,
        "interests": interests,
        "role_fit": role,
        "experience": experience_fit(mentee, other),
        "place": place.value,
        "language": language,
        "free_capacity": free_capacity(mentor),
    }
    weights = criterion_weights(rules.weights, mentee.place_weight)
    return PairFit(values, weights, goals, shared, target, place, languages)


def refusal(
    mentee: Person, mentor: Mentor, rules: TeamRules, skills: SkillCatalogue
) -> str | None:
    """Why this mentor may not be offered to this mentee; None when they may."""
    if not mentor.available:
        return "paused"
    if mentor.free_places <= 0:
        return "full"
    if mentor.mentor_id == mentee.person_id:
        return "self"
    if (mentor.mentor_id, mentee.person_id) in rules.excluded_pairs:
        return "excluded_pair"
    if same_institution_excluded(mentee, mentor.person, rules):
        return "same_institution"
    for must in sorted(rules.must_haves):
        if not must_have_holds(must, mentee, mentor.person, skills):
            return f"must_have:{must}"
    return None


def same_institution_excluded(mentee: Person, mentor: Person, rules: TeamRules) -> bool:
    avoid = (
        rules.exclude_same_institution
        or mentee.avoid_own_institution
        or mentor.avoid_own_institution
    )
    return (
        avoid
        and mentee.institution is not None
        and (mentee.institution == mentor.institution)
    )


def must_have_holds(
    must: MustHave, mentee: Person, mentor: Person, skills: SkillCatalogue
) -> bool:
    place = place_fit(mentee, mentor)
    if must == "same_country":
        return place.same_country
    if must == "same_region":
        return place.same_region
    if must == "same_time_zone":
        return place.hours_apart is not None and place.hours_apart == 0
    if must == "shared_language":
        return bool(mentee.languages & mentor.languages)
    if must == "compatible_meeting_preference":
        return {mentee.meeting_preference, mentor.meeting_preference} != {
            "remote",
            "in_person",
        }
    return bool(goal_fit(mentee, mentor, skills).covered)


def scored_pair(
    mentee: Person, mentor: Mentor, rules: TeamRules, skills: SkillCatalogue
) -> float | None:
    """The undamped score of a pair, or None when the mentor may not be offered."""
    if refusal(mentee, mentor, rules, skills) is not None:
        return None
    return pair_fit(mentee, mentor, rules, skills).score


def excluded_for(rules: TeamRules, mentee_id: UUID) -> frozenset[UUID]:
    return frozenset(m for m, e in rules.excluded_pairs if e == mentee_id)
