"""Routes of the Profile aggregate: create, read, one command per section, erase."""

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, HTTPException, Query, Response, status

from carrel_profile.domain.rules import ViewerScope
from carrel_profile.domain.sections import (
    Availability,
    Details,
    Location,
    Mentoring,
    PrivatePreferences,
)
from carrel_profile.entrypoints.bodies import (
    AspirationsUpdate,
    AvailabilityUpdate,
    DetailsUpdate,
    ExpectedVersion,
    InterestsUpdate,
    LearningGoalsUpdate,
    LocationUpdate,
    MentoringUpdate,
    OwnerProfile,
    PrivatePreferencesUpdate,
    ProfileCreate,
    PublicProfile,
    SkillsUpdate,
    VisibilityUpdate,
)
from carrel_profile.entrypoints.dependencies import (
    CorrelationId,
    Member,
    OwnedProfileId,
    Profiles,
)
from carrel_profile.entrypoints.views import owner_view, public_view

router = APIRouter(prefix="/api/v1/profiles", tags=["profiles"])


@router.post("", status_code=status.HTTP_201_CREATED)
def create_profile(
    body: ProfileCreate,
    profiles: Profiles,
    member: Member,
    correlation_id: CorrelationId,
    response: Response,
) -> OwnerProfile:
    """Create a profile; its id is the owner's member id."""
    profile_id = body.id or member or uuid4()
    if member is not None and profile_id != member:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "a member creates only their own"
        )
    profile = profiles.create_profile(profile_id, body.display_name, correlation_id)
    response.headers["Location"] = f"{router.prefix}/{profile_id}"
    return owner_view(profile, profiles.vocabulary)


@router.get("/{profile_id}")
def read_profile(profile_id: OwnedProfileId, profiles: Profiles) -> OwnerProfile:
    """The whole profile for its owner, with its version and visibility."""
    return owner_view(profiles.profile(profile_id), profiles.vocabulary)


@router.get("/{profile_id}/public")
def read_public_profile(
    profile_id: UUID,
    profiles: Profiles,
    viewer_scope: Annotated[ViewerScope, Query()] = "team",
) -> PublicProfile:
    """The profile as a viewer of this scope sees it; private parts left out."""
    profile = profiles.profile(profile_id)
    return public_view(profile, viewer_scope, profiles.vocabulary)


@router.put("/{profile_id}/details")
def update_details(
    profile_id: OwnedProfileId,
    body: DetailsUpdate,
    profiles: Profiles,
    correlation_id: CorrelationId,
) -> OwnerProfile:
    """Replace name, headline, role, institution, experience, degrees, languages."""
    profile = profiles.update_details(
        profile_id, body.expected_version, body.section(Details), correlation_id
    )
    return owner_view(profile, profiles.vocabulary)


@router.put("/{profile_id}/skills")
def update_skills(
    profile_id: OwnedProfileId,
    body: SkillsUpdate,
    profiles: Profiles,
    correlation_id: CorrelationId,
) -> OwnerProfile:
    """Replace the skills, each a vocabulary id with a proficiency from 1 to 5."""
    profile = profiles.update_skills(
        profile_id, body.expected_version, body.skills, correlation_id
    )
    return owner_view(profile, profiles.vocabulary)


@router.put("/{profile_id}/interests")
def update_interests(
    profile_id: OwnedProfileId,
    body: InterestsUpdate,
    profiles: Profiles,
    correlation_id: CorrelationId,
) -> OwnerProfile:
    """Replace the topics the person is interested in."""
    profile = profiles.update_interests(
        profile_id, body.expected_version, body.interests, correlation_id
    )
    return owner_view(profile, profiles.vocabulary)


@router.put("/{profile_id}/learning-goals")
def update_learning_goals(
    profile_id: OwnedProfileId,
    body: LearningGoalsUpdate,
    profiles: Profiles,
    correlation_id: CorrelationId,
) -> OwnerProfile:
    """Replace the skills the person wants to grow."""
    profile = profiles.update_learning_goals(
        profile_id, body.expected_version, body.skill_ids, correlation_id
    )
    return owner_view(profile, profiles.vocabulary)


@router.put("/{profile_id}/aspirations")
def update_aspirations(
    profile_id: OwnedProfileId,
    body: AspirationsUpdate,
    profiles: Profiles,
    correlation_id: CorrelationId,
) -> OwnerProfile:
    """Replace the roles the person aims for.

    Job titles of the occupations take the vocabulary's spelling and are
    listed in ``known_titles``; other titles are kept as written.
    """
    profile = profiles.update_aspirations(
        profile_id, body.expected_version, body.target_roles, correlation_id
    )
    return owner_view(profile, profiles.vocabulary)


@router.put("/{profile_id}/location")
def change_location(
    profile_id: OwnedProfileId,
    body: LocationUpdate,
    profiles: Profiles,
    correlation_id: CorrelationId,
) -> OwnerProfile:
    """Replace city, region, country, coordinates and time zone."""
    profile = profiles.change_location(
        profile_id, body.expected_version, body.section(Location), correlation_id
    )
    return owner_view(profile, profiles.vocabulary)


@router.put("/{profile_id}/mentoring")
def change_mentoring_preferences(
    profile_id: OwnedProfileId,
    body: MentoringUpdate,
    profiles: Profiles,
    correlation_id: CorrelationId,
) -> OwnerProfile:
    """Replace mentoring roles, capacity, meeting preference and place weight."""
    profile = profiles.change_mentoring_preferences(
        profile_id, body.expected_version, body.section(Mentoring), correlation_id
    )
    return owner_view(profile, profiles.vocabulary)


@router.put("/{profile_id}/private-preferences")
def change_private_preferences(
    profile_id: OwnedProfileId,
    body: PrivatePreferencesUpdate,
    profiles: Profiles,
    correlation_id: CorrelationId,
) -> OwnerProfile:
    """Replace the private matching preferences; they never show to others."""
    profile = profiles.change_private_preferences(
        profile_id,
        body.expected_version,
        body.section(PrivatePreferences),
        correlation_id,
    )
    return owner_view(profile, profiles.vocabulary)


@router.put("/{profile_id}/availability")
def change_availability(
    profile_id: OwnedProfileId,
    body: AvailabilityUpdate,
    profiles: Profiles,
    correlation_id: CorrelationId,
) -> OwnerProfile:
    """Open for mentoring, or paused (until a date, or until further notice)."""
    profile = profiles.change_availability(
        profile_id, body.expected_version, body.section(Availability), correlation_id
    )
    return owner_view(profile, profiles.vocabulary)


@router.put("/{profile_id}/visibility")
def change_visibility(
    profile_id: OwnedProfileId,
    body: VisibilityUpdate,
    profiles: Profiles,
    correlation_id: CorrelationId,
) -> OwnerProfile:
    """Change who may see the sections given: team, consortium or private."""
    profile = profiles.change_visibility(
        profile_id, body.expected_version, body.sections, correlation_id
    )
    return owner_view(profile, profiles.vocabulary)


@router.delete("/{profile_id}", status_code=status.HTTP_204_NO_CONTENT)
def erase_profile(
    profile_id: OwnedProfileId,
    profiles: Profiles,
    correlation_id: CorrelationId,
    expected_version: Annotated[ExpectedVersion, Query()] = None,
) -> None:
    """Erase the profile: read models drop the person; no command is taken after."""
    profiles.erase_profile(profile_id, expected_version, correlation_id)
