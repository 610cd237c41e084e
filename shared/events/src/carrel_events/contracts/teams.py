"""Events of the teams service: teams, members, invitations, groups, mentorships.

Every teams envelope carries the ``team_id`` of the team the event happened in
(a team's own events carry its own id). Private words stay out of these
payloads even though the teams event store keeps them: email addresses (only
a hash travels), invitation and join tokens, the message of a mentorship
request, the mentor's question and the mentee's answer, session notes and the
comments of feedback.
"""

from datetime import date, datetime
from typing import Literal, Self
from uuid import UUID

from pydantic import Field, model_validator

from carrel_events.catalogue import Catalogue, EventPayload
from carrel_events.contracts.common import ShortText, ValueObject

TeamKind = Literal["library", "association", "consortium"]
MemberRole = Literal["coordinator", "mentor", "mentee"]
ProgrammeMode = Literal["rolling", "cohort"]
MatchingCriterion = Literal[
    "same_country",
    "same_region",
    "same_time_zone",
    "shared_language",
    "compatible_meeting_preference",
    "learning_goal_covered",
]
Audience = Literal["coordinators", "mentors", "team", "consortium"]
JoinRoute = Literal["founder", "invitation", "join_link"]
InvitationSource = Literal["single", "csv"]
GroupOrigin = Literal["manual", "suggestion"]
PairSide = Literal["mentor", "mentee"]
PageAudience = Literal["public", "members"]
MentorshipOutcome = Literal["completed", "ended_early"]


class MatchingWeights(ValueObject):
    """How much each kind of fit counts when matching ranks mentors, 0 to 1."""

    skills: float = Field(default=0.35, ge=0, le=1)
    learning_goals: float = Field(default=0.25, ge=0, le=1)
    aspirations: float = Field(default=0.15, ge=0, le=1)
    interests: float = Field(default=0.1, ge=0, le=1)
    place: float = Field(default=0.1, ge=0, le=1)
    availability: float = Field(default=0.05, ge=0, le=1)


class ExcludedPair(ValueObject):
    """A mentor and a mentee that matching must never pair."""

    mentor_id: UUID
    mentee_id: UUID


class Visibility(ValueObject):
    """Who may see whom in the team's directory."""

    mentors_visible_to: Audience = "team"
    mentees_visible_to: Audience = "mentors"


class ProgrammeSettings(ValueObject):
    """How a team runs its programme; matching reads the matching part."""

    mode: ProgrammeMode = "rolling"
    cohort_starts_on: date | None = None
    cohort_ends_on: date | None = None
    default_mentor_capacity: int = Field(default=2, ge=1, le=20)
    request_expiry_hours: int = Field(default=14 * 24, ge=1, le=90 * 24)
    matching_weights: MatchingWeights = MatchingWeights()
    must_haves: list[MatchingCriterion] = Field(default_factory=list, max_length=6)
    exclude_same_institution: bool = False
    excluded_pairs: list[ExcludedPair] = Field(default_factory=list, max_length=1000)
    visibility: Visibility = Visibility()
    referrals_need_approval: bool = True
    """A member's referral waits for a coordinator's approval before its link works."""
    pause_after_expired_requests: int = Field(default=3, ge=1, le=20)
    """A mentor who lets this many requests in a row expire is paused."""
    programme_page_visible_to: PageAudience = "members"
    """Who may read the team's programme page: anyone with its address, or members."""
    programme_summary: str = Field(default="", max_length=2000)
    """What the programme offers, in the coordinator's words, for its page."""
    welcome_resource_ids: list[UUID] = Field(default_factory=list, max_length=20)
    """Resources shared with each newcomer as they join, with no one sending them."""

    @model_validator(mode="after")
    def _cohort_has_dates(self) -> Self:
        if self.mode == "rolling":
            if self.cohort_starts_on or self.cohort_ends_on:
                raise ValueError("a rolling programme has no cohort dates")
            return self
        if self.cohort_starts_on is None or self.cohort_ends_on is None:
            raise ValueError("a cohort needs cohort_starts_on and cohort_ends_on")
        if self.cohort_ends_on <= self.cohort_starts_on:
            raise ValueError("a cohort must end after it starts")
        return self


