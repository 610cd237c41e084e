"""Mentorships: the request and its answer, then sessions, goals and feedback."""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from carrel_events.contracts.common import LongText, ShortText
from carrel_events.contracts.teams import MentorshipOutcome
from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from carrel_teams.adapters.recorders import MentorshipPage, MentorshipRow
from carrel_teams.domain.mentorship import MAX_ALTERNATIVES, Mentorship
from carrel_teams.entrypoints.api.dependencies import (
    Actor,
    Body,
    Correlation,
    Recorded,
    Teams,
    Versioned,
)

router = APIRouter(prefix="/api/v1", tags=["mentorships"])


class MentorshipRequest(Body):
    mentor_id: UUID
    message: LongText = Field(min_length=1)
    alternative_mentor_ids: list[UUID] = Field(
        default_factory=list, max_length=MAX_ALTERNATIVES
    )
    """Further mentors, in order, asked one by one if a request expires."""


class Decline(Versioned):
    reason: ShortText = Field(min_length=1)


class Question(Versioned):
    question: LongText = Field(min_length=1)


class Answer(Versioned):
    answer: LongText = Field(min_length=1)


class SessionLog(Versioned):
    held_on: date
    minutes: int = Field(ge=1, le=24 * 60, strict=True)
    notes: LongText = ""
    """Seen by the mentor and the mentee alone."""


class GoalCreate(Versioned):
    title: ShortText = Field(min_length=1)
    target_date: date | None = None


class GoalProgress(Versioned):
    progress: int = Field(ge=0, le=100, strict=True)


class FeedbackCreate(Versioned):
    rating: int = Field(ge=1, le=5, strict=True)
    comment: LongText = ""


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
    """For the pair only."""


class MentorshipView(BaseModel):
    id: UUID
    version: int
    team_id: UUID
    mentor_team_id: UUID
    """The mentor's home team: the team itself, or one sharing a consortium pool."""
    mentee_id: UUID
    mentor_id: UUID
    status: str
    choice: int
    expires_at: datetime
    message: str | None
    """The request's words, the question and the answer: for the pair only."""
    question: str | None
    answer: str | None
    decline_reason: str | None
    next_mentorship_id: UUID | None
    skipped_mentor_ids: list[UUID]
    """Alternatives passed over at expiry because they could not accept; with no
    ``next_mentorship_id``, none of the mentee's alternatives could."""
    goals: list[GoalView]
    feedback: list[FeedbackView]
    """Each side's latest feedback."""
    outcome: str | None


class MentorshipSummary(BaseModel):
    id: UUID
    version: int
    team_id: UUID
    """The mentee's team, which the mentorship belongs to."""
    mentor_team_id: UUID
    """The mentor's home team; another team of a consortium's shared pool."""
    mentee_id: UUID
    mentor_id: UUID
    status: str
    choice: int
    side: Literal["mentor", "mentee"] | None
    """The listed member's side; None in a coordinator's list of everyone's."""
    other_party_id: UUID | None
    """The listed member's mentor or mentee; None in the list of everyone's."""
    message: str | None
    """The request's words, for the pair only."""
    expires_at: datetime
    created_at: datetime
    updated_at: datetime


class MentorshipList(BaseModel):
    total: int
    limit: int
    offset: int
    mentorships: list[MentorshipSummary]
    """Most recently changed first."""


class SessionView(BaseModel):
    session_id: UUID
    held_on: date
    minutes: int
    logged_by: UUID
    notes: str | None
    """None unless the reader is the mentor or the mentee."""


class Created(Recorded):
    created_id: UUID
    """The session's or goal's own id."""


def recorded(mentorship: Mentorship) -> Recorded:
    return Recorded(id=mentorship.id, version=mentorship.version)


