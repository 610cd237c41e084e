"""A profile as its owner sees it, and as others see it."""

from typing import Any

from carrel_vocabulary import Skill, Vocabulary

from carrel_profile.domain.profile import Profile
from carrel_profile.domain.rules import ViewerScope, shows
from carrel_profile.entrypoints.bodies import (
    LearningGoalView,
    OwnerProfile,
    PublicProfile,
    SkillLevelView,
    SkillView,
)


def owner_view(profile: Profile, vocabulary: Vocabulary) -> OwnerProfile:
    return OwnerProfile(
        **_sections(profile, vocabulary),
        private_preferences=profile.private_preferences,
        visibility=profile.visibility,
    )


def public_view(
    profile: Profile, viewer: ViewerScope, vocabulary: Vocabulary
) -> PublicProfile:
    """Sections hidden from this viewer are null; private preferences never show."""
    sections = _sections(profile, vocabulary)
    for section, visibility in profile.visibility.items():
        if not shows(visibility, viewer):
            for name in _FIELDS_OF.get(section, (section,)):
                sections[name] = None
    return PublicProfile(**sections)


_FIELDS_OF = {"aspirations": ("target_roles", "known_titles")}


def _sections(profile: Profile, vocabulary: Vocabulary) -> dict[str, Any]:
    return {
        "id": profile.id,
        "version": profile.version,
        "display_name": profile.details.display_name,
        "details": profile.details,
        "skills": [
            SkillLevelView(
                skill_id=level.skill_id,
                label=_label(vocabulary.skill(level.skill_id), level.skill_id),
                category=_category(vocabulary.skill(level.skill_id)),
                proficiency=level.proficiency,
            )
            for level in profile.skills
        ],
        "interests": profile.interests,
        "learning_goals": [
            LearningGoalView(
                skill_id=skill_id,
                label=_label(vocabulary.skill(skill_id), skill_id),
                category=_category(vocabulary.skill(skill_id)),
            )
            for skill_id in profile.learning_goals
        ],
        "target_roles": profile.target_roles,
        "known_titles": profile.known_titles,
        "location": profile.location,
        "mentoring": profile.mentoring,
        "availability": profile.availability,
    }


def skill_view(skill: Skill) -> SkillView:
    return SkillView(
        id=skill.id,
        label=skill.label,
        synonyms=list(skill.synonyms),
        category=skill.category,
        category_label=skill.category_label,
        source=skill.source,
    )


def _label(skill: Skill | None, skill_id: str) -> str:
    """The skill's label; its id if a later vocabulary no longer has it."""
    return skill.label if skill else skill_id


def _category(skill: Skill | None) -> str:
    return skill.category if skill else ""
