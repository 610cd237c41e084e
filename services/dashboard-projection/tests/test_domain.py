"""How each event changes the read models' documents: pure rules, no I/O."""

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest
from carrel_events import Envelope, EventPayload
from carrel_events.contracts import matching as m
from carrel_events.contracts import profile as p
from carrel_events.contracts import resources as r
from carrel_events.contracts import teams as t
from carrel_events.contracts.common import SkillLevel
from carrel_events.serialisation import DecodedEvent
from carrel_projection.adapters import queries
from carrel_projection.domain import (
    activity,
    directory,
    groups,
    mentorships,
    people,
    resources,
    teams,
)
from carrel_projection.domain.documents import Document, is_new, same_content
from carrel_projection.entrypoints.export import csv_cell
from carrel_projection.sample import FAR_FUTURE
from carrel_projection.testing import EventScript

TEAM, PERSON, OTHER = uuid4(), uuid4(), uuid4()


def decoded(envelope: Envelope, payload: EventPayload) -> DecodedEvent:
    return DecodedEvent(envelope, payload)


class Events:
    """Decoded events with each aggregate's versions counting up."""

    def __init__(self) -> None:
        self.script = EventScript()

    def __call__(
        self, payload: EventPayload, aggregate: UUID = PERSON, team: UUID | None = None
    ) -> DecodedEvent:
        return decoded(self.script.record(payload, aggregate, team), payload)


def person_after(*payloads: EventPayload) -> Document:
    event = Events()
    person = people.new_person(str(PERSON))
    for payload in payloads:
        person = people.apply(person, event(payload))
    return person


def test_each_profile_section_lands_in_the_person_document() -> None:
    person = person_after(
        p.ProfileCreated(display_name="Ada"),
        p.SkillsUpdated(skills=[SkillLevel(skill_id="esco.x", proficiency=3)]),
        p.InterestsUpdated(interests=["maps"]),
        p.LearningGoalsUpdated(skill_ids=["esco.y"]),
        p.AspirationsUpdated(target_roles=["Director"]),
        p.LocationChanged(city="Nome", region="AK", latitude=64.5, longitude=-165.4),
        p.MentoringPreferencesChanged(roles=["mentor"], mentor_capacity=3),
        p.AvailabilityChanged(available=False, paused_until=date(2030, 1, 1)),
        p.DetailsUpdated(display_name="Ada L", headline="Maps"),
    )
    shown = people.public_profile(person)
    assert shown["display_name"] == "Ada L" and shown["headline"] == "Maps"
    assert shown["skill_ids"] == ["esco.x"] and shown["interests"] == ["maps"]
    assert shown["learning_goals"] == ["esco.y"]
    assert shown["aspirations"] == ["Director"]
    assert shown["location"] == {"lat": 64.5, "lon": -165.4}
    assert shown["profile_capacity"] == 3
    assert shown["paused_until"] == "2030-01-01"


def test_a_profile_is_available_until_an_event_says_otherwise() -> None:
    created = person_after(p.ProfileCreated(display_name="Ada"))
    assert people.public_profile(created)["available"] is True
    paused = person_after(
        p.ProfileCreated(display_name="Ada"), p.AvailabilityChanged(available=False)
    )
    assert people.public_profile(paused)["available"] is False
    private = dict.fromkeys(p.PROFILE_SECTIONS, "team") | {"availability": "private"}
    hidden = person_after(
        p.ProfileCreated(display_name="Ada"), p.VisibilityChanged(sections=private)
    )
    assert "available" not in people.public_profile(hidden)


def test_the_directory_counts_an_entry_without_availability_as_available() -> None:
    search = queries.DirectorySearch(available=True)
    body = queries.directory_query("team-1", search, "p")
    unless_paused = {"bool": {"must_not": [{"term": {"available": False}}]}}
    assert unless_paused in body["query"]["bool"]["filter"]
    assert body["aggs"]["availability"]["terms"]["missing"] is True
    paused = queries.directory_query(
        "team-1", queries.DirectorySearch(available=False), "p"
    )
    assert {"term": {"available": False}} in paused["query"]["bool"]["filter"]


