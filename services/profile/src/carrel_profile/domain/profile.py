"""The Profile aggregate: one member's description of themself.

Each public method is a command on one section: it checks the section's rules
and then records one event (named in ``@event``) whose attributes carry the
section's whole new state as plain JSON values. The event methods only apply
what was decided, so replaying them rebuilds the profile without checks.

Every event carries the ``correlation_id`` of the request that caused it; the
relay copies it into the envelope.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from carrel_events.contracts.profile import (
    PROFILE_SECTIONS,
    Degree,
    Institution,
    ProfileSection,
    Visibility,
)
from eventsourcing.domain import Aggregate, event

from carrel_profile.domain import rules
from carrel_profile.domain.errors import ProfileErasedError
from carrel_profile.domain.sections import (
    Availability,
    Details,
    Location,
    Mentoring,
    PrivatePreferences,
    SkillLevel,
)

DEFAULT_VISIBILITY: Visibility = "team"

JSON = dict[str, Any]


class Profile(Aggregate):
    """Who a member is, what they know and what they want to grow."""

    @event("ProfileCreated")
    def __init__(self, id: UUID, display_name: str, correlation_id: UUID) -> None:
        """The profile's id is its owner's member id."""
        self._forget_everything()
        self.details = Details(display_name=display_name)

    def _forget_everything(self) -> None:
        self.erased = False
        self.details = Details(display_name="(erased)")
        self.skills: list[SkillLevel] = []
        self.interests: list[str] = []
        self.learning_goals: list[str] = []
        self.target_roles: list[str] = []
        self.known_titles: list[str] = []
        self.location = Location()
        self.mentoring = Mentoring()
        self.private_preferences = PrivatePreferences()
        self.availability = Availability()
        self.visibility: dict[ProfileSection, Visibility] = dict.fromkeys(
            PROFILE_SECTIONS, DEFAULT_VISIBILITY
        )

    # Commands, one per section.

    def update_details(
        self, details: Details, libraries: rules.LibraryBook, correlation_id: UUID
    ) -> None:
        self._refuse_if_erased()
        library_id = details.institution.library_id if details.institution else None
        rules.enforce(
            [
                *rules.library(library_id, libraries),
                *rules.distinct(list(details.languages), "languages"),
            ]
        )
        self._details_updated(
            display_name=details.display_name,
            headline=details.headline,
            current_role=details.current_role,
            institution=_institution(details.institution, libraries),
            years_of_experience=details.years_of_experience,
            degrees=[degree.model_dump() for degree in details.degrees],
            has_library_degree=details.has_library_degree,
            languages=list(details.languages),
            correlation_id=correlation_id,
        )

    def update_skills(
        self,
        skills: Sequence[SkillLevel],
        vocabulary: rules.SkillBook,
        correlation_id: UUID,
    ) -> None:
        self._refuse_if_erased()
        rules.enforce(rules.skill_levels(skills, vocabulary))
        self._skills_updated(
            skills=[level.model_dump() for level in skills],
            correlation_id=correlation_id,
        )

    def update_interests(self, interests: Sequence[str], correlation_id: UUID) -> None:
        self._refuse_if_erased()
        rules.enforce(rules.distinct(interests, "interests"))
        self._interests_updated(
            interests=list(interests), correlation_id=correlation_id
        )

    def update_learning_goals(
        self,
        skill_ids: Sequence[str],
        vocabulary: rules.SkillBook,
        correlation_id: UUID,
    ) -> None:
        self._refuse_if_erased()
        rules.enforce(rules.known_skills(skill_ids, vocabulary, "skill_ids"))
        self._learning_goals_updated(
            skill_ids=list(skill_ids), correlation_id=correlation_id
        )

    def update_aspirations(
        self, target_roles: Sequence[str], titles: rules.JobTitles, correlation_id: UUID
    ) -> None:
        """Known job titles take the vocabulary's spelling; others stay as written.

        The O*NET and ESCO titles lack common goals such as "Library Director",
        so a title outside them is accepted rather than refused; the event
        names the known ones in ``known_titles``, so matching and the directory
        can tell a title of the occupations from one the member made up.
        """
        self._refuse_if_erased()
        known = [titles.job_title(role) for role in target_roles]
        roles = [title or role for title, role in zip(known, target_roles, strict=True)]
        rules.enforce(rules.distinct(roles, "target_roles"))
        self._aspirations_updated(
            target_roles=roles,
            known_titles=[title for title in known if title is not None],
            correlation_id=correlation_id,
        )

    def change_location(self, place: Location, correlation_id: UUID) -> None:
        self._refuse_if_erased()
        rules.enforce(rules.location(place))
        self._location_changed(**place.model_dump(), correlation_id=correlation_id)

    def change_mentoring_preferences(
        self, preferences: Mentoring, correlation_id: UUID
    ) -> None:
        self._refuse_if_erased()
        rules.enforce(rules.mentoring(preferences))
        self._mentoring_preferences_changed(
            **preferences.model_dump(), correlation_id=correlation_id
        )

    def change_private_preferences(
        self, preferences: PrivatePreferences, correlation_id: UUID
    ) -> None:
        self._refuse_if_erased()
        rules.enforce(rules.distinct(preferences.identities, "identities"))
        self._private_preferences_changed(
            **preferences.model_dump(), correlation_id=correlation_id
        )

    def change_availability(
        self, status: Availability, today: date, correlation_id: UUID
    ) -> None:
        self._refuse_if_erased()
        rules.enforce(rules.availability(status, today))
        paused_until = status.paused_until.isoformat() if status.paused_until else None
        self._availability_changed(
            available=status.available,
            paused_until=paused_until,
            correlation_id=correlation_id,
        )

    def change_visibility(
        self, sections: dict[ProfileSection, Visibility], correlation_id: UUID
    ) -> None:
        """Change the visibility of the sections given; the others keep theirs."""
        self._refuse_if_erased()
        self._visibility_changed(
            sections={**self.visibility, **sections}, correlation_id=correlation_id
        )

    def erase(self, correlation_id: UUID) -> None:
        self._refuse_if_erased()
        self._profile_erased(correlation_id=correlation_id)

    def _refuse_if_erased(self) -> None:
        if self.erased:
            raise ProfileErasedError(self.id)

    # Events: what was decided, applied without checks.

    @event("DetailsUpdated")
    def _details_updated(
        self,
        display_name: str,
        headline: str,
        current_role: str,
        institution: JSON | None,
        years_of_experience: int | None,
        degrees: list[JSON],
        has_library_degree: bool,
        languages: list[str],
        correlation_id: UUID,
    ) -> None:
        self.details = Details(
            display_name=display_name,
            headline=headline,
            current_role=current_role,
            institution=Institution(**institution) if institution else None,
            years_of_experience=years_of_experience,
            degrees=[Degree(**degree) for degree in degrees],
            languages=languages,
        )

    @event("SkillsUpdated")
    def _skills_updated(self, skills: list[JSON], correlation_id: UUID) -> None:
        self.skills = [SkillLevel(**level) for level in skills]

    @event("InterestsUpdated")
    def _interests_updated(self, interests: list[str], correlation_id: UUID) -> None:
        self.interests = interests

    @event("LearningGoalsUpdated")
    def _learning_goals_updated(
        self, skill_ids: list[str], correlation_id: UUID
    ) -> None:
        self.learning_goals = skill_ids

    @event("AspirationsUpdated")
    def _aspirations_updated(
        self,
        target_roles: list[str],
        correlation_id: UUID,
        known_titles: list[str] | None = None,
    ) -> None:
        # Events recorded before known_titles existed carry none.
        self.target_roles = target_roles
        self.known_titles = known_titles or []

    @event("LocationChanged")
    def _location_changed(
        self,
        city: str,
        region: str,
        country: str,
        latitude: float | None,
        longitude: float | None,
        time_zone: str,
        correlation_id: UUID,
    ) -> None:
        self.location = Location(
            city=city,
            region=region,
            country=country,
            latitude=latitude,
            longitude=longitude,
            time_zone=time_zone,
        )

    @event("MentoringPreferencesChanged")
    def _mentoring_preferences_changed(
        self,
        roles: list[str],
        mentor_capacity: int,
        meeting_preference: str,
        place_weight: float,
        correlation_id: UUID,
    ) -> None:
        self.mentoring = Mentoring.model_validate(
            {
                "roles": roles,
                "mentor_capacity": mentor_capacity,
                "meeting_preference": meeting_preference,
                "place_weight": place_weight,
            }
        )

    @event("PrivatePreferencesChanged")
    def _private_preferences_changed(
        self,
        identities: list[str],
        wants_shared_identity: bool,
        avoid_own_institution: bool,
        note: str,
        correlation_id: UUID,
    ) -> None:
        self.private_preferences = PrivatePreferences(
            identities=identities,
            wants_shared_identity=wants_shared_identity,
            avoid_own_institution=avoid_own_institution,
            note=note,
        )

    @event("AvailabilityChanged")
    def _availability_changed(
        self, available: bool, paused_until: str | None, correlation_id: UUID
    ) -> None:
        until = date.fromisoformat(paused_until) if paused_until else None
        self.availability = Availability(available=available, paused_until=until)

    @event("VisibilityChanged")
    def _visibility_changed(
        self, sections: dict[ProfileSection, Visibility], correlation_id: UUID
    ) -> None:
        self.visibility = dict(sections)

    @event("ProfileErased")
    def _profile_erased(self, correlation_id: UUID) -> None:
        self._forget_everything()
        self.erased = True


def _institution(
    institution: Institution | None, libraries: rules.LibraryBook
) -> JSON | None:
    """The institution as recorded: a known library under its survey name."""
    if institution is None:
        return None
    known = institution.library_id and libraries.library_name(institution.library_id)
    name = known or institution.name
    return {"name": name, "library_id": institution.library_id}
