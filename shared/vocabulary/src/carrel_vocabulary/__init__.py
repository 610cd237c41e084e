"""The skills vocabulary of library work, shared by every Carrel service.

``load_vocabulary(data_dir)`` reads the O*NET and ESCO extracts once per
process and answers lookups in memory: a skill by id, an autocomplete search,
the canonical skills a free text mentions, and the job titles that career
aspirations draw from.
"""

from carrel_vocabulary.vocabulary import Skill, SkillMatch, Vocabulary, load_vocabulary

__all__ = ["Skill", "SkillMatch", "Vocabulary", "load_vocabulary"]
