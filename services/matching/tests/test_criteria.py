"""Each criterion of a mentor's fit, and the reasons a mentee reads."""

import pytest
from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.domain import criteria
from carrel_matching.domain.candidates import Candidate
from carrel_matching.domain.people import Place, TeamRules, Weights
from carrel_matching.domain.reasons import reasons_for

from .people import (
    ARCHIVES,
    CATALOGUING,
    HONOLULU,
    LINCOLN,
    METADATA,
    OMAHA,
    PRESERVATION,
    SQL,
    mentor,
    person,
)


def test_a_goal_the_mentor_has_counts_fully_and_one_in_its_category_counts_half(
    skills: VocabularySkills,
) -> None:
    mentee = person(learning_goals=(METADATA, PRESERVATION))
    expert = person(skills={METADATA: 5, ARCHIVES: 2})

    fit = criteria.goal_fit(mentee, expert, skills)

    assert fit.covered == (METADATA,)
    assert fit.near == (PRESERVATION,)
    assert fit.coverage == pytest.approx((1 + 0.5) / 2)
    assert fit.depth == pytest.approx((5 / 5 + 0.5 * 2 / 5) / 2)


def test_goals_outside_the_vocabulary_are_left_out_of_the_count(
    skills: VocabularySkills,
) -> None:
    mentee = person(learning_goals=(METADATA, "no.such-skill"))
    fit = criteria.goal_fit(mentee, person(skills={METADATA: 3}), skills)
    assert (fit.goals, fit.coverage) == (1, 1.0)


def test_sharing_three_interests_is_a_full_mark() -> None:
    mentee = person(interests=frozenset({"zines", "oral history", "maps", "games"}))
    assert criteria.shared_interests(mentee, person(interests=mentee.interests))[0] == 1
    two = person(interests=frozenset({"zines", "maps"}))
    assert criteria.shared_interests(mentee, two) == (2 / 3, ["maps", "zines"])
    assert criteria.shared_interests(person(), two)[0] == 0


def test_a_mentor_in_the_target_role_fits_fully_and_shared_words_fit_partly() -> None:
    mentee = person(target_roles=("Head of Technical Services",))
    assert (
        criteria.role_fit(mentee, person(current_role="head of technical services"))[0]
        == 1
    )
    value, exact = criteria.role_fit(
        mentee, person(current_role="Technical Services Librarian")
    )
    assert exact is None
    assert value == pytest.approx(0.5 * 2 / 3)
    assert criteria.role_fit(mentee, person(current_role="Archivist"))[0] == 0


@pytest.mark.parametrize(
    ("gap", "fit"),
    [(-3, 0.0), (0, 0.0), (2, 0.4), (5, 1.0), (20, 1.0), (35, 0.5), (60, 0.5)],
)
def test_experience_fits_best_five_to_twenty_years_ahead(gap: int, fit: float) -> None:
    mentee, ahead = person(years_of_experience=10), person(years_of_experience=10 + gap)
    assert criteria.experience_fit(mentee, ahead) == pytest.approx(fit)


def test_unknown_experience_is_neither_good_nor_bad() -> None:
    assert criteria.experience_fit(person(), person(years_of_experience=9)) == 0.5


def test_place_weighs_distance_region_and_time_zone() -> None:
    near = criteria.place_fit(person(place=LINCOLN), person(place=OMAHA))
    far = criteria.place_fit(person(place=LINCOLN), person(place=HONOLULU))

    assert near.distance_km == pytest.approx(81, abs=2)
    assert (near.same_region, near.hours_apart) == (True, 0)
    assert far.same_country and not far.same_region
    assert far.hours_apart == 4
    assert near.value > far.value
    assert criteria.place_fit(person(), person(place=OMAHA)).value == 0


def test_language_is_full_when_shared_none_when_not_half_when_unknown() -> None:
    english, french = frozenset({"en"}), frozenset({"fr"})
    assert (
        criteria.language_fit(person(languages=english), person(languages=english))[0]
        == 1
    )
    assert (
        criteria.language_fit(person(languages=english), person(languages=french))[0]
        == 0
    )
    assert criteria.language_fit(person(), person(languages=french))[0] == 0.5


def test_free_capacity_is_the_share_of_places_still_open() -> None:
    assert criteria.free_capacity(mentor(capacity=4, active=1)) == 0.75


