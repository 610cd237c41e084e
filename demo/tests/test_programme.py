import os
from pathlib import Path

import pytest
from carrel_demo.programme import consortium_libraries, participants
from carrel_vocabulary import Vocabulary, load_vocabulary

DATA = Path(
    os.environ.get("CARREL_DATA_DIR", Path(__file__).parents[3] / "shared" / "data")
)


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary(DATA)


def test_the_consortium_is_a_states_cooperative_headquarters_first() -> None:
    libraries = consortium_libraries(DATA, "RI")

    assert len(libraries) == 48
    assert libraries[0].headquarters
    assert not any(lib.headquarters for lib in libraries[1:])
    assert all(lib.state == "RI" and 41 < lib.latitude < 42.1 for lib in libraries)


def test_the_same_seed_draws_the_same_people(vocabulary: Vocabulary) -> None:
    libraries = consortium_libraries(DATA, "RI")

    first = participants(vocabulary, libraries, 50, seed=3)
    again = participants(vocabulary, libraries, 50, seed=3)
    other = participants(vocabulary, libraries, 50, seed=4)

    assert first == again
    assert first != other


def test_people_mix_mentors_and_mentees_with_real_skills(
    vocabulary: Vocabulary,
) -> None:
    people = participants(vocabulary, consortium_libraries(DATA, "RI"), 2000)
    mentors = [p for p in people if p.is_mentor]
    mentees = [p for p in people if not p.is_mentor]

    assert 0.25 < len(mentors) / len(people) < 0.45
    assert len({p.email for p in people}) == len(people)
    assert all(m.mentor_capacity >= 1 and m.skills for m in mentors)
    assert all(2 <= len(m.learning_goals) <= 4 for m in mentees)
    every_skill = {s for p in people for s, _ in p.skills} | {
        g for p in mentees for g in p.learning_goals
    }
    assert all(vocabulary.skill(skill_id) for skill_id in every_skill)
    assert all(a in vocabulary.job_titles for m in mentees for a in m.aspirations)
