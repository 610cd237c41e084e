"""Routes that look things up for a profile form: skills, job titles, libraries."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from carrel_profile.entrypoints.bodies import (
    CategoryView,
    LibraryView,
    NormaliseRequest,
    SkillMatchView,
    SkillView,
)
from carrel_profile.entrypoints.dependencies import Libraries, Profiles
from carrel_profile.entrypoints.views import skill_view

router = APIRouter(prefix="/api/v1", tags=["vocabulary"])

SearchText = Annotated[str, Query(min_length=1, max_length=100)]
Limit = Annotated[int, Query(ge=1, le=50)]


@router.get("/skills")
def search_skills(
    q: SearchText, profiles: Profiles, limit: Limit = 10
) -> list[SkillMatchView]:
    """Skills whose name starts with, contains or resembles the text, best first."""
    return [
        SkillMatchView(skill=skill_view(m.skill), score=m.score, matched=m.matched)
        for m in profiles.vocabulary.search(q, limit)
    ]


@router.post("/skills/normalise")
def normalise_skills(body: NormaliseRequest, profiles: Profiles) -> list[SkillView]:
    """The canonical skills that a phrase or a longer text mentions, best first."""
    return [skill_view(skill) for skill in profiles.vocabulary.normalise(body.text)]


@router.get("/skills/{skill_id}")
def read_skill(skill_id: str, profiles: Profiles) -> SkillView:
    """One skill of the vocabulary."""
    skill = profiles.vocabulary.skill(skill_id)
    if skill is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no skill {skill_id!r}")
    return skill_view(skill)


@router.get("/skill-categories")
def list_skill_categories(profiles: Profiles) -> list[CategoryView]:
    """The broader categories that skills belong to."""
    categories = profiles.vocabulary.categories
    return [CategoryView(id=key, label=label) for key, label in categories.items()]


@router.get("/job-titles")
def search_job_titles(
    q: SearchText, profiles: Profiles, limit: Limit = 10
) -> list[str]:
    """Job titles of library occupations for career aspirations, best first."""
    return profiles.vocabulary.search_job_titles(q, limit)


@router.get("/institutions")
def search_institutions(
    q: SearchText,
    libraries: Libraries,
    state: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    limit: Limit = 10,
) -> list[LibraryView]:
    """US public library systems whose name starts with the text (IMLS survey)."""
    return [
        LibraryView(
            id=library.id,
            name=library.name,
            city=library.city,
            state=library.state,
            latitude=library.latitude,
            longitude=library.longitude,
        )
        for library in libraries.search(q, state, limit)
    ]