def test_private_preferences_move_only_the_ledger() -> None:
    created = person_after(p.ProfileCreated(display_name="Ada"))
    private = p.PrivatePreferencesChanged(identities=["x"], note="secret")
    after = person_after(p.ProfileCreated(display_name="Ada"), private)
    assert {k: v for k, v in after.items() if k not in ("applied", "updated_at")} == {
        k: v for k, v in created.items() if k not in ("applied", "updated_at")
    }
    assert "secret" not in repr(after)


def test_a_private_section_is_left_out_of_the_public_profile() -> None:
    hidden = dict.fromkeys(p.PROFILE_SECTIONS, "team") | {"interests": "private"}
    person = person_after(
        p.ProfileCreated(display_name="Ada"),
        p.InterestsUpdated(interests=["maps"]),
        p.VisibilityChanged(sections=hidden),
    )
    assert "interests" not in people.public_profile(person)


def test_an_erased_profile_keeps_only_its_ledger_and_teams() -> None:
    person = person_after(p.ProfileCreated(display_name="Ada"))
    person = people.joined_team(person, "team-1")
    event = Events()
    event(p.ProfileCreated(display_name="Ada"))
    erased = people.apply(person, event(p.ProfileErased()))
    assert (
        erased["erased"] and erased["display_name"] == "" and erased["sections"] == {}
    )
    assert erased["team_ids"] == ["team-1"]
    late = people.apply(erased, event(p.SkillsUpdated(skills=[])))
    assert late["sections"] == {}, "nothing comes back after erasure"


def test_an_event_already_applied_is_not_new() -> None:
    event = Events()
    created = event(p.ProfileCreated(display_name="Ada"))
    person = people.apply(people.new_person(str(PERSON)), created)
    assert not is_new(person, created)
    assert is_new(person, event(p.InterestsUpdated(interests=[])))


def membership(*payloads: EventPayload) -> Document:
    event = Events()
    entry = directory.new_entry(str(TEAM), str(PERSON))
    for payload in payloads:
        entry = directory.apply_membership(entry, event(payload, TEAM, TEAM))
    return entry


def test_membership_events_set_status_roles_and_capacity() -> None:
    joined = t.MemberJoined(person_id=PERSON, roles=["mentor"], via="invitation")
    entry = membership(
        joined,
        t.MemberRoleChanged(
            person_id=PERSON, roles=["mentor", "mentee"], changed_by=OTHER
        ),
        t.MentorCapacityChanged(person_id=PERSON, mentor_capacity=4, changed_by=OTHER),
    )
    assert entry["status"] == "member" and entry["roles"] == ["mentor", "mentee"]
    assert directory.mentor_capacity(entry, default_capacity=2) == 4
    left = membership(joined, t.MemberLeft(person_id=PERSON, removed_by=PERSON))
    assert left["status"] == "left" and left["roles"] == []


def test_only_a_member_shows_a_profile() -> None:
    person = person_after(p.ProfileCreated(display_name="Ada"))
    pending = directory.new_entry(str(TEAM), str(PERSON))
    assert "display_name" not in directory.with_profile(pending, person)
    member = membership(
        t.MemberJoined(person_id=PERSON, roles=["mentee"], via="founder")
    )
    assert directory.with_profile(member, person)["display_name"] == "Ada"


def mentorship_after(*payloads: EventPayload) -> Document:
    event = Events()
    mentorship_id = uuid4()
    doc = mentorships.new_mentorship(str(mentorship_id), str(TEAM))
    for payload in payloads:
        doc = mentorships.apply(doc, event(payload, mentorship_id, TEAM))
    return doc


REQUESTED = t.MentorshipRequested(
    mentee_id=PERSON, mentor_id=OTHER, expires_at=FAR_FUTURE, choice=1
)