class TeamEvent(EventPayload):
    aggregate_type = "Team"


class InvitationEvent(EventPayload):
    aggregate_type = "Invitation"


class GroupEvent(EventPayload):
    aggregate_type = "Group"


class MentorshipEvent(EventPayload):
    aggregate_type = "Mentorship"


class TeamCreated(TeamEvent):
    event_type = "TeamCreated"

    name: ShortText = Field(min_length=1)
    kind: TeamKind
    settings: ProgrammeSettings
    founded_by: UUID


class TeamSettingsChanged(TeamEvent):
    event_type = "TeamSettingsChanged"

    settings: ProgrammeSettings
    changed_by: UUID


class ConsortiumMemberTeamAdded(TeamEvent):
    """A consortium names a member team; its mentors join the pool on consent."""

    event_type = "ConsortiumMemberTeamAdded"

    member_team_id: UUID
    added_by: UUID


class ConsortiumConsentGiven(TeamEvent):
    """A member team's coordinator lets the consortium share its mentors."""

    event_type = "ConsortiumConsentGiven"

    member_team_id: UUID
    given_by: UUID


class ConsortiumConsentWithdrawn(TeamEvent):
    event_type = "ConsortiumConsentWithdrawn"

    member_team_id: UUID
    withdrawn_by: UUID


class MemberJoined(TeamEvent):
    event_type = "MemberJoined"

    person_id: UUID
    """The member's profile id."""
    roles: list[MemberRole] = Field(min_length=1, max_length=3)
    mentor_capacity: int | None = Field(default=None, ge=0, le=20)
    """None: the team's default capacity applies."""
    via: JoinRoute
    admitted_by: UUID | None = None
    referred_by: UUID | None = None
    """The member whose referral brought them, when the invitation was a referral."""


class MemberRoleChanged(TeamEvent):
    event_type = "MemberRoleChanged"

    person_id: UUID
    roles: list[MemberRole] = Field(min_length=1, max_length=3)
    changed_by: UUID


class MentorCapacityChanged(TeamEvent):
    event_type = "MentorCapacityChanged"

    person_id: UUID
    mentor_capacity: int | None = Field(default=None, ge=0, le=20)
    changed_by: UUID


class MemberLeft(TeamEvent):
    event_type = "MemberLeft"

    person_id: UUID
    removed_by: UUID
    """The member themselves when they left, or the coordinator who removed them."""


class MentorPaused(TeamEvent):
    """A mentor let ``expired_requests`` requests in a row expire: matching no
    longer offers them in this team until they resume."""

    event_type = "MentorPaused"

    person_id: UUID
    expired_requests: int = Field(ge=1)


class MentorResumed(TeamEvent):
    event_type = "MentorResumed"

    person_id: UUID
    resumed_by: UUID


class GraduationInvited(TeamEvent):
    """A mentee whose mentorship completed with feedback is invited to mentor."""

    event_type = "GraduationInvited"

    person_id: UUID
    mentorship_id: UUID
    goal_titles: list[ShortText] = Field(default_factory=list, max_length=20)
    """The goals the mentee reached in that mentorship, to suggest what to teach."""


class GraduationAccepted(TeamEvent):
    """The graduate takes the mentor role (``MemberRoleChanged`` follows)."""

    event_type = "GraduationAccepted"

    person_id: UUID
    mentor_capacity: int = Field(ge=1, le=20)


class CohortRolledOver(TeamEvent):
    """One cohort ends and the next opens: unmatched mentees carry over, and
    returning mentors are asked to confirm their capacity."""

    event_type = "CohortRolledOver"

    ended_cohort_starts_on: date
    ended_cohort_ends_on: date
    cohort_starts_on: date
    cohort_ends_on: date
    carried_over_mentee_ids: list[UUID] = Field(max_length=100_000)
    returning_mentor_ids: list[UUID] = Field(max_length=100_000)
    rolled_over_by: UUID


