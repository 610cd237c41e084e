"""Whole-pool pairing within capacities, by total score or by count."""

from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.domain.pairing import pair_pool
from carrel_matching.domain.people import TeamRules

from .people import ARCHIVES, METADATA, PRESERVATION, mentor, person


def test_no_mentor_takes_more_mentees_than_their_free_places(
    skills: VocabularySkills,
) -> None:
    mentees = [person(learning_goals=(METADATA,)) for _ in range(5)]
    mentors = [mentor(capacity=2, skills={METADATA: 5}), mentor(capacity=3, active=2)]

    pairing = pair_pool(mentees, mentors, TeamRules(), skills)

    taken = [p.mentor_id for p in pairing.pairs]
    assert taken.count(mentors[0].mentor_id) == 2
    assert taken.count(mentors[1].mentor_id) == 1
    assert len(pairing.unmatched) == 2
    assert pairing.places == 3


def test_most_matched_pairs_more_people_where_highest_total_would_not(
    skills: VocabularySkills,
) -> None:
    # Ada fits the expert best but could also take the generalist; Ben fits
    # only the expert. The highest total gives the expert to Ada alone.
    expert = mentor(capacity=1, skills={METADATA: 5, PRESERVATION: 5, ARCHIVES: 5})
    generalist = mentor(capacity=1, skills={ARCHIVES: 1})
    ada = person(learning_goals=(METADATA, PRESERVATION, ARCHIVES))
    ben = person(learning_goals=(METADATA,))
    rules = TeamRules(must_haves=frozenset({"learning_goal_covered"}))

    total = pair_pool([ada, ben], [expert, generalist], rules, skills, "highest_total")
    most = pair_pool([ada, ben], [expert, generalist], rules, skills, "most_matched")

    assert len(most.pairs) == 2
    assert len(total.pairs) >= 1
    assert most.total_score <= total.total_score or len(total.pairs) == 2
    assert {(p.mentee_id, p.mentor_id) for p in most.pairs} == {
        (ada.person_id, generalist.mentor_id),
        (ben.person_id, expert.mentor_id),
    }


def test_pairs_below_the_minimum_score_are_not_made(skills: VocabularySkills) -> None:
    pairing = pair_pool([person()], [mentor()], TeamRules(), skills, min_score=0.99)
    assert pairing.pairs == ()
    assert len(pairing.unmatched) == 1


def test_an_empty_pool_leaves_everyone_unmatched(skills: VocabularySkills) -> None:
    pairing = pair_pool([person()], [mentor(available=False)], TeamRules(), skills)
    assert (pairing.pairs, pairing.places, pairing.mean_score) == ((), 0, 0.0)
