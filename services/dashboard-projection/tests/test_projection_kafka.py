"""Every event type lands in its read model, through the real Kafka and OpenSearch.

The sample programme is published on the test's own topics and projected
into the test's own indices; then the same events are delivered again, and
replayed by a new consumer group, and the read models must not change.
"""

import json
from uuid import uuid4

import pytest
from carrel_events import Topic
from carrel_events.contracts import CATALOGUE
from carrel_projection.adapters.client import open_client
from carrel_projection.adapters.indices import drop_indices, ensure_indices
from carrel_projection.adapters.read_models import DEFINITIONS
from carrel_projection.domain.documents import Document, directory_id
from carrel_projection.sample import COHORT, SECRET, Programme
from carrel_projection.settings import ProjectionSettings
from carrel_projection.testing import projecting, publish, snapshot, wait_until_drained

pytestmark = pytest.mark.integration

Models = dict[str, dict[str, Document]]


async def project_until_drained(
    settings: ProjectionSettings, topics: dict[Topic, str]
) -> Models:
    async with projecting(settings):
        await wait_until_drained(
            settings.kafka_bootstrap, settings.projection_group, list(topics.values())
        )
    client = open_client(settings)
    try:
        return await snapshot(client, settings.index_prefix)
    finally:
        await client.close()


@pytest.fixture
async def programme(
    projection_settings: ProjectionSettings, topics: dict[Topic, str]
) -> Programme:
    programme = Programme()
    programme.record_everything()
    await publish(
        projection_settings.kafka_bootstrap, programme.script.recorded, topics
    )
    return programme


@pytest.fixture
async def projected(
    projection_settings: ProjectionSettings,
    topics: dict[Topic, str],
    programme: Programme,
) -> Models:
    return await project_until_drained(projection_settings, topics)


def entry(models: Models, team: object, person: object) -> Document:
    return models["directory"][directory_id(str(team), str(person))]


def test_members_get_their_public_profile_roles_and_match_status(
    programme: Programme, projected: Models
) -> None:
    mentee = entry(projected, programme.team, programme.mentee)
    assert mentee["status"] == "member"
    assert mentee["display_name"] == "Eli Mentee"
    assert mentee["skill_ids"] == ["esco.digital-curation"]
    assert mentee["location"] == {"lat": 61.19, "lon": -149.88}
    assert mentee["match_status"] == "matched"
    assert mentee["mentor_ids"] == [str(programme.mentor)]
    assert mentee["group_ids"] == [str(programme.group)]

    mentor = entry(projected, programme.team, programme.mentor)
    assert mentor["roles"] == ["mentor", "mentee"]
    assert mentor["available"] is False
    assert mentor["active_mentees"] == 1
    assert mentor["group_ids"] == [], "removed from the group"

    shared = entry(projected, programme.team, programme.shared_mentor)
    assert shared["mentor_capacity"] == 1, "the team's own figure wins"
    assert shared["pending_requests"] == 1
    assert shared["active_mentees"] == 0, "the accepted mentorship ended"


def test_a_profile_fans_out_to_every_team_of_the_person(
    programme: Programme, projected: Models
) -> None:
    in_team = entry(projected, programme.team, programme.shared_mentor)
    in_other = entry(projected, programme.other_team, programme.shared_mentor)
    assert in_team["display_name"] == in_other["display_name"] == "Sam Šimić"
    assert in_other["team_id"] == str(programme.other_team)


def test_a_private_section_stays_out_of_the_directory(
    programme: Programme, projected: Models
) -> None:
    second = entry(projected, programme.team, programme.second_mentee)
    assert "city" not in second and "location" not in second
    assert second["skill_ids"] == ["esco.digital-curation"], "other sections show"


def test_private_preferences_never_reach_opensearch(projected: Models) -> None:
    everything = json.dumps(projected)
    assert SECRET not in everything
    for field in ("identities", "wants_shared_identity", "avoid_own_institution"):
        assert field not in everything


def test_an_erased_profile_leaves_no_directory_entry_and_no_personal_data(
    programme: Programme, projected: Models
) -> None:
    erased = str(programme.erased)
    assert not [d for d in projected["directory"].values() if d["person_id"] == erased]
    tombstone = projected["people"][erased]
    assert tombstone["erased"] is True
    assert tombstone["display_name"] == "" and tombstone["sections"] == {}
    assert "Erin" not in json.dumps(projected["directory"])


def test_a_member_who_left_is_kept_only_as_a_bare_entry(
    programme: Programme, projected: Models
) -> None:
    leaver = entry(projected, programme.team, programme.leaver)
    assert leaver["status"] == "left"
    assert "display_name" not in leaver and leaver["roles"] == []