def mentorship_summary(
    row: MentorshipRow, whose: UUID | None, viewer: UUID
) -> MentorshipSummary:
    side: Literal["mentor", "mentee"] | None = None
    if whose is not None:
        side = "mentor" if whose == row.mentor_id else "mentee"
    other = {"mentor": row.mentee_id, "mentee": row.mentor_id, None: None}[side]
    return MentorshipSummary(
        id=row.mentorship_id,
        version=row.version,
        team_id=row.team_id,
        mentor_team_id=row.mentor_team_id,
        mentee_id=row.mentee_id,
        mentor_id=row.mentor_id,
        status=row.status,
        choice=row.choice,
        side=side,
        other_party_id=other,
        message=row.message if viewer in (row.mentor_id, row.mentee_id) else None,
        expires_at=row.expires_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def mentorship_list(
    page: MentorshipPage, whose: UUID | None, viewer: UUID, limit: int, offset: int
) -> MentorshipList:
    return MentorshipList(
        total=page.total,
        limit=limit,
        offset=offset,
        mentorships=[mentorship_summary(row, whose, viewer) for row in page.rows],
    )


def mentorship_view(mentorship: Mentorship, private: bool) -> MentorshipView:
    return MentorshipView(
        id=mentorship.id,
        version=mentorship.version,
        team_id=mentorship.team_id,
        mentor_team_id=mentorship.mentor_team_id or mentorship.team_id,
        mentee_id=mentorship.mentee_id,
        mentor_id=mentorship.mentor_id,
        status=mentorship.status,
        choice=mentorship.choice,
        expires_at=mentorship.expires_at,
        message=mentorship.message if private else None,
        question=mentorship.question if private else None,
        answer=mentorship.answer if private else None,
        decline_reason=mentorship.decline_reason,
        next_mentorship_id=mentorship.next_mentorship_id,
        skipped_mentor_ids=mentorship.skipped_mentor_ids,
        goals=[
            GoalView.model_validate(g, from_attributes=True)
            for g in mentorship.goals.values()
        ],
        feedback=[
            FeedbackView(
                side="mentor" if given.side == "mentor" else "mentee",
                rating=given.rating,
                comment=given.comment if private else None,
            )
            for given in mentorship.feedback
        ],
        outcome=mentorship.outcome,
    )


@router.post("/teams/{team_id}/mentorships", status_code=status.HTTP_201_CREATED)
def request_mentorship(
    team_id: UUID,
    body: MentorshipRequest,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Ask a mentor, with a message; the acting member is the mentee."""
    mentorship = teams.request_mentorship(
        team_id,
        actor,
        body.mentor_id,
        body.message,
        body.alternative_mentor_ids,
        correlation,
    )
    return recorded(mentorship)


@router.get("/teams/{team_id}/mentorships")
def list_mentorships(
    team_id: UUID,
    teams: Teams,
    actor: Actor,
    member: Annotated[UUID | None, Query()] = None,
    everyone: Annotated[bool, Query(alias="all")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> MentorshipList:
    """The caller's mentorships in the team; coordinators: ?member= or ?all=true."""
    page = teams.mentorships_in(team_id, actor, member, everyone, (limit, offset))
    whose = None if everyone else (member or actor)
    return mentorship_list(page, whose, actor, limit, offset)


@router.get("/mentorships/{mentorship_id}")
def read_mentorship(mentorship_id: UUID, teams: Teams, actor: Actor) -> MentorshipView:
    """A mentorship, for its pair and the team's coordinators."""
    mentorship, private = teams.mentorship_for(mentorship_id, actor)
    return mentorship_view(mentorship, private)


@router.post("/mentorships/{mentorship_id}/accept")
def accept(
    mentorship_id: UUID,
    body: Versioned,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Accept a request; only the mentor it names, and never past capacity."""
    mentorship = teams.accept_mentorship(
        mentorship_id, actor, body.expected_version, correlation
    )
    return recorded(mentorship)


@router.post("/mentorships/{mentorship_id}/decline")
def decline(
    mentorship_id: UUID,
    body: Decline,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Decline a request with a reason; only the mentor it names."""
    mentorship = teams.decline_mentorship(
        mentorship_id, actor, body.reason, body.expected_version, correlation
    )
    return recorded(mentorship)


@router.post("/mentorships/{mentorship_id}/withdraw")
def withdraw(
    mentorship_id: UUID,
    body: Versioned,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Take back a request not yet accepted or declined; only its mentee."""
    mentorship = teams.withdraw_mentorship(
        mentorship_id, actor, body.expected_version, correlation
    )
    return recorded(mentorship)


@router.post("/mentorships/{mentorship_id}/information-requests")
def ask_for_information(
    mentorship_id: UUID,
    body: Question,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Ask the mentee for more; they have the team's limit to answer."""
    mentorship = teams.ask_for_information(
        mentorship_id, actor, body.question, body.expected_version, correlation
    )
    return recorded(mentorship)


@router.post("/mentorships/{mentorship_id}/clarification")
def clarify(
    mentorship_id: UUID,
    body: Answer,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Answer the mentor's question; the mentor has the team's limit again."""
    mentorship = teams.clarify_request(
        mentorship_id, actor, body.answer, body.expected_version, correlation
    )
    return recorded(mentorship)


@router.post(
    "/mentorships/{mentorship_id}/sessions", status_code=status.HTTP_201_CREATED
)
def log_session(
    mentorship_id: UUID,
    body: SessionLog,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Created:
    """Log a session of the pair, with private notes."""
    mentorship, session_id = teams.log_session(
        mentorship_id,
        body.held_on,
        body.minutes,
        body.notes,
        actor,
        body.expected_version,
        correlation,
    )
    return Created(id=mentorship.id, version=mentorship.version, created_id=session_id)


@router.get("/mentorships/{mentorship_id}/sessions")
def list_sessions(mentorship_id: UUID, teams: Teams, actor: Actor) -> list[SessionView]:
    """The pair's sessions; notes only for the mentor and the mentee."""
    mentorship, private = teams.mentorship_for(mentorship_id, actor)
    return [
        SessionView(
            session_id=session.session_id,
            held_on=session.held_on,
            minutes=session.minutes,
            logged_by=session.logged_by,
            notes=session.notes if private else None,
        )
        for session in mentorship.sessions
    ]


@router.post("/mentorships/{mentorship_id}/goals", status_code=status.HTTP_201_CREATED)
def set_goal(
    mentorship_id: UUID,
    body: GoalCreate,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Created:
    """Set a goal of the mentorship."""
    mentorship, goal_id = teams.set_goal(
        mentorship_id,
        body.title,
        body.target_date,
        actor,
        body.expected_version,
        correlation,
    )
    return Created(id=mentorship.id, version=mentorship.version, created_id=goal_id)


@router.put("/mentorships/{mentorship_id}/goals/{goal_id}/progress")
def progress_goal(
    mentorship_id: UUID,
    goal_id: UUID,
    body: GoalProgress,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Report how far a goal has come, in percent."""
    mentorship = teams.progress_goal(
        mentorship_id, goal_id, body.progress, actor, body.expected_version, correlation
    )
    return recorded(mentorship)


@router.post(
    "/mentorships/{mentorship_id}/feedback", status_code=status.HTTP_201_CREATED
)
def give_feedback(
    mentorship_id: UUID,
    body: FeedbackCreate,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """Give feedback as the mentor or the mentee."""
    mentorship = teams.give_feedback(
        mentorship_id,
        body.rating,
        body.comment,
        actor,
        body.expected_version,
        correlation,
    )
    return recorded(mentorship)


@router.post("/mentorships/{mentorship_id}/end")
def end(
    mentorship_id: UUID,
    body: Ending,
    teams: Teams,
    actor: Actor,
    correlation: Correlation,
) -> Recorded:
    """End or complete the mentorship; the mentor's place is freed."""
    mentorship = teams.end_mentorship(
        mentorship_id, body.outcome, actor, body.expected_version, correlation
    )
    return recorded(mentorship)