def test_place_counts_as_much_as_the_mentee_wants() -> None:
    weights = Weights()
    assert criteria.criterion_weights(weights, 0.0)["place"] == 0
    assert criteria.criterion_weights(weights, 1.0)["place"] == pytest.approx(0.2)


def test_a_full_or_paused_mentor_and_the_mentee_themself_are_refused(
    skills: VocabularySkills,
) -> None:
    mentee, rules = person(), TeamRules()
    assert (
        criteria.refusal(mentee, mentor(capacity=1, active=1), rules, skills) == "full"
    )
    paused = mentor(available=False)
    assert criteria.refusal(mentee, paused, rules, skills) == "paused"
    themself = mentor(person_id=mentee.person_id)
    assert criteria.refusal(mentee, themself, rules, skills) == "self"


def test_exclusions_refuse_listed_pairs_and_same_institution_when_asked(
    skills: VocabularySkills,
) -> None:
    mentee = person(institution="NE:0001")
    colleague = mentor(institution="NE:0001")
    listed = mentor()
    rules = TeamRules(
        exclude_same_institution=True,
        excluded_pairs=frozenset({(listed.mentor_id, mentee.person_id)}),
    )
    assert criteria.refusal(mentee, colleague, rules, skills) == "same_institution"
    assert criteria.refusal(mentee, listed, rules, skills) == "excluded_pair"
    assert criteria.refusal(mentee, colleague, TeamRules(), skills) is None


def test_must_haves_filter_out_mentors_that_miss_them(skills: VocabularySkills) -> None:
    mentee = person(
        place=LINCOLN, learning_goals=(METADATA,), meeting_preference="in_person"
    )
    rules = TeamRules(must_haves=frozenset({"same_region", "learning_goal_covered"}))
    good = mentor(place=OMAHA, skills={METADATA: 3})
    assert criteria.refusal(mentee, good, rules, skills) is None
    assert criteria.refusal(
        mentee, mentor(place=HONOLULU, skills={METADATA: 3}), rules, skills
    )
    assert criteria.refusal(mentee, mentor(place=OMAHA, skills={SQL: 3}), rules, skills)
    remote = TeamRules(must_haves=frozenset({"compatible_meeting_preference"}))
    assert criteria.refusal(mentee, mentor(meeting_preference="remote"), remote, skills)


def test_reasons_say_goals_role_place_and_interests_in_plain_words(
    skills: VocabularySkills,
) -> None:
    mentee = person(
        learning_goals=(METADATA, CATALOGUING, PRESERVATION, SQL),
        target_roles=("Head of Technical Services",),
        interests=frozenset({"zines"}),
        place=LINCOLN,
        languages=frozenset({"en", "es"}),
        years_of_experience=2,
    )
    grace = mentor(
        capacity=3,
        active=1,
        skills={METADATA: 5, CATALOGUING: 4, PRESERVATION: 3},
        current_role="Head of Technical Services",
        interests=frozenset({"zines"}),
        place=OMAHA,
        languages=frozenset({"es"}),
        years_of_experience=15,
    )
    fit = criteria.pair_fit(mentee, grace, TeamRules(), skills)
    reasons = reasons_for(
        fit, grace, Candidate(fit.score, grace.mentor_id, fit.score, 1.0), skills
    )

    assert reasons[0] == (
        "covers 3 of your 4 learning goals: develop information standards, "
        "classify library materials, manage digital archives"
    )
    assert "expert in develop information standards (5/5)" in reasons
    assert "works as Head of Technical Services, your target role" in reasons
    assert "shares your interest in zines" in reasons
    assert "same state, 81 km away" in reasons
    assert "speaks Spanish with you" in reasons
    assert "has 2 free places" in reasons
    assert "many mentees already asked for this mentor" not in reasons


def test_a_damped_candidate_says_many_mentees_already_asked(
    skills: VocabularySkills,
) -> None:
    mentee, popular = person(), mentor()
    fit = criteria.pair_fit(mentee, popular, TeamRules(), skills)
    damped = Candidate(fit.score * 0.6, popular.mentor_id, fit.score, 0.6)
    assert "many mentees already asked for this mentor" in reasons_for(
        fit, popular, damped, skills
    )


def test_a_place_without_coordinates_still_says_the_shared_region() -> None:
    here = Place(region="Ontario", country="CA")
    fit = criteria.place_fit(person(place=here), person(place=here))
    assert fit.same_region and fit.distance_km is None
