from datetime import date
from uuid import UUID, uuid4

import pytest
from carrel_events import CATALOGUE, Envelope
from carrel_events.contracts.profile import Degree, Institution
from carrel_events.relay import EnvelopeFactory
from carrel_profile.domain.errors import ProfileErasedError, RulesBroken
from carrel_profile.domain.profile import Profile
from carrel_profile.domain.sections import (
    Availability,
    Details,
    Location,
    Mentoring,
    PrivatePreferences,
    SkillLevel,
)
from eventsourcing.application import Application

from .support import ANCHORAGE, CATALOGUING, METADATA, libraries, vocabulary

TODAY = date(2026, 12, 4)


def new_profile() -> Profile:
    return Profile(id=uuid4(), display_name="Ada Okafor", correlation_id=uuid4())


def envelopes(profile: Profile) -> list[Envelope]:
    factory = EnvelopeFactory()
    found = [factory(event) for event in profile.collect_events()]
    return [envelope for envelope in found if envelope is not None]


def broken(error: pytest.ExceptionInfo[RulesBroken]) -> list[tuple[object, str]]:
    return [(v.loc, v.type) for v in error.value.violations]


def test_a_new_profile_is_created_under_its_owners_member_id() -> None:
    member, correlation = uuid4(), uuid4()

    profile = Profile(id=member, display_name="Ada", correlation_id=correlation)

    (created,) = envelopes(profile)
    assert created.event_type == "ProfileCreated"
    assert created.aggregate_id == member
    assert created.payload == {"display_name": "Ada"}
    assert created.correlation_id == correlation


def test_skills_from_the_vocabulary_are_recorded_with_their_proficiency() -> None:
    profile = new_profile()

    profile.update_skills(
        [SkillLevel(skill_id=CATALOGUING, proficiency=5)], vocabulary(), uuid4()
    )

    assert profile.skills == [SkillLevel(skill_id=CATALOGUING, proficiency=5)]
    assert envelopes(profile)[-1].payload == {
        "skills": [{"skill_id": CATALOGUING, "proficiency": 5}]
    }


def test_an_unknown_or_repeated_skill_is_refused_and_nothing_is_recorded() -> None:
    profile = new_profile()
    levels = [
        SkillLevel(skill_id="esco.juggling", proficiency=3),
        SkillLevel(skill_id=METADATA, proficiency=2),
        SkillLevel(skill_id=METADATA, proficiency=4),
    ]

    with pytest.raises(RulesBroken) as error:
        profile.update_skills(levels, vocabulary(), uuid4())

    assert broken(error) == [
        (("skills", 0, "skill_id"), "unknown_skill"),
        (("skills", 2, "skill_id"), "duplicate"),
    ]
    assert profile.version == 1
    assert [e.event_type for e in envelopes(profile)] == ["ProfileCreated"]


def test_learning_goals_must_be_skills_of_the_vocabulary() -> None:
    profile = new_profile()

    with pytest.raises(RulesBroken) as error:
        profile.update_learning_goals(
            [METADATA, "onet.tech.abacus"], vocabulary(), uuid4()
        )

    assert broken(error) == [(("skill_ids", 1), "unknown_skill")]


def test_a_known_library_is_recorded_under_its_survey_name() -> None:
    profile = new_profile()
    details = Details(
        display_name="Ada Okafor",
        institution=Institution(name="Anchorage library", library_id=ANCHORAGE),
        degrees=[Degree(name="MLIS", library_degree=True)],
        languages=["en", "yo"],
    )

    profile.update_details(details, libraries(), uuid4())

    payload = envelopes(profile)[-1].payload
    assert payload["institution"] == {
        "name": "ANCHORAGE PUBLIC LIBRARY",
        "library_id": ANCHORAGE,
    }
    assert payload["has_library_degree"] is True


def test_an_unknown_library_is_refused() -> None:
    profile = new_profile()
    details = Details(
        display_name="Ada",
        institution=Institution(name="Nowhere", library_id="ZZ:NOPE"),
    )

    with pytest.raises(RulesBroken) as error:
        profile.update_details(details, libraries(), uuid4())

    assert broken(error) == [(("institution", "library_id"), "unknown_library")]


def test_a_career_aspiration_takes_the_vocabularys_spelling_of_a_known_title() -> None:
    profile = new_profile()

    profile.update_aspirations(
        ["metadata librarian", "Library Director"], vocabulary(), uuid4()
    )

    assert profile.target_roles == ["Metadata Librarian", "Library Director"]


def test_a_free_title_is_kept_and_the_event_names_only_the_known_ones() -> None:
    profile = new_profile()
    profile.collect_events()

    profile.update_aspirations(
        ["Chief Wizard", "metadata librarian"], vocabulary(), uuid4()
    )

    assert profile.target_roles == ["Chief Wizard", "Metadata Librarian"]
    assert profile.known_titles == ["Metadata Librarian"]
    (envelope,) = envelopes(profile)
    assert envelope.payload["known_titles"] == ["Metadata Librarian"]