def test_a_mentorship_follows_its_status_sessions_and_goals() -> None:
    goal = uuid4()
    doc = mentorship_after(
        REQUESTED,
        t.MoreInformationRequested(mentor_id=OTHER),
        t.MentorshipRequestClarified(mentee_id=PERSON, expires_at=FAR_FUTURE),
        t.MentorshipAccepted(mentor_id=OTHER, mentee_id=PERSON),
        t.SessionLogged(
            session_id=uuid4(), held_on=date(2025, 5, 2), minutes=30, logged_by=PERSON
        ),
        t.GoalSet(goal_id=goal, title="IIIF", set_by=PERSON),
        t.GoalProgressed(goal_id=goal, progress=100, reported_by=PERSON),
        t.FeedbackGiven(given_by=PERSON, side="mentee", rating=4),
    )
    assert doc["status"] == "accepted" and doc["sessions"] == 1
    assert doc["last_session_on"] == "2025-05-02" and doc["goals_done"] == 1
    assert "rating" not in repr(doc)
    for closing, status in (
        (t.MentorshipDeclined(mentor_id=OTHER, reason="busy"), "declined"),
        (t.MentorshipExpired(mentor_id=OTHER), "expired"),
        (t.MentorshipEnded(outcome="completed", ended_by=OTHER), "ended"),
    ):
        assert mentorship_after(REQUESTED, closing)["status"] == status
    assert "busy" not in repr(
        mentorship_after(
            REQUESTED, t.MentorshipDeclined(mentor_id=OTHER, reason="busy")
        )
    )


def test_a_withdrawn_request_closes_and_no_longer_waits_on_the_mentor() -> None:
    withdrawn = t.MentorshipWithdrawn(
        mentor_id=OTHER, mentee_id=PERSON, withdrawn_by=PERSON
    )
    doc = mentorship_after(REQUESTED, withdrawn)
    mentor = directory.new_entry(str(TEAM), str(OTHER)) | {
        "status": "member",
        "roles": ["mentor"],
    }
    mentee = directory.new_entry(str(TEAM), str(PERSON)) | {
        "status": "member",
        "roles": ["mentee"],
    }
    waiting = directory.derived(
        directory.with_mentorship(mentor, mentorship_after(REQUESTED)), 2
    )

    freed = directory.derived(directory.with_mentorship(mentor, doc), 2)
    unmatched = directory.derived(directory.with_mentorship(mentee, doc), 2)
    entry = activity.entry(Events()(withdrawn, uuid4(), TEAM))

    assert (doc["status"], doc["outcome"]) == ("withdrawn", None)
    assert doc["closed_at"] is not None
    assert (waiting["pending_requests"], freed["pending_requests"]) == (1, 0)
    assert unmatched["match_status"] == "unmatched"
    assert entry is not None and entry["event_type"] == "MentorshipWithdrawn"
    assert entry["actor_id"] == str(PERSON)
    assert set(entry["subject_ids"]) == {str(OTHER), str(PERSON)}


def test_a_question_moves_the_deadline_and_feedback_counts_sides() -> None:
    due = FAR_FUTURE - timedelta(days=3)
    asked = mentorship_after(
        REQUESTED, t.MoreInformationRequested(mentor_id=OTHER, expires_at=due)
    )
    rated = mentorship_after(
        REQUESTED,
        t.MentorshipAccepted(mentor_id=OTHER, mentee_id=PERSON),
        t.FeedbackGiven(given_by=PERSON, side="mentee", rating=3),
        t.FeedbackGiven(given_by=PERSON, side="mentee", rating=5),
        t.FeedbackGiven(given_by=OTHER, side="mentor", rating=4),
    )

    assert asked["expires_at"] == due.isoformat()
    assert rated["feedback_count"] == 2 and rated["feedback_sides"] == [
        "mentee",
        "mentor",
    ]


