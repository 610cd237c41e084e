from datetime import date
from uuid import uuid4

import pytest
from carrel_profile.application import ProfileApplication
from carrel_profile.domain.errors import (
    ProfileAlreadyExists,
    ProfileErasedError,
    VersionConflict,
)
from carrel_profile.domain.sections import Availability
from eventsourcing.application import AggregateNotFoundError

from .support import libraries, vocabulary


@pytest.fixture
def profiles() -> ProfileApplication:
    """The application on the in-memory event store."""
    return ProfileApplication(
        {"PERSISTENCE_MODULE": "eventsourcing.popo"},
        vocabulary(),
        libraries(),
        today=lambda: date(2026, 12, 4),
    )


def test_a_command_with_the_version_read_is_recorded(
    profiles: ProfileApplication,
) -> None:
    member = uuid4()
    profiles.create_profile(member, "Ada", uuid4())

    changed = profiles.update_interests(member, 1, ["maps", "zines"], uuid4())

    assert changed.version == 2
    assert profiles.profile(member).interests == ["maps", "zines"]


def test_a_command_with_a_stale_version_is_refused(
    profiles: ProfileApplication,
) -> None:
    member = uuid4()
    profiles.create_profile(member, "Ada", uuid4())
    profiles.update_interests(member, 1, ["maps"], uuid4())

    with pytest.raises(VersionConflict) as conflict:
        profiles.update_interests(member, 1, ["zines"], uuid4())

    assert conflict.value.actual == 2
    assert profiles.profile(member).interests == ["maps"]


def test_a_profile_is_created_once_per_member(profiles: ProfileApplication) -> None:
    member = uuid4()
    profiles.create_profile(member, "Ada", uuid4())

    with pytest.raises(ProfileAlreadyExists):
        profiles.create_profile(member, "Ada again", uuid4())


def test_an_unknown_profile_is_not_found(profiles: ProfileApplication) -> None:
    with pytest.raises(AggregateNotFoundError):
        profiles.profile(uuid4())


def test_the_application_dates_pauses_by_its_clock(
    profiles: ProfileApplication,
) -> None:
    member = uuid4()
    profiles.create_profile(member, "Ada", uuid4())
    pause = Availability(available=False, paused_until=date(2026, 12, 5))

    profile = profiles.change_availability(member, None, pause, uuid4())

    assert profile.availability.paused_until == date(2026, 12, 5)


def test_an_erased_profile_is_gone_for_reads_and_commands(
    profiles: ProfileApplication,
) -> None:
    member = uuid4()
    profiles.create_profile(member, "Ada", uuid4())

    profiles.erase_profile(member, None, uuid4())

    with pytest.raises(ProfileErasedError):
        profiles.profile(member)
    with pytest.raises(ProfileErasedError):
        profiles.update_interests(member, None, ["maps"], uuid4())
