"""Skill tags: which canonical skills a resource teaches, each with its reason.

A tag comes from one of three places, and says which: the LIBER topic the
resource is listed under (through the curated phrases below), words of its
title or description that the vocabulary recognises, or a coordinator who
chose the skill. The vocabulary is passed in, so this module does no I/O.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

MAX_TAGS = 12
_MAX_TEXT_TAGS = 5
_PER_PHRASE = 2

# Each LIBER topic guide, as the phrases a librarian would use for what it
# teaches. Phrases rather than skill ids, so the mapping survives a rebuilt
# vocabulary; the vocabulary decides which canonical skills they stand for.
TOPIC_PHRASES: dict[str, tuple[str, ...]] = {
    "AI & Machine Learning in Libraries": (
        "text and data mining",
        "data analytics",
        "programming",
    ),
    "APIs: A starter guide for Librarians": ("programming", "XML"),
    "Automatic Text Recognition (OCR/HTR)": ("digitisation", "text mining"),
    "Collections as Data: Getting Started": (
        "text and data mining",
        "digital curation",
        "digital libraries",
    ),
    "Computer Vision": ("digital imaging", "data analytics"),
    "Copyright & Licensing: Current context and considerations for researchers "
    "and libraries using AI in research today": ("copyright", "data protection"),
    "Crowdsourcing and Citizen Science in Cultural Heritage": (
        "outreach",
        "interact with an audience",
    ),
    "Data Visualisation": ("data visualisation", "data analytics"),
    "Digital Mapping": ("geographic information systems", "ArcGIS"),
    "Getting Started in DS": ("scholarly communication", "data analytics"),
    "GitHub: How to navigate and contribute to Git-based projects": (
        "software development",
    ),
    "IIIF": ("digital libraries", "digital imaging", "metadata standards"),
    "Linked Open Data in Library Use Today": ("metadata", "ontologies"),
    "Open Research (Open Science)": (
        "research data management",
        "institutional repositories",
        "scholarly communication",
    ),
    "Programming for Librarians: Where to begin": ("programming", "SQL"),
    "Skills Competency Frameworks & Reports": (
        "staff development",
        "organisational learning",
    ),
    "Start your own local DS Training Programme": (
        "staff training",
        "teaching",
        "coordinate educational programmes",
    ),
    "Training Platforms": ("staff training", "learning management system"),
    "Useful Networks": ("confer with library colleagues",),
    "Working with Data": ("manage data", "data quality assessment", "data analytics"),
}


class VocabularySkill(Protocol):
    """What tagging reads of a canonical skill."""

    @property
    def id(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def synonyms(self) -> Sequence[str]: ...
    @property
    def category_label(self) -> str: ...


class SkillVocabulary(Protocol):
    """The part of ``carrel_vocabulary.Vocabulary`` that tagging needs."""

    def skill(self, skill_id: str) -> VocabularySkill | None: ...
    def normalise(self, text: str) -> Sequence[VocabularySkill]: ...


@dataclass(frozen=True)
class SkillTag:
    skill_id: str
    because: str

    def as_event(self) -> dict[str, str]:
        return {"skill_id": self.skill_id, "because": self.because}


def tags_for_entry(
    vocabulary: SkillVocabulary, *, topics: Iterable[str], title: str, text: str
) -> list[SkillTag]:
    """Tags of a central index entry: from its topics first, then its words."""
    tags = [tag for topic in topics for tag in _topic_tags(vocabulary, topic)]
    tags += _text_tags(vocabulary, title=title, text=text)
    return _distinct(tags)


def tags_for_material(
    vocabulary: SkillVocabulary, *, chosen: Iterable[str], title: str, text: str
) -> list[SkillTag]:
    """Tags of the team's material: the coordinator's choice, then its words.

    ``chosen`` must hold known skill ids; the caller checks that first.
    """
    tags = []
    for skill_id in chosen:
        skill = vocabulary.skill(skill_id)
        if skill is not None:
            tags.append(SkillTag(skill.id, f"chosen by the coordinator: {skill.label}"))
    tags += _text_tags(vocabulary, title=title, text=text)
    return _distinct(tags)


def _topic_tags(vocabulary: SkillVocabulary, topic: str) -> list[SkillTag]:
    tags = []
    for phrase in TOPIC_PHRASES.get(topic, ()):
        for skill in list(vocabulary.normalise(phrase))[:_PER_PHRASE]:
            because = f"topic '{_short(topic)}' maps to {_named(skill)} via '{phrase}'"
            tags.append(SkillTag(skill.id, because))
    return tags


def _text_tags(vocabulary: SkillVocabulary, *, title: str, text: str) -> list[SkillTag]:
    tags = []
    found = vocabulary.normalise(f"{title}. {text}".strip())
    for skill in list(found)[:_MAX_TEXT_TAGS]:
        tags.append(SkillTag(skill.id, _mention(skill, title=title, text=text)))
    return tags


def _mention(skill: VocabularySkill, *, title: str, text: str) -> str:
    for term in (skill.label, *skill.synonyms):
        if term and term.lower() in title.lower():
            return f"title mentions '{term}' ({_named(skill)})"
        if term and term.lower() in text.lower():
            return f"description mentions '{term}' ({_named(skill)})"
    return f"title and description resemble {_named(skill)}"


def _named(skill: VocabularySkill) -> str:
    if skill.category_label:
        return f"'{skill.label}' in {skill.category_label}"
    return f"'{skill.label}'"


def _short(topic: str) -> str:
    return topic.split(":")[0]


def _distinct(tags: Iterable[SkillTag]) -> list[SkillTag]:
    """The first reason for each skill, at most MAX_TAGS of them."""
    seen: dict[str, SkillTag] = {}
    for tag in tags:
        seen.setdefault(tag.skill_id, tag)
    return list(seen.values())[:MAX_TAGS]