def test_match_status_and_mentor_load_come_from_the_mentorships() -> None:
    mentee = membership(
        t.MemberJoined(person_id=PERSON, roles=["mentee"], via="founder")
    )
    requested = mentorship_after(REQUESTED)
    waiting = directory.derived(directory.with_mentorship(mentee, requested), 2)
    assert waiting["match_status"] == "requested"
    accepted = mentorship_after(
        REQUESTED, t.MentorshipAccepted(mentor_id=OTHER, mentee_id=PERSON)
    )
    matched = directory.derived(directory.with_mentorship(mentee, accepted), 2)
    assert matched["match_status"] == "matched" and matched["mentor_ids"] == [
        str(OTHER)
    ]

    mentor = directory.new_entry(str(TEAM), str(OTHER)) | {
        "status": "member",
        "roles": ["mentor"],
        "team_capacity": 1,
    }
    loaded = directory.derived(directory.with_mentorship(mentor, accepted), 2)
    assert loaded["active_mentees"] == 1 and loaded["at_capacity"] is True


def test_a_group_tracks_its_name_members_and_archiving() -> None:
    event, group_id = Events(), uuid4()
    group = groups.new_group(str(group_id), str(TEAM))
    for payload in (
        t.GroupCreated(
            name="A", member_ids=[PERSON], origin="manual", created_by=OTHER
        ),
        t.GroupRenamed(name="B", renamed_by=OTHER),
        t.GroupMemberAdded(person_id=OTHER, added_by=OTHER),
        t.GroupMemberRemoved(person_id=PERSON, removed_by=OTHER),
    ):
        group = groups.apply(group, event(payload, group_id, TEAM))
    assert (group["name"], group["member_ids"], group["member_count"]) == (
        "B",
        [str(OTHER)],
        1,
    )
    assert groups.includes(group, str(OTHER)) and not groups.includes(
        group, str(PERSON)
    )
    archived = groups.apply(
        group, event(t.GroupArchived(archived_by=OTHER), group_id, TEAM)
    )
    assert not groups.includes(archived, str(OTHER))


def test_team_settings_and_consortium_consent_land_in_the_team() -> None:
    event = Events()
    team = teams.new_team(str(TEAM))
    settings = t.ProgrammeSettings(default_mentor_capacity=5)
    for payload in (
        t.TeamCreated(
            name="APL",
            kind="consortium",
            settings=t.ProgrammeSettings(),
            founded_by=OTHER,
        ),
        t.TeamSettingsChanged(settings=settings, changed_by=OTHER),
        t.ConsortiumMemberTeamAdded(member_team_id=PERSON, added_by=OTHER),
        t.ConsortiumConsentGiven(member_team_id=PERSON, given_by=OTHER),
        t.ConsortiumConsentWithdrawn(member_team_id=PERSON, withdrawn_by=OTHER),
    ):
        team = teams.apply(team, event(payload, TEAM, TEAM))
    assert team["default_mentor_capacity"] == 5 and team["name"] == "APL"
    assert (
        team["member_team_ids"] == [str(PERSON)] and team["consenting_team_ids"] == []
    )


def test_resources_shares_and_progress_are_recorded() -> None:
    event, resource_id = Events(), uuid4()
    tags = [r.SkillTag(skill_id="esco.x", because="b")]
    resource = resources.new_resource(str(resource_id), None)
    catalogued = r.ResourceCatalogued(
        url="https://x.org/a",
        title="A",
        resource_type="guide",
        topics=[],
        skill_tags=tags,
    )
    resource = resources.apply_resource(resource, event(catalogued, resource_id))
    resource = resources.apply_resource(
        resource, event(r.ResourceRetired(), resource_id)
    )
    assert (resource["title"], resource["status"]) == ("A", "retired")
    restored = resources.apply_resource(
        resource, event(r.ResourceRestored(reason="link fixed"), resource_id)
    )
    assert restored["status"] == "active"

    shared = r.ResourceShared(
        resource_id=resource_id,
        audience=r.Audience(kind="team"),
        recipients=[PERSON, PERSON],
        note="hush",
        shared_by=OTHER,
    )
    share = resources.new_share(event(shared, uuid4(), TEAM))
    assert share["recipient_count"] == 1 and "hush" not in repr(share)

    progress_id = uuid4()
    progress = resources.new_progress(str(progress_id), str(TEAM))
    for payload in (
        r.ResourceOpened(resource_id=resource_id, member_id=PERSON),
        r.ResourceCompleted(resource_id=resource_id, member_id=PERSON),
    ):
        progress = resources.apply_progress(progress, event(payload, progress_id, TEAM))
    assert progress["opened_at"] and progress["completed_at"]


