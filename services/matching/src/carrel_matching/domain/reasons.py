"""Reasons a person can read, from the criteria of one pair.

Only what speaks for the pair is said; a criterion that scored nothing stays
silent rather than telling the mentee what is missing.

Reasons and the breakdown say nothing of a section of the mentor's profile
that the mentee may not see (the mentor's visibility, as the profile service
applies it): a hidden section still counts in the score, but its reason is
left out and its criterion is missing from the breakdown. Private matching
preferences never show, in any reason.

Told the other way, to the mentor (:func:`told_to_mentor`), the reasons also
speak of the mentee: of their learning goals, aspirations, interests, place,
experience and languages. The same rule then holds for the mentee's sections
as the mentor may see them: what the mentee keeps from the mentor stays out.
"""

from collections.abc import Callable

from carrel_matching.domain.candidates import Candidate
from carrel_matching.domain.criteria import Criterion, PairFit, pair_fit
from carrel_matching.domain.damping import DAMPING_SHOWN_BELOW
from carrel_matching.domain.people import (
    Mentor,
    Person,
    SkillCatalogue,
    TeamRules,
    ViewerScope,
)

SECTION_OF: dict[Criterion, str] = {
    "goal_coverage": "skills",
    "skill_depth": "skills",
    "interests": "interests",
    "role_fit": "details",
    "experience": "details",
    "place": "location",
    "language": "details",
    "free_capacity": "mentoring",
}
"""The section of the mentor's profile each criterion reads (and shows)."""

_LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German",
    "zh": "Chinese", "vi": "Vietnamese", "pt": "Portuguese", "it": "Italian",
    "nl": "Dutch", "ar": "Arabic", "ko": "Korean", "ja": "Japanese",
}  # fmt: skip
NEAR_KM = 100.0


Reason = Callable[[PairFit, Mentor, SkillCatalogue], list[str]]


def reasons_for(
    fit: PairFit,
    mentor: Mentor,
    candidate: Candidate,
    skills: SkillCatalogue,
    mentee_shows: Callable[[str], bool] = lambda section: True,
) -> list[str]:
    """The reasons to show beside one candidate, most telling first.

    ``mentee_shows`` says which sections of the mentee's profile the reader
    may see: all of them when the mentee reads about their own candidate.
    """
    shows = _shown_sections(mentor)
    reasons = [
        told
        for mentor_section, mentee_section, reason in _REASONS
        if mentor_section in shows
        and (mentee_section is None or mentee_shows(mentee_section))
        for told in reason(fit, mentor, skills)
    ]
    if candidate.damping < DAMPING_SHOWN_BELOW:
        reasons.append("many mentees already asked for this mentor")
    return reasons


def told_to_mentor(
    mentee: Person,
    mentor: Mentor,
    candidate: Candidate,
    rules: TeamRules,
    skills: SkillCatalogue,
) -> list[str]:
    """The reasons of a pair as the mentor reads them, beside a fitting mentee.

    The mentor sees the mentee as a teammate when they mentor in the mentee's
    team, else as someone from another team of the consortium.
    """
    fit = pair_fit(mentee, mentor, rules, skills)
    scope: ViewerScope = mentor.seen_as

    def mentee_shows(section: str) -> bool:
        return mentee.shows(section, scope)

    return reasons_for(fit, mentor, candidate, skills, mentee_shows)


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


_REASONS: tuple[tuple[str, str | None, Reason], ...] = (
    ("skills", "learning_goals", lambda f, m, s: _goal_reasons(f, s)),
    ("skills", "learning_goals", lambda f, m, s: _expertise_reason(f, m.person, s)),
    ("details", "aspirations", lambda f, m, s: _role_reason(f, m.person)),
    ("details", "details", lambda f, m, s: _experience_reason(f)),
    ("interests", "interests", lambda f, m, s: _interest_reason(f)),
    ("location", "location", lambda f, m, s: _place_reason(f)),
    ("details", "details", lambda f, m, s: _language_reason(f)),
    ("mentoring", None, lambda f, m, s: _capacity_reason(m)),
)
"""Each reason in the order shown, with the section of the mentor's profile and
of the mentee's (None: nothing of the mentee) that it gives away."""


def _shown_sections(mentor: Mentor) -> frozenset[str]:
    """The sections of the mentor's profile that the team's mentees may see."""
    person, scope = mentor.person, mentor.seen_as
    return frozenset(s for s in SECTION_OF.values() if person.shows(s, scope))


def breakdown_of(fit: PairFit, mentor: Mentor) -> dict[str, dict[str, float]]:
    """Each criterion's value and weight, for the sections the mentee may see."""
    shows = _shown_sections(mentor)
    return {
        criterion: {
            "value": round(fit.values[criterion], 4),
            "weight": round(fit.weights[criterion], 4),
        }
        for criterion in fit.values
        if SECTION_OF[criterion] in shows
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
    return breakdown_of(fit, mentor), reasons_for(fit, mentor, candidate, skills)