def test_groups_mentorships_resources_and_activity_are_projected(
    programme: Programme, projected: Models
) -> None:
    group = projected["groups"][str(programme.group)]
    assert group["name"] == "Maps and zines"
    # The group's own events name the erased person and the leaver too; the
    # read API counts current members (test_api_read_models).
    assert group["member_count"] == 4
    assert projected["groups"][str(programme.archived_group)]["archived"] is True

    statuses = sorted(m["status"] for m in projected["mentorships"].values())
    assert statuses == [
        "accepted",
        "declined",
        "ended",
        "expired",
        "requested",
        "withdrawn",
    ]
    active = projected["mentorships"][str(programme.active_mentorship)]
    assert (active["sessions"], active["goals_done"]) == (1, 1)

    kinds = sorted((r["kind"], r["status"]) for r in projected["resources"].values())
    assert kinds == [
        ("catalogued", "active"),
        ("catalogued", "active"),
        ("catalogued", "retired"),
        ("material", "active"),
        ("material", "withdrawn"),
    ]
    assert [s["recipient_count"] for s in projected["shares"].values()] == [3]
    completed = [p for p in projected["progress"].values() if p["completed_at"]]
    assert [p["member_id"] for p in completed] == [str(programme.mentee)]

    in_feed = [
        e
        for e in programme.script.recorded
        if e.team_id is not None and e.event_type != "MentorCandidatesRanked"
    ]
    assert len(projected["activity"]) == len(in_feed)
    feed_types = {a["event_type"] for a in projected["activity"].values()}
    assert {"PairingProposed", "PairingPublished", "GroupsSuggested"} <= feed_types
    assert projected["teams"][str(programme.team)]["default_mentor_capacity"] == 3


def test_a_cohort_pauses_graduations_and_confirmed_capacities_land(
    programme: Programme, projected: Models
) -> None:
    team = projected["teams"][str(programme.team)]
    assert team["cohorts_rolled_over"] == 1
    assert team["cohort_starts_on"] == COHORT.isoformat()

    resumed = entry(projected, programme.team, programme.mentor)
    assert resumed["paused_for_silence"] is False and resumed["paused_at"] is None
    paused = entry(projected, programme.other_team, programme.shared_mentor)
    assert paused["paused_for_silence"] is True and paused["paused_at"]
    assert paused["spare_places"] == 0

    graduate = entry(projected, programme.team, programme.mentee)
    assert graduate["graduation"] == "accepted" and graduate["graduated_at"]
    confirmed = entry(projected, programme.team, programme.shared_mentor)
    assert confirmed["capacity_confirmed_for"] == COHORT.isoformat()
    assert confirmed["mentor_capacity"] == 1


def test_referrals_enter_the_activity_feed_and_no_other_model(
    programme: Programme, projected: Models
) -> None:
    kinds = {"MemberReferred", "ReferralApproved", "ReferralDeclined"}
    referrals = {
        str(e.aggregate_id) for e in programme.script.recorded if e.event_type in kinds
    }
    fed = [a for a in projected["activity"].values() if a["event_type"] in kinds]
    assert sorted(a["event_type"] for a in fed) == [
        "MemberReferred",
        "MemberReferred",
        "ReferralApproved",
        "ReferralDeclined",
    ]
    assert {a["aggregate_id"] for a in fed} == referrals
    # Deliberately ignored elsewhere: the referred person is no member until
    # they join (MemberJoined says who referred them), and the e-mail hash of
    # the referral is kept nowhere.
    for model, documents in projected.items():
        if model != "activity":
            assert not referrals & set(documents), model
            assert not [
                d for d in documents.values() if referrals & set(d.get("applied", {}))
            ]
    assert "b" * 64 not in json.dumps(projected)


# Event types of the catalogue the sample does not record yet, and why.
NOT_IN_SAMPLE: dict[str, str] = {}


def test_the_sample_records_every_event_type_of_the_catalogue(
    programme: Programme,
) -> None:
    recorded = {e.event_type for e in programme.script.recorded}
    missing = set(CATALOGUE.event_types()) - recorded
    assert missing <= set(NOT_IN_SAMPLE), sorted(missing)


async def test_redelivered_events_leave_the_read_models_unchanged(
    projection_settings: ProjectionSettings,
    topics: dict[Topic, str],
    programme: Programme,
    projected: Models,
) -> None:
    await publish(
        projection_settings.kafka_bootstrap, programme.script.recorded, topics
    )
    again = await project_until_drained(projection_settings, topics)
    assert again == projected


async def test_a_replay_by_a_new_group_leaves_the_read_models_unchanged(
    projection_settings: ProjectionSettings, topics: dict[Topic, str], projected: Models
) -> None:
    replay = projection_settings.model_copy(
        update={"projection_group": f"test-replay-{uuid4().hex[:8]}"}
    )
    assert await project_until_drained(replay, topics) == projected


async def test_a_replay_into_empty_indices_rebuilds_the_same_read_models(
    projection_settings: ProjectionSettings, topics: dict[Topic, str], projected: Models
) -> None:
    client = open_client(projection_settings)
    prefix = projection_settings.index_prefix
    await drop_indices(client, prefix, DEFINITIONS)
    await ensure_indices(client, prefix, DEFINITIONS)
    await client.close()
    rebuild = projection_settings.model_copy(
        update={"projection_group": f"test-rebuild-{uuid4().hex[:8]}"}
    )
    assert await project_until_drained(rebuild, topics) == projected