def test_a_restored_resource_is_active_again() -> None:
    event, resource_id = Events(), uuid4()
    catalogued = r.ResourceCatalogued(
        url="https://x.org/a",
        title="A",
        resource_type="guide",
        topics=[],
        skill_tags=[],
    )
    resource = resources.new_resource(str(resource_id), None)
    for payload in (
        catalogued,
        r.ResourceRetired(reason="dead link"),
        r.ResourceRestored(reason="it works again"),
    ):
        resource = resources.apply_resource(resource, event(payload, resource_id))
    assert resource["status"] == "active"


def test_the_activity_feed_copies_no_private_words() -> None:
    event = Events()
    invited = t.MemberInvited(
        email_hash="f" * 64,
        roles=["mentee"],
        invited_by=OTHER,
        expires_at=FAR_FUTURE,
        source="single",
    )
    entry = activity.entry(event(invited, uuid4(), TEAM))
    assert entry is not None and entry["actor_id"] == str(OTHER)
    assert "f" * 64 not in repr(entry)
    assert activity.entry(event(p.ProfileCreated(display_name="A"))) is None


def test_writing_only_a_new_timestamp_is_no_change() -> None:
    assert same_content({"a": 1, "updated_at": "x"}, {"a": 1, "updated_at": "y"})
    assert not same_content({"a": 1}, None)


def test_the_team_settings_decide_whom_a_viewer_may_not_see() -> None:
    mentee = queries.Viewer("p", ("mentee",))
    assert queries.hidden_roles(mentee, "team", "mentors") == ("mentee",)
    assert (
        queries.hidden_roles(queries.Viewer("p", ("mentor",)), "team", "mentors") == ()
    )
    coordinator = queries.Viewer("p", ("coordinator",))
    assert queries.hidden_roles(coordinator, "coordinators", "coordinators") == ()


def test_every_directory_query_is_held_to_the_team_and_its_members() -> None:
    body = queries.directory_query("team-1", queries.DirectorySearch(text="x"), "p")
    filters = body["query"]["bool"]["filter"]
    assert {"term": {"team_id": "team-1"}} in filters
    assert {"term": {"status": "member"}} in filters


def test_matching_decisions_enter_the_feed_but_rankings_do_not() -> None:
    event = Events()
    ranked = m.MentorCandidatesRanked(mentee_id=PERSON, candidates=[])
    assert activity.entry(event(ranked, uuid4(), TEAM)) is None
    published = m.PairingPublished(
        objective="most_matched", pairs=3, total_score=2.1, published_by=OTHER
    )
    entry = activity.entry(event(published, uuid4(), TEAM))
    assert entry is not None and entry["facts"]["pairs"] == 3


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+SUM(1+1)", "'+SUM(1+1)"),
        ("@SUM(1)", "'@SUM(1)"),
        (["-2+3", "b"], "'-2+3;b"),
        ("Ada Lovelace", "Ada Lovelace"),
        (3, 3),
        (None, ""),
    ],
)
def test_an_exported_cell_never_starts_a_spreadsheet_formula(
    value: object, cell: object
) -> None:
    assert csv_cell(value) == cell


