"""Reasons and the breakdown say nothing a mentee may not see of the mentor."""

from dataclasses import replace
from datetime import date

from carrel_events.contracts import profile
from carrel_matching.adapters.profiles import person_from, section_of
from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.domain.candidates import Candidate
from carrel_matching.domain.people import Mentor, TeamRules
from carrel_matching.domain.reasons import explain, told_to_mentor
from carrel_vocabulary import load_vocabulary

from .conftest import DATA_DIR
from .people import CATALOGUING, LINCOLN, METADATA, OMAHA, mentor, person

MENTEE = person(
    learning_goals=(METADATA, CATALOGUING),
    target_roles=("Head of Technical Services",),
    interests=frozenset({"zines"}),
    languages=frozenset({"en"}),
    years_of_experience=2,
    place=LINCOLN,
)
SKILLS = VocabularySkills(load_vocabulary(DATA_DIR))


def told(
    hidden: dict[str, profile.Visibility] | None = None, same_team: bool = True
) -> tuple[dict[str, dict[str, float]], str]:
    grace = mentor(
        capacity=2,
        skills={METADATA: 5, CATALOGUING: 4},
        current_role="Head of Technical Services",
        interests=frozenset({"zines"}),
        languages=frozenset({"en"}),
        years_of_experience=15,
        place=OMAHA,
        institution="NE:Omaha Public Library",
        avoid_own_institution=True,
        visibility=hidden or {},
    )
    seen = Mentor(grace.person, grace.capacity, same_team=same_team)
    shown = Candidate(0.8, seen.mentor_id, 0.8, 1.0)
    breakdown, reasons = explain(MENTEE, seen, shown, TeamRules(), SKILLS)
    return breakdown, " | ".join(reasons)


def test_a_mentor_open_to_the_team_is_explained_from_every_section() -> None:
    breakdown, reasons = told()

    assert "covers 2 of your 2 learning goals" in reasons
    assert "works as Head of Technical Services" in reasons
    assert "km away" in reasons
    assert "zines" in reasons
    assert "speaks English" in reasons
    assert "free places" in reasons
    assert set(breakdown) >= {"goal_coverage", "place", "interests", "role_fit"}


def test_hidden_skills_leave_no_reason_about_goals_or_expertise() -> None:
    breakdown, reasons = told({"skills": "private"})

    assert "learning goal" not in reasons
    assert "expert" not in reasons
    assert "wider field" not in reasons
    assert "goal_coverage" not in breakdown and "skill_depth" not in breakdown
    assert "works as" in reasons


def test_a_hidden_location_says_neither_distance_nor_state() -> None:
    breakdown, reasons = told({"location": "private"})

    assert "km" not in reasons and "same state" not in reasons
    assert "hours apart" not in reasons and "time zone" not in reasons
    assert "place" not in breakdown


def test_hidden_details_say_nothing_of_role_experience_or_language() -> None:
    breakdown, reasons = told({"details": "private", "interests": "private"})

    assert "works as" not in reasons
    assert "head start" not in reasons
    assert "speaks" not in reasons
    assert "zines" not in reasons
    assert not {"role_fit", "experience", "language", "interests"} & set(breakdown)


def test_a_mentor_from_another_team_shows_only_what_is_open_to_the_consortium() -> None:
    _, team_only = told(same_team=False)
    _, opened = told({"skills": "consortium"}, same_team=False)

    assert "covers" not in team_only and "km" not in team_only
    assert "works as" not in team_only
    assert "covers 2 of your 2 learning goals" in opened
    assert "km" not in opened


def test_private_matching_preferences_never_show_in_any_reason() -> None:
    for hidden in ({}, {"details": "consortium"}):
        breakdown, reasons = told(hidden)  # type: ignore[arg-type]

        assert "Omaha Public Library" not in reasons
        assert "institution" not in reasons.lower()
        assert all("institution" not in criterion for criterion in breakdown)


def test_visibility_and_a_dated_pause_reach_the_person_matching_reads() -> None:
    features = {
        **(
            section_of(profile.VisibilityChanged(sections={"location": "private"}))
            or {}
        ),
        **(
            section_of(
                profile.AvailabilityChanged(
                    available=False,
                    paused_until=date(2030, 3, 1),
                )
            )
            or {}
        ),
    }
    someone = person_from(MENTEE.person_id, features)

    assert features["paused_until"] == "2030-03-01"
    assert not someone.available
    assert not someone.shows("location", "team")
    assert someone.shows("skills", "team") and not someone.shows("skills", "consortium")


def told_to_mentor_of(
    mentee_hides: dict[str, profile.Visibility], same_team: bool = True
) -> str:
    grace = mentor(
        capacity=2,
        skills={METADATA: 5, CATALOGUING: 4},
        current_role="Head of Technical Services",
        interests=frozenset({"zines"}),
        languages=frozenset({"en"}),
        years_of_experience=15,
        place=OMAHA,
        visibility={"skills": "consortium", "details": "consortium"},
    )
    seen = Mentor(grace.person, grace.capacity, same_team=same_team)
    mentee = replace(MENTEE, visibility=mentee_hides)
    shown = Candidate(0.8, seen.mentor_id, 0.8, 1.0)
    return " | ".join(told_to_mentor(mentee, seen, shown, TeamRules(), SKILLS))


def test_a_mentor_reads_of_every_section_the_mentee_opens_to_the_team() -> None:
    reasons = told_to_mentor_of({})

    assert "covers 2 of your 2 learning goals" in reasons
    assert "expert in" in reasons
    assert "your target role" in reasons
    assert "km away" in reasons and "zines" in reasons
    assert "speaks English" in reasons and "head start" in reasons


def test_a_mentor_reads_nothing_of_the_sections_the_mentee_keeps_private() -> None:
    reasons = told_to_mentor_of(
        {
            "learning_goals": "private",
            "aspirations": "private",
            "location": "private",
            "interests": "private",
            "details": "private",
        }
    )

    assert "learning goal" not in reasons and "expert" not in reasons
    assert "wider field" not in reasons and "works as" not in reasons
    assert "km" not in reasons and "same state" not in reasons
    assert "zines" not in reasons and "speaks" not in reasons
    assert "head start" not in reasons
    assert reasons == "has 2 free places"


def test_a_mentor_from_another_team_reads_only_what_the_mentee_opens_wider() -> None:
    team_only = told_to_mentor_of({}, same_team=False)
    opened = told_to_mentor_of({"learning_goals": "consortium"}, same_team=False)

    assert "learning goal" not in team_only and "your target role" not in team_only
    assert "covers 2 of your 2 learning goals" in opened
    assert "km" not in opened
