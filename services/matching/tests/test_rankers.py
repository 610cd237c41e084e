"""The vectorised ranker agrees with the plain one, and updates only what it must."""

import dataclasses
import random

import pytest
from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.domain import baseline, ranker
from carrel_matching.domain.candidates import Candidate
from carrel_matching.domain.people import Mentor, TeamRules
from carrel_matching.domain.ranker import TeamRanking
from carrel_matching.synthetic import Population
from carrel_vocabulary import load_vocabulary

from .conftest import DATA_DIR
from .people import mentor, person


@pytest.fixture
def population() -> Population:
    return Population(load_vocabulary(DATA_DIR), DATA_DIR, seed=11)


def same(a: list[Candidate], b: list[Candidate]) -> bool:
    return [c.mentor_id for c in a] == [c.mentor_id for c in b] and all(
        abs(x.score - y.score) < 1e-8 for x, y in zip(a, b, strict=True)
    )


@pytest.mark.parametrize(
    "rules",
    [
        TeamRules(),
        TeamRules(exclude_same_institution=True),
        TeamRules(must_haves=frozenset({"shared_language", "same_country"})),
    ],
)
def test_the_vectorised_ranker_gives_the_plain_rankers_lists(
    population: Population, skills: VocabularySkills, rules: TeamRules
) -> None:
    mentees, mentors = population.team(150, 60)

    plain = baseline.rank_team(mentees, mentors, rules, skills, top_n=8)
    ranking = TeamRanking(mentees, mentors, rules, skills, top_n=8)
    ranking.rank_all()

    assert all(same(plain[p.person_id], ranking.lists[p.person_id]) for p in mentees)
    assert any(c.damping < 1 for cs in ranking.lists.values() for c in cs)


def test_updates_leave_the_same_lists_as_ranking_again_from_scratch(
    population: Population, skills: VocabularySkills
) -> None:
    mentees, mentors = population.team(120, 40)
    rules = TeamRules()
    ranking = TeamRanking(mentees, mentors, rules, skills, top_n=5)
    ranking.rank_all()
    now_mentees = {p.person_id: p for p in mentees}
    now_mentors = {m.mentor_id: m for m in mentors}
    chance = random.Random(5)

    for _ in range(40):
        changed_mentees, changed_mentors = _some_change(
            chance, population, now_mentees, now_mentors
        )
        ranking.update(changed_mentees, changed_mentors)
        fresh = TeamRanking(
            now_mentees.values(), now_mentors.values(), rules, skills, 5
        )
        fresh.rank_all()
        assert set(ranking.lists) == set(now_mentees)
        assert all(same(fresh.lists[e], ranking.lists[e]) for e in now_mentees)


def test_many_changes_at_once_leave_the_same_lists_as_ranking_from_scratch(
    population: Population, skills: VocabularySkills
) -> None:
    mentees, mentors = population.team(120, 40)
    ranking = TeamRanking(mentees, mentors, TeamRules(), skills, top_n=5)
    ranking.rank_all()
    joined = [population.person(senior=False) for _ in range(30)]
    redrawn = [
        Mentor(
            dataclasses.replace(population.mentor().person, person_id=m.mentor_id),
            m.capacity,
        )
        for m in mentors[:12]
    ]
    left = {m.mentor_id: None for m in mentors[12:16]}

    ranking.update(
        {p.person_id: p for p in joined},
        {**{m.mentor_id: m for m in redrawn}, **left},
    )

    fresh = TeamRanking(
        [*mentees, *joined], [*redrawn, *mentors[16:]], TeamRules(), skills, 5
    )
    fresh.rank_all()
    assert set(ranking.lists) == set(fresh.lists)
    assert all(same(fresh.lists[e], ranking.lists[e]) for e in fresh.lists)


def _some_change(
    chance: random.Random,
    population: Population,
    mentees: dict,  # type: ignore[type-arg]
    mentors: dict,  # type: ignore[type-arg]
) -> tuple[dict, dict]:  # type: ignore[type-arg]
    roll = chance.random()
    if roll < 0.3:
        mentee_id = chance.choice(list(mentees))
        new = dataclasses.replace(population.person(senior=False), person_id=mentee_id)
        mentees[mentee_id] = new
        return {mentee_id: new}, {}
    if roll < 0.6:
        mentor_id = chance.choice(list(mentors))
        drawn = population.mentor()
        new_mentor = Mentor(
            dataclasses.replace(drawn.person, person_id=mentor_id),
            drawn.capacity,
            drawn.active_mentees,
        )
        mentors[mentor_id] = new_mentor
        return {}, {mentor_id: new_mentor}
    if roll < 0.7:
        joined = population.person(senior=False)
        mentees[joined.person_id] = joined
        return {joined.person_id: joined}, {}
    if roll < 0.8:
        added = population.mentor()
        mentors[added.mentor_id] = added
        return {}, {added.mentor_id: added}
    if roll < 0.9 and len(mentors) > 5:
        gone = chance.choice(list(mentors))
        del mentors[gone]
        return {}, {gone: None}
    left = chance.choice(list(mentees))
    del mentees[left]
    return {left: None}, {}