class MentorCapacityConfirmed(TeamEvent):
    """A returning mentor confirms how many mentees they take in the new cohort."""

    event_type = "MentorCapacityConfirmed"

    person_id: UUID
    mentor_capacity: int = Field(ge=0, le=20)
    cohort_starts_on: date


class JoinLinkIssued(TeamEvent):
    event_type = "JoinLinkIssued"

    issued_by: UUID
    expires_at: datetime


class JoinRequested(TeamEvent):
    event_type = "JoinRequested"

    person_id: UUID
    roles: list[MemberRole] = Field(min_length=1, max_length=3)


class JoinDeclined(TeamEvent):
    event_type = "JoinDeclined"

    person_id: UUID
    declined_by: UUID


class MemberInvited(InvitationEvent):
    event_type = "MemberInvited"

    email_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    """SHA-256 of the trimmed, lower-cased address: comparable, not readable."""
    roles: list[MemberRole] = Field(min_length=1, max_length=3)
    invited_by: UUID
    expires_at: datetime
    source: InvitationSource


class MemberReferred(InvitationEvent):
    """A member invites a colleague; the link works once a coordinator approves,
    or at once when the team's settings need no approval."""

    event_type = "MemberReferred"

    email_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    roles: list[Literal["mentor", "mentee"]] = Field(min_length=1, max_length=2)
    referred_by: UUID
    expires_at: datetime
    awaiting_approval: bool


class ReferralApproved(InvitationEvent):
    event_type = "ReferralApproved"

    approved_by: UUID
    expires_at: datetime


class ReferralDeclined(InvitationEvent):
    event_type = "ReferralDeclined"

    declined_by: UUID


class InvitationResent(InvitationEvent):
    event_type = "InvitationResent"

    resent_by: UUID
    expires_at: datetime


class InvitationRevoked(InvitationEvent):
    event_type = "InvitationRevoked"

    revoked_by: UUID


class InvitationAccepted(InvitationEvent):
    event_type = "InvitationAccepted"

    person_id: UUID


class GroupCreated(GroupEvent):
    event_type = "GroupCreated"

    name: ShortText = Field(min_length=1)
    member_ids: list[UUID] = Field(max_length=500)
    origin: GroupOrigin
    suggestion_id: UUID | None = None
    """The matching ``GroupsSuggested`` the coordinator says the group came from.

    As the coordinator gave it: the teams service does not read matching's
    suggestions, so it does not check that the id names one of this team, nor
    that the members match it. A reader that needs it checked joins it with the
    ``GroupsSuggested`` of the same team."""
    created_by: UUID


class GroupRenamed(GroupEvent):
    event_type = "GroupRenamed"

    name: ShortText = Field(min_length=1)
    renamed_by: UUID


class GroupArchived(GroupEvent):
    event_type = "GroupArchived"

    archived_by: UUID


class GroupMemberAdded(GroupEvent):
    event_type = "GroupMemberAdded"

    person_id: UUID
    added_by: UUID


class GroupMemberRemoved(GroupEvent):
    event_type = "GroupMemberRemoved"

    person_id: UUID
    removed_by: UUID


class MentorshipRequested(MentorshipEvent):
    """A mentee asks a mentor; ``choice`` counts from 1 as earlier ones expire."""

    event_type = "MentorshipRequested"

    mentee_id: UUID
    mentor_id: UUID
    expires_at: datetime
    choice: int = Field(ge=1, le=10)
    previous_mentorship_id: UUID | None = None
    """The request that expired before this one, for a second or later choice."""
    mentor_team_id: UUID | None = None
    """The mentor's home team, where their load is counted: the envelope's team
    (the mentee's) unless the mentor comes from a consortium's shared pool.
    None on requests recorded before it was carried."""


class MoreInformationRequested(MentorshipEvent):
    """The mentor asks the mentee a question; now the mentee's answer is awaited."""

    event_type = "MoreInformationRequested"

    mentor_id: UUID
    expires_at: datetime | None = None
    """When the request expires unless the mentee answers: the team's limit from
    the question. None on questions recorded before the wait had a limit."""


