"""Reasons a person can read, from the criteria of one pair.

Only what speaks for the pair is said; a criterion that scored nothing stays
silent rather than telling the mentee what is missing.
"""

from carrel_matching.domain.candidates import Candidate
from carrel_matching.domain.criteria import PairFit, pair_fit
from carrel_matching.domain.damping import DAMPING_SHOWN_BELOW
from carrel_matching.domain.people import Mentor, Person, SkillCatalogue, TeamRules

_LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German",
    "zh": "Chinese", "vi": "Vietnamese", "pt": "Portuguese", "it": "Italian",
    "nl": "Dutch", "ar": "Arabic", "ko": "Korean", "ja": "Japanese",
}  # fmt: skip
NEAR_KM = 100.0


def reasons_for(
    fit: PairFit, mentor: Mentor, candidate: Candidate, skills: SkillCatalogue
) -> list[str]:
    """The reasons to show beside one candidate, most telling first."""
    reasons = [
        *_goal_reasons(fit, skills),
        *_expertise_reason(fit, mentor.person, skills),
        *_role_reason(fit, mentor.person),
        *_experience_reason(fit),
        *_interest_reason(fit),
        *_place_reason(fit),
        *_language_reason(fit),
        *_capacity_reason(mentor),
    ]
    if candidate.damping < DAMPING_SHOWN_BELOW:
        reasons.append("many mentees already asked for this mentor")
    return reasons


def _goal_reasons(fit: PairFit, skills: SkillCatalogue) -> list[str]:
    goals = fit.goals
    reasons = []
    if goals.covered:
        labels = ", ".join(skills.label(g) for g in goals.covered)
        noun = "goal" if goals.goals == 1 else "goals"
        reasons.append(
            f"covers {len(goals.covered)} of your {goals.goals} learning {noun}: "
            f"{labels}"
        )
    if goals.near:
        areas = sorted(
            {skills.category_label(skills.category(g) or "") for g in goals.near}
        )
        reasons.append(f"knows the wider field of {', '.join(areas)}")
    return reasons


def _expertise_reason(
    fit: PairFit, mentor: Person, skills: SkillCatalogue
) -> list[str]:
    expert = [g for g in fit.goals.covered if mentor.skills.get(g, 0) >= 4]
    if not expert:
        return []
    best = max(expert, key=lambda g: mentor.skills[g])
    return [f"expert in {skills.label(best)} ({mentor.skills[best]}/5)"]


def _role_reason(fit: PairFit, mentor: Person) -> list[str]:
    if fit.target_role is not None:
        return [f"works as {mentor.current_role}, your target role"]
    if fit.values["role_fit"] > 0:
        return [f"works as {mentor.current_role}, close to a role you aim for"]
    return []


def _experience_reason(fit: PairFit) -> list[str]:
    if fit.values["experience"] >= 1.0:
        return ["has the right head start in experience (5 to 20 years more)"]
    return []


def _interest_reason(fit: PairFit) -> list[str]:
    if not fit.shared_interests:
        return []
    return [f"shares your interest in {', '.join(fit.shared_interests)}"]


def _place_reason(fit: PairFit) -> list[str]:
    place = fit.place
    if place is None:
        return []
    parts = []
    if place.same_region:
        parts.append("same state" if _is_us(fit) else "same region")
    elif place.same_country:
        parts.append("same country")
    if place.distance_km is not None and place.distance_km <= NEAR_KM * 5:
        parts.append(f"{round(place.distance_km)} km away")
    if place.hours_apart == 0 and not parts:
        parts.append("same time zone")
    elif place.hours_apart and place.hours_apart <= 3:
        parts.append(f"{place.hours_apart:g} hours apart")
    return [", ".join(parts)] if parts else []


def _is_us(fit: PairFit) -> bool:
    return fit.place is not None and fit.place.country == "US"


def _language_reason(fit: PairFit) -> list[str]:
    if not fit.shared_languages:
        return []
    names = [_LANGUAGE_NAMES.get(code, code) for code in fit.shared_languages]
    return [f"speaks {' and '.join(names)} with you"]


def _capacity_reason(mentor: Mentor) -> list[str]:
    free = mentor.free_places
    if free <= 0:
        return []
    return [f"has {free} free place{'s' if free > 1 else ''}"]


def breakdown_of(fit: PairFit) -> dict[str, dict[str, float]]:
    """Each criterion's value and the weight it had, for the API to show."""
    return {
        criterion: {
            "value": round(fit.values[criterion], 4),
            "weight": round(fit.weights[criterion], 4),
        }
        for criterion in fit.values
    }


def explain(
    mentee: Person,
    mentor: Mentor,
    candidate: Candidate,
    rules: TeamRules,
    skills: SkillCatalogue,
) -> tuple[dict[str, dict[str, float]], list[str]]:
    """The breakdown and the reasons of one listed candidate."""
    fit = pair_fit(mentee, mentor, rules, skills)
    return breakdown_of(fit), reasons_for(fit, mentor, candidate, skills)
