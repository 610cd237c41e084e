"""The skills vocabulary as the scorer sees it: ids, categories, labels."""

from carrel_vocabulary import Vocabulary


class VocabularySkills:
    """A :class:`~carrel_matching.domain.people.SkillCatalogue` on the vocabulary."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._vocabulary = vocabulary
        self._category = {s.id: s.category for s in vocabulary.skills}
        self._label = {s.id: s.label for s in vocabulary.skills}
        self._ids = tuple(s.id for s in vocabulary.skills)
        self._categories = tuple(vocabulary.categories)

    def category(self, skill_id: str) -> str | None:
        return self._category.get(skill_id)

    def label(self, skill_id: str) -> str:
        return self._label.get(skill_id, skill_id)

    def category_label(self, category: str) -> str:
        return self._vocabulary.categories.get(category, category)

    def skill_ids(self) -> tuple[str, ...]:
        return self._ids

    def categories(self) -> tuple[str, ...]:
        return self._categories
