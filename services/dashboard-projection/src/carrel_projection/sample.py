"""A small programme that uses every event type the projection reads.

Two teams; a person (``shared_mentor``) in both; mentorships that are
accepted, declined, expired and ended; groups renamed, changed and archived;
resources catalogued, retired, restored, published, revised, withdrawn,
shared, opened and completed; a member who leaves; a profile with a private section, one
with private preferences, and one that is erased; referrals approved and
declined, a cohort rolled over, a mentor paused for silence who resumes and
one who stays paused, a graduation and a confirmed capacity. Tests and the
docs' examples read it.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from carrel_events.contracts import matching as m
from carrel_events.contracts import profile as p
from carrel_events.contracts import resources as r
from carrel_events.contracts import teams as t
from carrel_events.contracts.common import SkillLevel

from carrel_projection.testing import EventScript

SECRET = "zzsecretzz"
"""Appears only in private preferences: must never be found in OpenSearch."""
FAR_FUTURE = datetime(2099, 1, 1, tzinfo=UTC)
COHORT = date(2026, 9, 1)
"""The cohort the sample team rolls over to."""


@dataclass
class Programme:
    """Ids of the people, teams and things of the sample programme."""

    team: UUID = field(default_factory=uuid4)
    other_team: UUID = field(default_factory=uuid4)
    coordinator: UUID = field(default_factory=uuid4)
    mentor: UUID = field(default_factory=uuid4)
    shared_mentor: UUID = field(default_factory=uuid4)
    mentee: UUID = field(default_factory=uuid4)
    second_mentee: UUID = field(default_factory=uuid4)
    leaver: UUID = field(default_factory=uuid4)
    erased: UUID = field(default_factory=uuid4)
    outsider: UUID = field(default_factory=uuid4)
    group: UUID = field(default_factory=uuid4)
    archived_group: UUID = field(default_factory=uuid4)
    active_mentorship: UUID = field(default_factory=uuid4)
    resource: UUID = field(default_factory=uuid4)
    material: UUID = field(default_factory=uuid4)
    script: EventScript = field(default_factory=EventScript)

    def record_everything(self) -> EventScript:
        self.record_teams()
        self.record_profiles()
        self.record_groups()
        self.record_mentorships()
        self.record_resources()
        self.record_matching()
        self.record_growth()
        self.record_departures()
        return self.script

    def record_teams(self) -> None:
        s, team = self.script, self.team
        s.record(
            t.TeamCreated(
                name="Anchorage Public Library",
                kind="library",
                settings=t.ProgrammeSettings(),
                founded_by=self.coordinator,
            ),
            team,
            team,
        )
        self.join(team, self.coordinator, ["coordinator"], "founder")
        self.record_invitations()
        self.join(team, self.mentor, ["mentor"])
        self.join(team, self.shared_mentor, ["mentor"])
        self.join(team, self.mentee, ["mentee"])
        self.join(team, self.second_mentee, ["mentee"])
        self.join(team, self.leaver, ["mentee"])
        self.join(team, self.erased, ["mentee"])
        by = self.coordinator
        s.record(
            t.MemberRoleChanged(
                person_id=self.mentor, roles=["mentor", "mentee"], changed_by=by
            ),
            team,
            team,
        )
        s.record(
            t.MentorCapacityChanged(
                person_id=self.shared_mentor, mentor_capacity=1, changed_by=by
            ),
            team,
            team,
        )
        settings = t.ProgrammeSettings(default_mentor_capacity=3)
        s.record(t.TeamSettingsChanged(settings=settings, changed_by=by), team, team)
        self.record_other_team()

    def record_invitations(self) -> None:
        s, team, by = self.script, self.team, self.coordinator
        invitation, revoked = uuid4(), uuid4()
        invited = t.MemberInvited(
            email_hash="a" * 64,
            roles=["mentor"],
            invited_by=by,
            expires_at=FAR_FUTURE,
            source="single",
        )
        s.record(invited, invitation, team)
        s.record(
            t.InvitationResent(resent_by=by, expires_at=FAR_FUTURE), invitation, team
        )
        s.record(t.InvitationAccepted(person_id=self.mentor), invitation, team)
        s.record(invited, revoked, team)
        s.record(t.InvitationRevoked(revoked_by=by), revoked, team)
        s.record(t.JoinLinkIssued(issued_by=by, expires_at=FAR_FUTURE), team, team)
        s.record(t.JoinRequested(person_id=self.outsider, roles=["mentee"]), team, team)
        s.record(t.JoinDeclined(person_id=self.outsider, declined_by=by), team, team)

    def record_other_team(self) -> None:
        s, team = self.script, self.other_team
        created = t.TeamCreated(
            name="Alaska Library Consortium",
            kind="consortium",
            settings=t.ProgrammeSettings(),
            founded_by=self.outsider,
        )
        s.record(created, team, team)
        self.join(team, self.outsider, ["coordinator"], "founder")
        self.join(team, self.shared_mentor, ["mentor"])
        by = self.outsider
        s.record(
            t.ConsortiumMemberTeamAdded(member_team_id=self.team, added_by=by),
            team,
            team,
        )
        s.record(
            t.ConsortiumConsentGiven(member_team_id=self.team, given_by=by), team, team
        )
        s.record(
            t.ConsortiumConsentWithdrawn(member_team_id=self.team, withdrawn_by=by),
            team,
            team,
        )

    def join(
        self,
        team: UUID,
        person: UUID,
        roles: list[t.MemberRole],
        via: t.JoinRoute = "invitation",
    ) -> None:
        joined = t.MemberJoined(person_id=person, roles=roles, via=via)
        self.script.record(joined, team, team)

    def record_profiles(self) -> None:
        people = {
            self.coordinator: ("Cora Coordinator", "Anchorage", 61.2, -149.9),
            self.mentor: ("Mika Mentor", "Juneau", 58.3, -134.4),
            self.shared_mentor: ("Sam Šimić", "Fairbanks", 64.8, -147.7),
            self.mentee: ("Eli Mentee", "Anchorage", 61.19, -149.88),
            self.second_mentee: ("Noor Mentee", "Seattle", 47.6, -122.3),
            self.leaver: ("Lee Leaver", "Anchorage", 61.2, -149.9),
            self.erased: ("Erin Erased", "Anchorage", 61.2, -149.9),
            self.outsider: ("Otto Outsider", "Nome", 64.5, -165.4),
        }
        for person, (name, city, lat, lon) in people.items():
            self.record_profile(person, name, city, lat, lon)
        s = self.script
        hidden = dict.fromkeys(p.PROFILE_SECTIONS, "team") | {"location": "private"}
        s.record(p.VisibilityChanged(sections=hidden), self.second_mentee)
        private = p.PrivatePreferencesChanged(
            identities=[SECRET], wants_shared_identity=True, note=SECRET
        )
        s.record(private, self.mentee)
        s.record(
            p.AvailabilityChanged(available=False, paused_until=date(2099, 1, 1)),
            self.mentor,
        )
        s.record(p.ProfileErased(), self.erased)

    def record_profile(
        self, person: UUID, name: str, city: str, lat: float, lon: float
    ) -> None:
        s = self.script
        s.record(p.ProfileCreated(display_name=name), person)
        details = p.DetailsUpdated(
            display_name=name,
            headline=f"{name.split()[0]} works with rare maps",
            current_role="Librarian",
            institution=p.Institution(name=f"{city} Library"),
            years_of_experience=7,
            has_library_degree=True,
            languages=["en"],
        )
        s.record(details, person)
        skills = [SkillLevel(skill_id="esco.digital-curation", proficiency=4)]
        s.record(p.SkillsUpdated(skills=skills), person)
        s.record(p.InterestsUpdated(interests=["Maps", "Zines"]), person)
        s.record(p.LearningGoalsUpdated(skill_ids=["onet.tech.worldcat"]), person)
        s.record(p.AspirationsUpdated(target_roles=["Library Director"]), person)
        where = p.LocationChanged(
            city=city,
            region="AK",
            country="US",
            latitude=lat,
            longitude=lon,
            time_zone="America/Anchorage",
        )
        s.record(where, person)
        mentoring = p.MentoringPreferencesChanged(roles=["mentor"], mentor_capacity=2)
        s.record(mentoring, person)
        s.record(p.AvailabilityChanged(available=True), person)

    def record_groups(self) -> None:
        s, team, by = self.script, self.team, self.coordinator
        created = t.GroupCreated(
            name="Map people",
            member_ids=[self.mentor, self.mentee],
            origin="manual",
            created_by=by,
        )
        s.record(created, self.group, team)
        s.record(t.GroupRenamed(name="Maps and zines", renamed_by=by), self.group, team)
        s.record(
            t.GroupMemberAdded(person_id=self.second_mentee, added_by=by),
            self.group,
            team,
        )
        s.record(
            t.GroupMemberAdded(person_id=self.erased, added_by=by), self.group, team
        )
        s.record(
            t.GroupMemberAdded(person_id=self.leaver, added_by=by), self.group, team
        )
        s.record(
            t.GroupMemberRemoved(person_id=self.mentor, removed_by=by), self.group, team
        )
        old = t.GroupCreated(
            name="Old",
            member_ids=[self.leaver],
            origin="suggestion",
            suggestion_id=uuid4(),
            created_by=by,
        )
        s.record(old, self.archived_group, team)
        s.record(t.GroupArchived(archived_by=by), self.archived_group, team)

    def record_mentorships(self) -> None:
        s, team, active = self.script, self.team, self.active_mentorship
        mentor, mentee = self.mentor, self.mentee
        s.record(self.request(mentee, mentor), active, team)
        s.record(t.MoreInformationRequested(mentor_id=mentor), active, team)
        s.record(
            t.MentorshipRequestClarified(mentee_id=mentee, expires_at=FAR_FUTURE),
            active,
            team,
        )
        s.record(t.MentorshipAccepted(mentor_id=mentor, mentee_id=mentee), active, team)
        session = t.SessionLogged(
            session_id=uuid4(),
            held_on=date.today() - timedelta(days=2),
            minutes=45,
            logged_by=mentee,
        )
        s.record(session, active, team)
        goal = uuid4()
        s.record(
            t.GoalSet(goal_id=goal, title="Learn IIIF", set_by=mentee), active, team
        )
        s.record(
            t.GoalProgressed(goal_id=goal, progress=100, reported_by=mentee),
            active,
            team,
        )
        s.record(
            t.FeedbackGiven(given_by=mentee, side="mentee", rating=5), active, team
        )
        self.record_closed_mentorships()

    def record_closed_mentorships(self) -> None:
        s, team = self.script, self.team
        declined, expired, ended = uuid4(), uuid4(), uuid4()
        second, shared = self.second_mentee, self.shared_mentor
        s.record(self.request(second, shared), declined, team)
        s.record(
            t.MentorshipDeclined(mentor_id=shared, reason="Full this term"),
            declined,
            team,
        )
        s.record(self.request(second, self.mentor), expired, team)
        s.record(t.MentorshipExpired(mentor_id=self.mentor), expired, team)
        s.record(self.request(second, shared, choice=2), ended, team)
        s.record(t.MentorshipAccepted(mentor_id=shared, mentee_id=second), ended, team)
        s.record(t.MentorshipEnded(outcome="completed", ended_by=second), ended, team)
        withdrawn = uuid4()
        s.record(self.request(second, self.mentor, choice=3), withdrawn, team)
        s.record(
            t.MentorshipWithdrawn(
                mentor_id=self.mentor, mentee_id=second, withdrawn_by=second
            ),
            withdrawn,
            team,
        )
        waiting = uuid4()
        s.record(self.request(self.leaver, shared), waiting, team)

    @staticmethod
    def request(mentee: UUID, mentor: UUID, choice: int = 1) -> t.MentorshipRequested:
        return t.MentorshipRequested(
            mentee_id=mentee, mentor_id=mentor, expires_at=FAR_FUTURE, choice=choice
        )

    def record_resources(self) -> None:
        s, team, by = self.script, self.team, self.coordinator
        tags = [r.SkillTag(skill_id="esco.digital-curation", because="it says so")]
        catalogued = r.ResourceCatalogued(
            url="https://example.org/iiif",
            title="IIIF in practice",
            resource_type="guide",
            topics=["IIIF"],
            skill_tags=tags,
        )
        s.record(catalogued, self.resource)
        retired = uuid4()
        s.record(catalogued.model_copy(update={"title": "Old guide"}), retired)
        s.record(r.ResourceRetired(reason="dead link"), retired)
        restored = uuid4()
        s.record(catalogued.model_copy(update={"title": "Found again"}), restored)
        s.record(r.ResourceRetired(reason="dead link"), restored)
        s.record(r.ResourceRestored(reason="the link works again"), restored)
        published = r.MaterialPublished(
            title="Our map room",
            body_markdown="Welcome",
            skill_tags=tags,
            published_by=by,
        )
        s.record(published, self.material, team)
        revised = r.MaterialRevised(
            title="Our map room (2025)",
            links=[r.Link(url="https://example.org/maps")],
            skill_tags=tags,
            revised_by=by,
        )
        s.record(revised, self.material, team)
        withdrawn = uuid4()
        s.record(published, withdrawn, team)
        s.record(r.MaterialWithdrawn(withdrawn_by=by), withdrawn, team)
        self.record_distribution()

    def record_distribution(self) -> None:
        s, team = self.script, self.team
        audience = r.Audience(kind="team")
        recipients = [self.mentor, self.mentee, self.second_mentee]
        shared = r.ResourceShared(
            resource_id=self.resource,
            audience=audience,
            recipients=recipients,
            note="read this",
            shared_by=self.coordinator,
        )
        s.record(shared, uuid4(), team)
        progress = uuid4()
        s.record(
            r.ResourceOpened(resource_id=self.resource, member_id=self.mentee),
            progress,
            team,
        )
        s.record(
            r.ResourceCompleted(resource_id=self.resource, member_id=self.mentee),
            progress,
            team,
        )
        s.record(
            r.ResourceOpened(resource_id=self.resource, member_id=self.mentor),
            uuid4(),
            team,
        )

    def record_matching(self) -> None:
        s, team, by = self.script, self.team, self.coordinator
        candidate = m.RankedCandidate(mentor_id=self.mentor, rank=1, score=0.8)
        ranked = m.MentorCandidatesRanked(mentee_id=self.mentee, candidates=[candidate])
        s.record(ranked, m.candidate_list_id(team, self.mentee), team)
        pairing = uuid4()
        pair = m.ProposedPair(mentee_id=self.mentee, mentor_id=self.mentor, score=0.8)
        s.record(m.PairingProposed(pair=pair, proposed_by=by), pairing, team)
        published = m.PairingPublished(
            objective="most_matched", pairs=1, total_score=0.8, published_by=by
        )
        s.record(published, pairing, team)
        group = m.SuggestedGroup(member_ids=[self.mentee, self.second_mentee])
        suggested = m.GroupsSuggested(
            basis="geography", smallest=2, largest=2, groups=[group], suggested_by=by
        )
        s.record(suggested, uuid4(), team)

    def record_growth(self) -> None:
        """Referrals, a new cohort, a pause for silence, a graduation."""
        s, team, by = self.script, self.team, self.coordinator
        approved, declined = uuid4(), uuid4()
        for referral in (approved, declined):
            referred = t.MemberReferred(
                email_hash="b" * 64,
                roles=["mentee"],
                referred_by=self.mentor,
                expires_at=FAR_FUTURE,
                awaiting_approval=True,
            )
            s.record(referred, referral, team)
        s.record(
            t.ReferralApproved(approved_by=by, expires_at=FAR_FUTURE), approved, team
        )
        s.record(t.ReferralDeclined(declined_by=by), declined, team)
        s.record(
            t.CohortRolledOver(
                ended_cohort_starts_on=COHORT - timedelta(days=365),
                ended_cohort_ends_on=COHORT - timedelta(days=1),
                cohort_starts_on=COHORT,
                cohort_ends_on=COHORT + timedelta(days=364),
                carried_over_mentee_ids=[self.second_mentee],
                returning_mentor_ids=[self.shared_mentor],
                rolled_over_by=by,
            ),
            team,
            team,
        )
        confirmed = t.MentorCapacityConfirmed(
            person_id=self.shared_mentor, mentor_capacity=1, cohort_starts_on=COHORT
        )
        s.record(confirmed, team, team)
        paused = t.MentorPaused(person_id=self.mentor, expired_requests=2)
        s.record(paused, team, team)
        s.record(t.MentorResumed(person_id=self.mentor, resumed_by=by), team, team)
        still_paused = t.MentorPaused(person_id=self.shared_mentor, expired_requests=3)
        s.record(still_paused, self.other_team, self.other_team)
        invited = t.GraduationInvited(
            person_id=self.mentee,
            mentorship_id=self.active_mentorship,
            goal_titles=["Learn IIIF"],
        )
        s.record(invited, team, team)
        s.record(
            t.GraduationAccepted(person_id=self.mentee, mentor_capacity=1), team, team
        )

    def record_departures(self) -> None:
        left = t.MemberLeft(person_id=self.leaver, removed_by=self.leaver)
        self.script.record(left, self.team, self.team)