class MentorshipRequestClarified(MentorshipEvent):
    """The mentee answered the mentor's question; the wait starts again."""

    event_type = "MentorshipRequestClarified"

    mentee_id: UUID
    expires_at: datetime


class MentorshipAccepted(MentorshipEvent):
    event_type = "MentorshipAccepted"

    mentor_id: UUID
    mentee_id: UUID


class MentorshipDeclined(MentorshipEvent):
    event_type = "MentorshipDeclined"

    mentor_id: UUID
    reason: ShortText = Field(min_length=1)


class MentorshipExpired(MentorshipEvent):
    """The request waited past the team's limit; ``next_mentor_id`` is asked next.

    ``awaited`` says whose answer it waited for: the mentor's, or the mentee's
    after the mentor asked for more information (then no next choice is asked:
    the mentee stopped answering). Alternatives who could not accept (left the
    pool, paused, at capacity, or already asked by this mentee) are passed over
    and named in ``skipped_mentor_ids``; if none could, ``next_mentor_id`` is
    None and they are all named there.
    """

    event_type = "MentorshipExpired"

    mentor_id: UUID
    next_mentor_id: UUID | None = None
    next_mentorship_id: UUID | None = None
    awaited: PairSide = "mentor"
    skipped_mentor_ids: list[UUID] = Field(default_factory=list, max_length=10)


class MentorshipWithdrawn(MentorshipEvent):
    """The mentee took back a request the mentor had not yet accepted or declined.

    The request is closed: no expiry, and no next choice is asked.
    """

    event_type = "MentorshipWithdrawn"

    mentor_id: UUID
    mentee_id: UUID
    withdrawn_by: UUID


class SessionLogged(MentorshipEvent):
    """A session of the pair; its notes stay in the teams service."""

    event_type = "SessionLogged"

    session_id: UUID
    held_on: date
    minutes: int = Field(ge=1, le=24 * 60)
    logged_by: UUID


class GoalSet(MentorshipEvent):
    event_type = "GoalSet"

    goal_id: UUID
    title: ShortText = Field(min_length=1)
    target_date: date | None = None
    set_by: UUID


class GoalProgressed(MentorshipEvent):
    event_type = "GoalProgressed"

    goal_id: UUID
    progress: int = Field(ge=0, le=100)
    """Percent done."""
    reported_by: UUID


class FeedbackGiven(MentorshipEvent):
    """A side's feedback; a later one of the same side replaces its earlier one."""

    event_type = "FeedbackGiven"

    given_by: UUID
    side: PairSide
    rating: int = Field(ge=1, le=5)


class MentorshipEnded(MentorshipEvent):
    event_type = "MentorshipEnded"

    outcome: MentorshipOutcome
    ended_by: UUID


EVENTS: tuple[type[EventPayload], ...] = (
    TeamCreated,
    TeamSettingsChanged,
    ConsortiumMemberTeamAdded,
    ConsortiumConsentGiven,
    ConsortiumConsentWithdrawn,
    MemberJoined,
    MemberRoleChanged,
    MentorCapacityChanged,
    MemberLeft,
    MentorPaused,
    MentorResumed,
    GraduationInvited,
    GraduationAccepted,
    CohortRolledOver,
    MentorCapacityConfirmed,
    JoinLinkIssued,
    JoinRequested,
    JoinDeclined,
    MemberInvited,
    MemberReferred,
    ReferralApproved,
    ReferralDeclined,
    InvitationResent,
    InvitationRevoked,
    InvitationAccepted,
    GroupCreated,
    GroupRenamed,
    GroupArchived,
    GroupMemberAdded,
    GroupMemberRemoved,
    MentorshipRequested,
    MoreInformationRequested,
    MentorshipRequestClarified,
    MentorshipAccepted,
    MentorshipDeclined,
    MentorshipExpired,
    MentorshipWithdrawn,
    SessionLogged,
    GoalSet,
    GoalProgressed,
    FeedbackGiven,
    MentorshipEnded,
)


def register_upcasters(catalogue: Catalogue) -> None:
    """Teams events are all at their first version; nothing to lift yet."""
