"""What the teams service takes and answers, as the gateway's OpenAPI describes it.

The gateway passes bodies and answers on as they are, and the service
validates (its 422 names the field and the rule). These models only describe
them: an answer as a route's ``response_model`` (FastAPI sends a ``Response``
the route returns as it is), a body as one of the ``...Body`` annotations
below, whose schema the document takes from :data:`DOCUMENTED_BODIES`. They
give field names and types, not every rule; a test compares their fields with
the service's own models.

Known shortcoming: the routes of profile, resources, matching and the
dashboard projection are not described this way yet.
"""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from carrel_events.contracts.teams import (
    GroupOrigin,
    MemberRole,
    MentorshipOutcome,
    ProgrammeSettings,
    TeamKind,
)
from pydantic import BaseModel, ConfigDict, WithJsonSchema

from carrel_gateway.entrypoints.api.bodies import JsonBody

DOCUMENTED_BODIES: dict[str, type[BaseModel]] = {}


def _as(model: type[BaseModel]) -> WithJsonSchema:
    """Document a body as ``model``; the document adds its schema."""
    DOCUMENTED_BODIES[model.__name__] = model
    return WithJsonSchema({"$ref": f"#/components/schemas/{model.__name__}"})


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Versioned(Request):
    expected_version: int | None = None
    """The version the client read; a different stored version answers 409."""


class Recorded(BaseModel):
    """What a command changed, and the version it is at now."""

    id: UUID
    version: int


class Created(Recorded):
    created_id: UUID
    """The session's or goal's own id."""


# Teams and their members.


class SettingsChange(Versioned):
    settings: ProgrammeSettings


class RolesChange(Versioned):
    roles: list[MemberRole]


class CapacityChange(Versioned):
    mentor_capacity: int | None
    """None returns the member to the team's default capacity."""


class MemberTeamAdd(Versioned):
    member_team_id: UUID


class Consent(Versioned):
    consent: bool
    """``expected_version`` is the consortium's."""


class MemberView(BaseModel):
    person_id: UUID
    roles: list[MemberRole]
    mentor_capacity: int


class MemberTeamView(BaseModel):
    team_id: UUID
    consent: bool


class TeamView(BaseModel):
    id: UUID
    version: int
    name: str
    kind: TeamKind
    settings: ProgrammeSettings
    member_count: int
    member_teams: list[MemberTeamView]
    join_requests: list[UUID]


class PoolMentor(BaseModel):
    team_id: UUID
    person_id: UUID
    mentor_capacity: int


class JoinLink(BaseModel):
    link: str
    expires_at: datetime


# Invitations.


class InvitationCreate(Request):
    name: str
    email: str
    roles: list[MemberRole]


class InvitationLink(BaseModel):
    id: UUID
    version: int
    link: str
    expires_at: datetime


class InvitationView(BaseModel):
    id: UUID
    version: int
    team_id: UUID
    status: str
    roles: list[MemberRole]
    expires_at: datetime


class RowAnswer(BaseModel):
    row: int
    """The line in the file, the header being row 1."""
    status: Literal["accepted", "rejected"]
    reason: str | None
    invitation_id: UUID | None
    link: str | None = None
    """An accepted row's invitation link, to send."""


class ImportAnswer(BaseModel):
    accepted: int
    rejected: int
    rows: list[RowAnswer]


# Mentorships.


class MentorshipRequest(Request):
    mentor_id: UUID
    message: str
    alternative_mentor_ids: list[UUID] = []
    """Further mentors, in order, asked one by one if a request expires."""


class Decline(Versioned):
    reason: str


class Question(Versioned):
    question: str


class Answer(Versioned):
    answer: str


class SessionLog(Versioned):
    held_on: date
    minutes: int
    notes: str = ""
    """Seen by the mentor and the mentee alone."""


class GoalCreate(Versioned):
    title: str
    target_date: date | None = None


class GoalProgress(Versioned):
    progress: int
    """In percent, 0 to 100."""


class FeedbackCreate(Versioned):
    rating: int
    """1 to 5."""
    comment: str = ""


class Ending(Versioned):
    outcome: MentorshipOutcome


class GoalView(BaseModel):
    goal_id: UUID
    title: str
    target_date: date | None
    progress: int


class FeedbackView(BaseModel):
    side: Literal["mentor", "mentee"]
    rating: int
    comment: str | None


class MentorshipView(BaseModel):
    id: UUID
    version: int
    team_id: UUID
    mentor_team_id: UUID
    mentee_id: UUID
    mentor_id: UUID
    status: str
    choice: int
    expires_at: datetime
    message: str | None
    question: str | None
    answer: str | None
    decline_reason: str | None
    next_mentorship_id: UUID | None
    skipped_mentor_ids: list[UUID]
    goals: list[GoalView]
    feedback: list[FeedbackView]
    outcome: str | None


class MentorshipSummary(BaseModel):
    id: UUID
    version: int
    team_id: UUID
    mentor_team_id: UUID
    mentee_id: UUID
    mentor_id: UUID
    status: str
    choice: int
    side: Literal["mentor", "mentee"] | None
    other_party_id: UUID | None
    message: str | None
    expires_at: datetime
    created_at: datetime
    updated_at: datetime


class MentorshipList(BaseModel):
    total: int
    limit: int
    offset: int
    mentorships: list[MentorshipSummary]


class SessionView(BaseModel):
    session_id: UUID
    held_on: date
    minutes: int
    logged_by: UUID
    notes: str | None


# Groups.


class GroupCreate(Request):
    name: str
    member_ids: list[UUID] = []
    suggestion_id: UUID | None = None
    """The matching suggestion this group accepts; none for a group made by hand."""


class GroupRename(Versioned):
    name: str


class GroupMemberAdd(Versioned):
    person_id: UUID


class GroupView(BaseModel):
    id: UUID
    version: int
    team_id: UUID
    name: str
    member_ids: list[UUID]
    origin: GroupOrigin
    suggestion_id: UUID | None
    archived: bool


# The bodies as routes take them: JSON objects, documented as the models above.

VersionedBody = Annotated[JsonBody, _as(Versioned)]
SettingsBody = Annotated[JsonBody, _as(SettingsChange)]
RolesBody = Annotated[JsonBody, _as(RolesChange)]
CapacityBody = Annotated[JsonBody, _as(CapacityChange)]
MemberTeamBody = Annotated[JsonBody, _as(MemberTeamAdd)]
ConsentBody = Annotated[JsonBody, _as(Consent)]
InvitationBody = Annotated[JsonBody, _as(InvitationCreate)]
MentorshipRequestBody = Annotated[JsonBody, _as(MentorshipRequest)]
DeclineBody = Annotated[JsonBody, _as(Decline)]
QuestionBody = Annotated[JsonBody, _as(Question)]
AnswerBody = Annotated[JsonBody, _as(Answer)]
SessionBody = Annotated[JsonBody, _as(SessionLog)]
GoalBody = Annotated[JsonBody, _as(GoalCreate)]
ProgressBody = Annotated[JsonBody, _as(GoalProgress)]
FeedbackBody = Annotated[JsonBody, _as(FeedbackCreate)]
EndingBody = Annotated[JsonBody, _as(Ending)]
GroupBody = Annotated[JsonBody, _as(GroupCreate)]
GroupRenameBody = Annotated[JsonBody, _as(GroupRename)]
GroupMemberBody = Annotated[JsonBody, _as(GroupMemberAdd)]