def test_an_aspirations_event_from_before_known_titles_still_replays() -> None:
    profile = new_profile()
    profile.update_aspirations(["Archivist"], vocabulary(), uuid4())
    created, updated = profile.collect_events()
    old = object.__new__(type(updated))
    state = {k: v for k, v in vars(updated).items() if k != "known_titles"}
    object.__setattr__(old, "__dict__", state)

    replayed = old.mutate(created.mutate(None))

    assert isinstance(replayed, Profile)
    assert replayed.target_roles == ["Archivist"] and replayed.known_titles == []


def test_coordinates_come_in_pairs_and_time_zones_must_exist() -> None:
    profile = new_profile()
    place = Location(city="Juneau", latitude=58.3, time_zone="Alaska/Juneau")

    with pytest.raises(RulesBroken) as error:
        profile.change_location(place, uuid4())

    assert broken(error) == [
        (("longitude",), "coordinates_pair"),
        (("time_zone",), "unknown_time_zone"),
    ]


def test_only_a_mentor_takes_mentees_and_a_mentor_takes_at_least_one() -> None:
    profile = new_profile()

    with pytest.raises(RulesBroken) as as_mentee:
        profile.change_mentoring_preferences(
            Mentoring(roles=["mentee"], mentor_capacity=2), uuid4()
        )
    with pytest.raises(RulesBroken) as as_mentor:
        profile.change_mentoring_preferences(Mentoring(roles=["mentor"]), uuid4())

    assert broken(as_mentee) == [(("mentor_capacity",), "capacity_without_mentor_role")]
    assert broken(as_mentor) == [(("mentor_capacity",), "mentor_without_capacity")]


def test_a_pause_ends_after_today_and_an_available_person_is_not_paused() -> None:
    profile = new_profile()

    with pytest.raises(RulesBroken) as past:
        profile.change_availability(
            Availability(available=False, paused_until=TODAY), TODAY, uuid4()
        )
    with pytest.raises(RulesBroken) as available:
        profile.change_availability(
            Availability(available=True, paused_until=date(2027, 1, 1)), TODAY, uuid4()
        )

    assert broken(past) == [(("paused_until",), "date_not_in_future")]
    assert broken(available) == [(("paused_until",), "paused_while_available")]


def test_a_pause_until_a_date_is_recorded_as_an_iso_date() -> None:
    profile = new_profile()

    profile.change_availability(
        Availability(available=False, paused_until=date(2027, 2, 1)), TODAY, uuid4()
    )

    assert profile.availability.paused_until == date(2027, 2, 1)
    assert envelopes(profile)[-1].payload == {
        "available": False,
        "paused_until": "2027-02-01",
    }


def test_changing_one_sections_visibility_keeps_the_others() -> None:
    profile = new_profile()

    profile.change_visibility({"location": "private"}, uuid4())

    assert profile.visibility["location"] == "private"
    assert profile.visibility["skills"] == "team"
    assert envelopes(profile)[-1].payload["sections"]["skills"] == "team"


def test_an_erased_profile_forgets_the_person_and_takes_no_more_commands() -> None:
    profile = new_profile()
    profile.change_private_preferences(
        PrivatePreferences(identities=["Black librarian"], wants_shared_identity=True),
        uuid4(),
    )

    profile.erase(uuid4())

    assert profile.erased
    assert profile.private_preferences == PrivatePreferences()
    assert "Ada" not in profile.details.display_name
    with pytest.raises(ProfileErasedError):
        profile.update_interests(["maps"], uuid4())
    erased = envelopes(profile)[-1]
    assert (erased.event_type, erased.payload) == ("ProfileErased", {})


def test_a_stored_profile_replays_to_the_same_state() -> None:
    application: Application[UUID] = Application()
    profile = new_profile()
    profile.update_skills(
        [SkillLevel(skill_id=METADATA, proficiency=3)], vocabulary(), uuid4()
    )
    profile.change_location(
        Location(city="Anchorage", country="US", latitude=61.2, longitude=-149.9),
        uuid4(),
    )
    profile.change_availability(
        Availability(available=False, paused_until=date(2027, 3, 1)), TODAY, uuid4()
    )
    application.save(profile)

    stored: Profile = application.repository.get(profile.id)

    assert stored.version == profile.version == 4
    assert stored.skills == profile.skills
    assert stored.location == profile.location
    assert stored.availability == profile.availability


def test_every_event_of_the_profile_is_in_the_catalogue() -> None:
    recorded = {
        name
        for name in dir(Profile)
        if isinstance(getattr(Profile, name, None), type)
        and CATALOGUE.knows(getattr(Profile, name).__name__)
    }

    assert len(recorded) == 12