def test_a_referral_is_the_join_source_of_the_member_it_brought() -> None:
    referred = t.MemberJoined(
        person_id=PERSON, roles=["mentee"], via="invitation", referred_by=OTHER
    )
    entry = membership(referred)
    assert entry["join_source"] == "referral" and entry["referred_by"] == str(OTHER)
    plain = membership(
        t.MemberJoined(person_id=PERSON, roles=["mentee"], via="join_link")
    )
    assert plain["join_source"] == "join_link" and plain["referred_by"] is None


def test_a_pause_for_silence_takes_a_mentors_spare_places_until_they_resume() -> None:
    joined = t.MemberJoined(person_id=PERSON, roles=["mentor"], via="invitation")
    paused = membership(joined, t.MentorPaused(person_id=PERSON, expired_requests=3))
    assert paused["paused_for_silence"] is True
    assert directory.derived(paused, 2)["spare_places"] == 0
    resumed = membership(
        joined,
        t.MentorPaused(person_id=PERSON, expired_requests=3),
        t.MentorResumed(person_id=PERSON, resumed_by=PERSON),
    )
    assert resumed["paused_for_silence"] is False
    assert directory.derived(resumed, 2)["spare_places"] == 2


def test_graduation_and_a_confirmed_capacity_land_on_the_entry() -> None:
    joined = t.MemberJoined(person_id=PERSON, roles=["mentee"], via="invitation")
    invited = t.GraduationInvited(person_id=PERSON, mentorship_id=uuid4())
    entry = membership(
        joined,
        invited,
        t.GraduationAccepted(person_id=PERSON, mentor_capacity=1),
        t.MentorCapacityConfirmed(
            person_id=PERSON, mentor_capacity=3, cohort_starts_on=date(2027, 1, 1)
        ),
    )
    assert entry["graduation"] == "accepted" and entry["graduated_at"]
    assert entry["team_capacity"] == 3
    assert entry["capacity_confirmed_for"] == "2027-01-01"


def test_response_time_and_milestones_are_measured_in_event_time() -> None:
    events = Events()
    mentorship_id = uuid4()
    doc = mentorships.new_mentorship(str(mentorship_id), str(TEAM))
    start = events.script.start
    for minutes, payload in (
        (60, REQUESTED),
        (60 + 90, t.MoreInformationRequested(mentor_id=OTHER)),
        (60 + 300, t.MentorshipAccepted(mentor_id=OTHER, mentee_id=PERSON)),
    ):
        recorded = events.script.record(
            payload, mentorship_id, TEAM, at=start + timedelta(minutes=minutes)
        )
        doc = mentorships.apply(doc, decoded(recorded, payload))
    assert doc["answered_at"] == (start + timedelta(minutes=150)).isoformat()

    mentor = directory.new_entry(str(TEAM), str(OTHER)) | {
        "status": "member",
        "roles": ["mentor"],
    }
    answered = directory.derived(directory.with_mentorship(mentor, doc), 2)
    assert answered["typical_response_hours"] == 1.5

    mentee = directory.new_entry(str(TEAM), str(PERSON)) | {
        "status": "member",
        "roles": ["mentee"],
        "joined_at": start.isoformat(),
    }
    ranked = m.MentorCandidatesRanked(
        mentee_id=PERSON,
        candidates=[m.RankedCandidate(mentor_id=OTHER, rank=1, score=0.5)],
    )
    at = start + timedelta(seconds=4)
    candidates = m.candidate_list_id(TEAM, PERSON)
    first = decoded(events.script.record(ranked, candidates, TEAM, at=at), ranked)
    later = decoded(
        events.script.record(ranked, candidates, TEAM, at=at + timedelta(hours=1)),
        ranked,
    )
    mentee = directory.with_candidates(directory.with_candidates(mentee, first), later)
    mentee = directory.derived(directory.with_mentorship(mentee, doc), 2)
    assert mentee["seconds_to_first_candidate"] == 4.0, "the first ranking counts"
    assert mentee["seconds_to_first_mentorship"] == 360 * 60
