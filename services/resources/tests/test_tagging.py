from pathlib import Path

import pytest
from carrel_resources.adapters.liber import read_liber
from carrel_resources.domain.tagging import (
    MAX_TAGS,
    TOPIC_PHRASES,
    SkillVocabulary,
    tags_for_entry,
    tags_for_material,
)
from carrel_resources.settings import ResourcesSettings


def test_a_topic_tags_through_its_curated_phrases(vocabulary: SkillVocabulary) -> None:
    tags = tags_for_entry(
        vocabulary,
        topics=["Linked Open Data in Library Use Today"],
        title="Introduction to SPARQL",
        text="",
    )

    assert [t.skill_id for t in tags] == ["metadata"]
    assert "topic 'Linked Open Data in Library Use Today'" in tags[0].because
    assert "'Metadata' in Cataloguing" in tags[0].because


def test_words_of_the_title_tag_and_say_where_they_were_found(
    vocabulary: SkillVocabulary,
) -> None:
    tags = tags_for_entry(
        vocabulary,
        topics=[],
        title="Python for archivists",
        text="Covers copyright of scanned letters.",
    )

    reasons = {t.skill_id: t.because for t in tags}
    assert reasons["programming"].startswith("title mentions 'python'")
    assert reasons["copyright"].startswith("description mentions 'Copyright'")


def test_a_skill_is_tagged_once_with_its_first_reason(
    vocabulary: SkillVocabulary,
) -> None:
    tags = tags_for_entry(
        vocabulary,
        topics=["Programming for Librarians: Where to begin"],
        title="Programming with Python",
        text="",
    )

    assert [t.skill_id for t in tags] == ["programming"]
    assert tags[0].because.startswith("topic")


def test_a_coordinator_s_choice_comes_first(vocabulary: SkillVocabulary) -> None:
    tags = tags_for_material(
        vocabulary, chosen=["teaching"], title="Our metadata day", text=""
    )

    assert [t.skill_id for t in tags] == ["teaching", "metadata"]
    assert tags[0].because == "chosen by the coordinator: Instructing"


def test_every_liber_topic_has_curated_phrases() -> None:
    topics = {row.topic for row in read_liber(ResourcesSettings().data_dir)}

    assert topics == set(TOPIC_PHRASES)


def test_every_liber_row_gets_explained_tags_from_the_real_vocabulary() -> None:
    vocabulary_module = pytest.importorskip("carrel_vocabulary")
    data_dir: Path = ResourcesSettings().data_dir
    vocabulary = vocabulary_module.load_vocabulary(data_dir)

    for row in read_liber(data_dir):
        tags = tags_for_entry(
            vocabulary, topics=[row.topic], title=row.title, text=row.context
        )
        assert 1 <= len(tags) <= MAX_TAGS, row.source_id
        assert all(vocabulary.skill(t.skill_id) is not None for t in tags)
        assert all(t.because for t in tags)
