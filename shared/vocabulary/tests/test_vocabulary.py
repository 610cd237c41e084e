import re
import time
from pathlib import Path

import pytest
from carrel_vocabulary import Vocabulary, load_vocabulary
from carrel_vocabulary.categories import CATALOGUING, DIGITAL
from carrel_vocabulary.text import fold

DATA_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data"
SKILL_ID = re.compile(r"^[a-z0-9][a-z0-9._:-]{0,119}$")


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary(DATA_DIR)


def test_the_vocabulary_builds_from_the_data_in_well_under_a_second() -> None:
    load_vocabulary.cache_clear()
    started = time.perf_counter()

    vocabulary = load_vocabulary(DATA_DIR)

    assert time.perf_counter() - started < 1.0
    assert len(vocabulary.skills) > 250
    assert load_vocabulary(DATA_DIR) is vocabulary


def test_skill_ids_are_unique_stable_slugs(vocabulary: Vocabulary) -> None:
    ids = [skill.id for skill in vocabulary.skills]

    assert len(set(ids)) == len(ids)
    assert all(SKILL_ID.match(skill_id) for skill_id in ids)
    assert vocabulary.skill("esco.classify-library-materials") is not None
    assert vocabulary.skill("onet.knowledge.2-c-1-a") is not None


@pytest.mark.parametrize(
    "text", ["metadata", "cataloguing", "classify library materials"]
)
def test_a_librarians_words_land_in_cataloguing_and_metadata(
    vocabulary: Vocabulary, text: str
) -> None:
    found = vocabulary.normalise(text)

    assert found[0].category == CATALOGUING
    assert vocabulary.categories[CATALOGUING] == "Cataloguing & metadata"


def test_technologies_of_the_occupations_are_digital_skills(
    vocabulary: Vocabulary,
) -> None:
    voyager = vocabulary.search("Ex Libris Voyager", limit=1)[0].skill
    oclc = vocabulary.search("OCLC", limit=1)[0].skill

    assert voyager.label == "Ex Libris Group Voyager"
    assert oclc.id.startswith("onet.tech.")
    assert {voyager.category, oclc.category} == {DIGITAL}


def test_every_skill_has_a_known_category_with_its_label(
    vocabulary: Vocabulary,
) -> None:
    for skill in vocabulary.skills:
        assert vocabulary.categories[skill.category] == skill.category_label


def test_a_prefix_finds_a_skill_by_its_synonym(vocabulary: Vocabulary) -> None:
    match = vocabulary.search("meta")[0]

    assert match.matched == "metadata"
    assert match.skill.id == "esco.develop-information-standards"
    assert 0 < match.score <= 1


def test_an_exact_name_ranks_first_with_a_full_score(vocabulary: Vocabulary) -> None:
    match = vocabulary.search("digital curation")[0]

    assert match.skill.label == "digital curation"
    assert match.score == 1.0


def test_a_misspelt_query_still_finds_the_skill(vocabulary: Vocabulary) -> None:
    labels = [m.skill.label for m in vocabulary.search("clasify libary materials")]

    assert "classify library materials" in labels[:3]


def test_american_and_british_spellings_find_the_same_skill(
    vocabulary: Vocabulary,
) -> None:
    british = vocabulary.normalise("digitisation")
    american = vocabulary.normalise("digitization")

    assert british == american != []
    assert fold("Cataloging") == fold("cataloguing")


def test_a_paragraph_is_normalised_to_the_skills_it_mentions(
    vocabulary: Vocabulary,
) -> None:
    text = (
        "I have done copy cataloging in OCLC Connexion for years, and I write "
        "metadata for our digital collections. Next I want to learn grant writing."
    )

    ids = [skill.id for skill in vocabulary.normalise(text)]

    assert set(ids[:2]) == {
        "esco.classify-library-materials",
        "onet.tech.online-computer-library-center-oclc-databases",
    }
    assert "esco.develop-information-standards" in ids
    assert "esco.apply-for-library-funding" in ids


def test_a_text_about_nothing_in_the_vocabulary_yields_no_skills(
    vocabulary: Vocabulary,
) -> None:
    assert vocabulary.normalise("the weather was lovely on Tuesday afternoon") == []
    assert vocabulary.search("   ") == []


def test_job_titles_come_from_both_sources_without_duplicates(
    vocabulary: Vocabulary,
) -> None:
    titles = vocabulary.job_titles

    assert "Metadata Librarian" in titles
    assert "Thesaurus Manager" in titles
    assert len({fold(title) for title in titles}) == len(titles)
    assert vocabulary.job_title("metadata LIBRARIAN") == "Metadata Librarian"
    assert vocabulary.search_job_titles("catalog")[0].startswith("Catalog")
