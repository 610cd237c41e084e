"""A mentor their team paused is offered to nobody it ranks, until they resume.

``MentorPaused`` leaves the mentor's profile as it was: the pause belongs to
the team, and reaches the ranker as :attr:`Mentor.paused`.
"""

from dataclasses import replace

from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.domain import baseline, empty_lists
from carrel_matching.domain.criteria import refusal
from carrel_matching.domain.pairing import pair_pool
from carrel_matching.domain.people import Mentor, TeamRules
from carrel_matching.domain.ranker import TeamRanking

from .people import CATALOGUING, LINCOLN, METADATA, OMAHA, ids, mentor, person

MENTEE = person(learning_goals=(METADATA, CATALOGUING), place=LINCOLN)


def mentors() -> tuple[Mentor, Mentor]:
    near = mentor(skills={METADATA: 5, CATALOGUING: 4}, place=OMAHA)
    far = mentor(skills={CATALOGUING: 2})
    return near, far


def listed(ranking: TeamRanking) -> list[object]:
    return [c.mentor_id for c in ranking.lists[MENTEE.person_id]]


def test_a_paused_mentor_is_refused_as_paused_though_their_profile_is_available(
    skills: VocabularySkills,
) -> None:
    near, _ = mentors()
    paused = replace(near, paused=True)

    assert paused.person.available
    assert not paused.offerable
    assert refusal(MENTEE, paused, TeamRules(), skills) == "paused"
    assert refusal(MENTEE, near, TeamRules(), skills) is None


def test_a_pause_and_a_resumption_move_the_list_as_ranking_again_would(
    skills: VocabularySkills,
) -> None:
    near, far = mentors()
    ranking = TeamRanking([MENTEE], [near, far], TeamRules(), skills)
    ranking.rank_all()
    assert listed(ranking) == ids(near, far)

    paused = ranking.update(None, {near.mentor_id: replace(near, paused=True)})
    assert paused.changed == {MENTEE.person_id}
    assert listed(ranking) == ids(far)
    plain = baseline.rank_team(
        [MENTEE], [replace(near, paused=True), far], TeamRules(), skills, top_n=10
    )
    assert [c.mentor_id for c in plain[MENTEE.person_id]] == ids(far)

    resumed = ranking.update(None, {near.mentor_id: near})
    assert resumed.changed == {MENTEE.person_id}
    assert listed(ranking) == ids(near, far)


def test_a_pause_told_again_changes_no_list(skills: VocabularySkills) -> None:
    near, far = mentors()
    paused = replace(near, paused=True)
    ranking = TeamRanking([MENTEE], [paused, far], TeamRules(), skills)
    ranking.rank_all()

    assert ranking.update(None, {near.mentor_id: paused}).changed == frozenset()
    assert listed(ranking) == ids(far)


def test_a_pairing_preview_leaves_a_paused_mentor_out(
    skills: VocabularySkills,
) -> None:
    near, far = mentors()
    pairing = pair_pool(
        [MENTEE], [replace(near, paused=True), far], TeamRules(), skills,
        "highest_total", 0.0,
    )  # fmt: skip

    assert [(p.mentee_id, p.mentor_id) for p in pairing.pairs] == [
        (MENTEE.person_id, far.mentor_id)
    ]


def test_a_mentee_whose_only_mentor_is_paused_is_told_nobody_has_room(
    skills: VocabularySkills,
) -> None:
    near, _ = mentors()
    why = empty_lists.why_empty(
        MENTEE, [replace(near, paused=True)], TeamRules(), skills
    )

    assert why == empty_lists.NO_ROOM