def test_a_changed_mentee_touches_only_their_own_list_when_no_damping_moves(
    skills: VocabularySkills,
) -> None:
    mentees = [person(learning_goals=()) for _ in range(5)]
    mentors = [mentor(capacity=5) for _ in range(3)]
    ranking = TeamRanking(mentees, mentors, TeamRules(), skills, top_n=3)
    ranking.rank_all()
    changed = dataclasses.replace(mentees[0], interests=frozenset({"zines"}))
    mentors_interested = dataclasses.replace(
        mentors[1].person, interests=changed.interests
    )
    ranking.update(None, {mentors[1].mentor_id: Mentor(mentors_interested, 5)})

    change = ranking.update({changed.person_id: changed})

    assert change.changed == {changed.person_id}
    assert ranking.lists[changed.person_id][0].mentor_id == mentors[1].mentor_id


def test_a_mentor_who_becomes_full_leaves_every_list(skills: VocabularySkills) -> None:
    mentees = [person() for _ in range(4)]
    busy = mentor(capacity=2)
    ranking = TeamRanking(mentees, [busy, mentor()], TeamRules(), skills, top_n=3)
    ranking.rank_all()

    change = ranking.update(None, {busy.mentor_id: Mentor(busy.person, 2, 2)})

    assert change.changed == {p.person_id for p in mentees}
    assert all(
        busy.mentor_id not in {c.mentor_id for c in cs} for cs in ranking.lists.values()
    )


def test_an_excluded_pair_leaves_only_that_mentees_list(
    skills: VocabularySkills,
) -> None:
    mentees = [person() for _ in range(3)]
    declined = mentor()
    ranking = TeamRanking(mentees, [declined], TeamRules(), skills, top_n=3)
    ranking.rank_all()

    ranking.exclude(declined.mentor_id, mentees[0].person_id)
    change = ranking.update({mentees[0].person_id: mentees[0]})

    assert change.changed == {mentees[0].person_id}
    assert ranking.lists[mentees[0].person_id] == []
    assert ranking.lists[mentees[1].person_id][0].mentor_id == declined.mentor_id


@pytest.mark.parametrize("depth", [0, 1, 3])
def test_shallow_deep_lists_still_give_the_lists_of_ranking_from_scratch(
    population: Population,
    skills: VocabularySkills,
    depth: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ranker, "DEPTH_BEYOND_SHOWN", depth)
    monkeypatch.setattr(ranker, "WITHDRAWN_BEFORE_REBUILD", 2)
    mentees, mentors = population.team(60, 25)
    ranking = TeamRanking(mentees, mentors, TeamRules(), skills, top_n=4)
    ranking.rank_all()
    now_mentees = {p.person_id: p for p in mentees}
    now_mentors = {m.mentor_id: m for m in mentors}
    chance = random.Random(depth)

    for _ in range(30):
        ranking.update(*_some_change(chance, population, now_mentees, now_mentors))
        fresh = TeamRanking(
            now_mentees.values(), now_mentors.values(), TeamRules(), skills, 4
        )
        fresh.rank_all()
        assert set(ranking.lists) == set(now_mentees)
        assert all(same(fresh.lists[e], ranking.lists[e]) for e in now_mentees)


def test_a_mentor_who_left_and_came_back_is_offered_again(
    skills: VocabularySkills,
) -> None:
    mentees = [person() for _ in range(3)]
    returning, other = mentor(capacity=5), mentor(capacity=5)
    ranking = TeamRanking(mentees, [returning, other], TeamRules(), skills, top_n=3)
    ranking.rank_all()

    ranking.update(None, {returning.mentor_id: None})
    assert all(
        returning.mentor_id not in {c.mentor_id for c in cs}
        for cs in ranking.lists.values()
    )
    change = ranking.update(None, {returning.mentor_id: returning})

    assert change.changed == {p.person_id for p in mentees}
    assert all(
        returning.mentor_id in {c.mentor_id for c in cs}
        for cs in ranking.lists.values()
    )


def test_the_plain_baseline_does_the_same_updates_to_the_same_lists(
    population: Population, skills: VocabularySkills
) -> None:
    mentees, mentors = population.team(50, 20)
    ranking = TeamRanking(mentees, mentors, TeamRules(), skills, top_n=5)
    ranking.rank_all()
    plain = baseline.PlainTeamRanking.taking_over(ranking)
    now_mentees = {p.person_id: p for p in mentees}
    now_mentors = {m.mentor_id: m for m in mentors}
    chance = random.Random(3)

    for _ in range(12):
        change = _some_change(chance, population, now_mentees, now_mentors)
        assert ranking.update(*change) == plain.update(*change)

    assert plain.mentee_ids == ranking.mentee_ids
    assert all(same(plain.lists[e], ranking.lists[e]) for e in ranking.mentee_ids)
