"""The profile application: each command loads a profile, changes it, saves it.

Optimistic concurrency: a command may name the version its client read; if
the profile has moved on since, it raises :class:`VersionConflict` and records
nothing. Two commands that race past that check collide in the event store,
which raises eventsourcing's ``IntegrityError`` for the slower one; a command
without a version is then applied again (a few times) instead.
"""

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from uuid import UUID

from carrel_events.contracts.profile import ProfileSection, Visibility
from carrel_vocabulary import Vocabulary
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError
from eventsourcing.postgres import PostgresApplicationRecorder

from carrel_profile.domain.errors import (
    ProfileAlreadyExists,
    ProfileErasedError,
    VersionConflict,
)
from carrel_profile.domain.profile import Profile
from carrel_profile.domain.rules import LibraryBook
from carrel_profile.domain.sections import (
    Availability,
    Details,
    Location,
    Mentoring,
    PrivatePreferences,
    SkillLevel,
)

logger = logging.getLogger(__name__)

Change = Callable[[Profile], None]
# Saves of a command without a version, before a collision is the client's.
UNVERSIONED_ATTEMPTS = 3


class ProfileApplication(Application[UUID]):
    """The commands of the profile service, over its event store."""

    name = "Profiles"

    def __init__(
        self,
        env: Mapping[str, str] | None,
        vocabulary: Vocabulary,
        libraries: LibraryBook,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(env)
        self.vocabulary = vocabulary
        self.libraries = libraries
        self._today = today

    def create_profile(
        self, profile_id: UUID, display_name: str, correlation_id: UUID
    ) -> Profile:
        if self._exists(profile_id):
            raise ProfileAlreadyExists(profile_id)
        profile = Profile(
            id=profile_id, display_name=display_name, correlation_id=correlation_id
        )
        self.save(profile)
        logger.info("profile %s created (correlation %s)", profile_id, correlation_id)
        return profile

    def profile(self, profile_id: UUID) -> Profile:
        """The current profile; raises if it never existed or was erased."""
        profile: Profile = self.repository.get(profile_id)
        if profile.erased:
            raise ProfileErasedError(profile_id)
        return profile

    def update_details(
        self,
        profile_id: UUID,
        version: int | None,
        details: Details,
        correlation_id: UUID,
    ) -> Profile:
        return self._change(
            profile_id,
            version,
            lambda p: p.update_details(details, self.libraries, correlation_id),
        )

    def update_skills(
        self,
        profile_id: UUID,
        version: int | None,
        skills: Sequence[SkillLevel],
        correlation_id: UUID,
    ) -> Profile:
        return self._change(
            profile_id,
            version,
            lambda p: p.update_skills(skills, self.vocabulary, correlation_id),
        )

    def update_interests(
        self,
        profile_id: UUID,
        version: int | None,
        interests: Sequence[str],
        correlation_id: UUID,
    ) -> Profile:
        return self._change(
            profile_id, version, lambda p: p.update_interests(interests, correlation_id)
        )

    def update_learning_goals(
        self,
        profile_id: UUID,
        version: int | None,
        skill_ids: Sequence[str],
        correlation_id: UUID,
    ) -> Profile:
        return self._change(
            profile_id,
            version,
            lambda p: p.update_learning_goals(
                skill_ids, self.vocabulary, correlation_id
            ),
        )

    def update_aspirations(
        self,
        profile_id: UUID,
        version: int | None,
        roles: Sequence[str],
        correlation_id: UUID,
    ) -> Profile:
        return self._change(
            profile_id,
            version,
            lambda p: p.update_aspirations(roles, self.vocabulary, correlation_id),
        )

    def change_location(
        self,
        profile_id: UUID,
        version: int | None,
        place: Location,
        correlation_id: UUID,
    ) -> Profile:
        return self._change(
            profile_id, version, lambda p: p.change_location(place, correlation_id)
        )

    def change_mentoring_preferences(
        self,
        profile_id: UUID,
        version: int | None,
        preferences: Mentoring,
        correlation_id: UUID,
    ) -> Profile:
        return self._change(
            profile_id,
            version,
            lambda p: p.change_mentoring_preferences(preferences, correlation_id),
        )

    def change_private_preferences(
        self,
        profile_id: UUID,
        version: int | None,
        preferences: PrivatePreferences,
        correlation_id: UUID,
    ) -> Profile:
        return self._change(
            profile_id,
            version,
            lambda p: p.change_private_preferences(preferences, correlation_id),
        )

    def change_availability(
        self,
        profile_id: UUID,
        version: int | None,
        status: Availability,
        correlation_id: UUID,
    ) -> Profile:
        today = self._today()
        return self._change(
            profile_id,
            version,
            lambda p: p.change_availability(status, today, correlation_id),
        )

    def change_visibility(
        self,
        profile_id: UUID,
        version: int | None,
        sections: dict[ProfileSection, Visibility],
        correlation_id: UUID,
    ) -> Profile:
        return self._change(
            profile_id, version, lambda p: p.change_visibility(sections, correlation_id)
        )

    def erase_profile(
        self, profile_id: UUID, version: int | None, correlation_id: UUID
    ) -> None:
        self._change(profile_id, version, lambda p: p.erase(correlation_id))
        logger.info("profile %s erased (correlation %s)", profile_id, correlation_id)

    def _change(self, profile_id: UUID, version: int | None, change: Change) -> Profile:
        # A command that names no version asks for no optimistic check: if its
        # save collides with another one of the same profile, it is applied
        # again to the profile as that save left it. One that names a version
        # gets the collision as a conflict.
        attempts = 1 if version is not None else UNVERSIONED_ATTEMPTS
        for attempt in range(1, attempts + 1):
            profile = self.profile(profile_id)
            if version is not None and version != profile.version:
                raise VersionConflict(profile_id, version, profile.version)
            change(profile)
            try:
                self.save(profile)
            except IntegrityError:
                if attempt == attempts:
                    raise
                logger.info("profile %s: save collided, applying again", profile_id)
                continue
            return profile
        raise AssertionError("unreachable: the last attempt returns or raises")

    def check_event_store(self) -> None:
        """Raise unless the event store answers a trivial query."""
        recorder = self.recorder
        if isinstance(recorder, PostgresApplicationRecorder):
            with recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute("SELECT 1")

    def _exists(self, profile_id: UUID) -> bool:
        try:
            self.repository.get(profile_id)
        except AggregateNotFoundError:
            return False
        return True
