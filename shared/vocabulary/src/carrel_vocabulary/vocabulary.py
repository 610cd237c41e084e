"""The skills vocabulary: canonical skills of library work, and job titles.

Built from the O*NET and ESCO extracts in the shared data folder. Each skill
keeps a stable id derived from its source (``onet.knowledge.2-c-1-a``,
``onet.tech.oclc``, ``esco.classify-library-materials``), so an id written
into an event today still names the same skill when the vocabulary is built
again from the same files.
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from carrel_vocabulary.categories import CATEGORIES, category_of
from carrel_vocabulary.sources import (
    SourceSkill,
    esco_skills,
    job_titles,
    onet_skills,
)
from carrel_vocabulary.synonyms import synonyms_of
from carrel_vocabulary.terms import Mention, TermIndex
from carrel_vocabulary.text import fold

_SMALL_WORDS = frozenset({"and", "of", "or", "the", "in", "for", "to", "with"})
_PHRASE_WORDS = 6
_PHRASE_MIN_SCORE = 0.6


@dataclass(frozen=True)
class Skill:
    """A canonical skill: stable id, label, other names and broader category."""

    id: str
    label: str
    synonyms: tuple[str, ...]
    category: str
    category_label: str
    source: Literal["onet", "esco"]


@dataclass(frozen=True)
class SkillMatch:
    """A skill found for a query; ``matched`` is the name that fitted."""

    skill: Skill
    score: float
    matched: str


class Vocabulary:
    """Canonical skills and job titles, indexed in memory for fast lookups."""

    def __init__(self, skills: tuple[Skill, ...], titles: tuple[str, ...]) -> None:
        self.skills = skills
        self.job_titles = titles
        self.categories = dict(CATEGORIES)
        self._by_id = {skill.id: skill for skill in skills}
        self._skill_names = TermIndex(
            (index, name)
            for index, skill in enumerate(skills)
            for name in (skill.label, *skill.synonyms)
        )
        self._title_names = TermIndex(enumerate(titles))
        self._title_by_fold = {fold(title): title for title in titles}

    def skill(self, skill_id: str) -> Skill | None:
        return self._by_id.get(skill_id)

    def search(self, text: str, limit: int = 10) -> list[SkillMatch]:
        """Skills whose label or synonym starts with, contains or resembles text."""
        hits = self._skill_names.search(text)[:limit]
        return [
            SkillMatch(self.skills[hit.term.key], round(hit.score, 3), hit.term.name)
            for hit in hits
        ]

    def normalise(self, text: str) -> list[Skill]:
        """The canonical skills that a phrase or a longer text mentions, best first."""
        mentions = self._skill_names.mentions(text)
        if mentions:
            return self._ranked(mentions)
        if len(text.split()) <= _PHRASE_WORDS:
            return [
                match.skill
                for match in self.search(text, limit=1)
                if match.score >= _PHRASE_MIN_SCORE
            ]
        return []

    def _ranked(self, mentions: list[Mention]) -> list[Skill]:
        score: dict[int, float] = defaultdict(float)
        first: dict[int, int] = {}
        for mention in mentions:
            key = mention.term.key
            score[key] = max(score[key], mention.score)
            first[key] = min(first.get(key, mention.start), mention.start)
        ordered = sorted(score, key=lambda key: (-score[key], first[key]))
        return [self.skills[key] for key in ordered]

    def search_job_titles(self, text: str, limit: int = 10) -> list[str]:
        """Job titles for a career-aspiration autocomplete, best first."""
        return [
            self.job_titles[hit.term.key] for hit in self._title_names.search(text)
        ][:limit]

    def job_title(self, text: str) -> str | None:
        """The known job title that ``text`` spells, however it is cased."""
        return self._title_by_fold.get(fold(text))


@lru_cache(maxsize=4)
def load_vocabulary(data_dir: Path) -> Vocabulary:
    """Build the vocabulary from the data folder once per process."""
    return Vocabulary(_skills(data_dir), _titles(data_dir))


def _skills(data_dir: Path) -> tuple[Skill, ...]:
    skills: dict[str, Skill] = {}
    labels: set[str] = set()
    names: set[str] = set()
    for found in (*onet_skills(data_dir), *esco_skills(data_dir)):
        if found.id in skills:
            continue
        label = _distinct_label(found, labels)
        synonyms = tuple(s for s in synonyms_of(found.label) if fold(s) not in names)
        names.update(fold(name) for name in (label, *synonyms))
        labels.add(fold(label))
        skills[found.id] = _skill(found, label, synonyms)
    return tuple(skills.values())


def _distinct_label(found: SourceSkill, labels: set[str]) -> str:
    """The label, told apart from an earlier skill of the same name.

    O*NET has "Mathematics" both as a skill and as a knowledge area.
    """
    if fold(found.label) not in labels:
        return found.label
    kind = found.id.split(".")[1] if found.source == "onet" else "ESCO"
    return f"{found.label} ({kind})"


def _skill(found: SourceSkill, label: str, synonyms: tuple[str, ...]) -> Skill:
    category = category_of(found.label, synonyms, technology=found.technology)
    return Skill(
        id=found.id,
        label=label,
        synonyms=synonyms,
        category=category,
        category_label=CATEGORIES[category],
        source=found.source,
    )


def _titles(data_dir: Path) -> tuple[str, ...]:
    titles: dict[str, str] = {}
    for title in job_titles(data_dir):
        titles.setdefault(fold(title), _title_case(title.strip()))
    return tuple(sorted(titles.values()))


def _title_case(title: str) -> str:
    """ESCO writes titles in lower case; show them as O*NET does."""
    if title != title.lower():
        return title
    return " ".join(
        word if word in _SMALL_WORDS else word[:1].upper() + word[1:]
        for word in title.split()
    )
