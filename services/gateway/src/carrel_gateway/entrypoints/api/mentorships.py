"""Mentorships inside a team: request, answer or withdraw, sessions, goals, end.

The teams service knows a mentorship by its own id; the gateway reaches it only
through its team, and checks that the mentorship is of that team first.
"""

from uuid import UUID

from fastapi import APIRouter, status
from starlette.responses import Response

from carrel_gateway.entrypoints.api.documented import (
    AnswerBody,
    Created,
    DeclineBody,
    EndingBody,
    FeedbackBody,
    GoalBody,
    MentorshipList,
    MentorshipRequestBody,
    MentorshipView,
    ProgressBody,
    QuestionBody,
    Recorded,
    SessionBody,
    SessionView,
    VersionedBody,
)
from carrel_gateway.entrypoints.dependencies import RelayDep, TeamMember

router = APIRouter(prefix="/api/v1/teams/{team_id}/mentorships", tags=["mentorships"])


async def _in_team(relay: RelayDep, team_id: UUID, mentorship_id: UUID) -> str:
    path = f"/api/v1/mentorships/{mentorship_id}"
    await relay.ensure_in_team("teams", path, team_id)
    return path


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Recorded)
async def request_mentorship(
    team_id: UUID, body: MentorshipRequestBody, _: TeamMember, relay: RelayDep
) -> Response:
    """Ask a mentor (mentor_id, message); the caller is the mentee."""
    return await relay.to("teams", f"/api/v1/teams/{team_id}/mentorships")


@router.get("", response_model=MentorshipList)
async def list_mentorships(team_id: UUID, _: TeamMember, relay: RelayDep) -> Response:
    """The caller's mentorships in the team, as mentee or mentor."""
    return await relay.to("teams", f"/api/v1/teams/{team_id}/mentorships")


@router.get("/{mentorship_id}", response_model=MentorshipView)
async def read_mentorship(
    team_id: UUID, mentorship_id: UUID, _: TeamMember, relay: RelayDep
) -> Response:
    """A mentorship, for its pair and the team's coordinators."""
    return await relay.to("teams", await _in_team(relay, team_id, mentorship_id))


@router.post("/{mentorship_id}/accept", response_model=Recorded)
async def accept(
    team_id: UUID,
    mentorship_id: UUID,
    body: VersionedBody,
    _: TeamMember,
    relay: RelayDep,
) -> Response:
    """Accept a request; only the mentor it names, and never past capacity."""
    path = await _in_team(relay, team_id, mentorship_id)
    return await relay.to("teams", f"{path}/accept")


@router.post("/{mentorship_id}/decline", response_model=Recorded)
async def decline(
    team_id: UUID,
    mentorship_id: UUID,
    body: DeclineBody,
    _: TeamMember,
    relay: RelayDep,
) -> Response:
    """Decline a request with a reason; only the mentor it names."""
    path = await _in_team(relay, team_id, mentorship_id)
    return await relay.to("teams", f"{path}/decline")


@router.post("/{mentorship_id}/withdraw", response_model=Recorded)
async def withdraw(
    team_id: UUID,
    mentorship_id: UUID,
    body: VersionedBody,
    _: TeamMember,
    relay: RelayDep,
) -> Response:
    """Take back a request not yet accepted or declined; only its mentee."""
    path = await _in_team(relay, team_id, mentorship_id)
    return await relay.to("teams", f"{path}/withdraw")


@router.post("/{mentorship_id}/information-requests", response_model=Recorded)
async def ask_for_information(
    team_id: UUID,
    mentorship_id: UUID,
    body: QuestionBody,
    _: TeamMember,
    relay: RelayDep,
) -> Response:
    """Ask the mentee for more information before answering."""
    path = await _in_team(relay, team_id, mentorship_id)
    return await relay.to("teams", f"{path}/information-requests")


@router.post("/{mentorship_id}/clarification", response_model=Recorded)
async def clarify(
    team_id: UUID, mentorship_id: UUID, body: AnswerBody, _: TeamMember, relay: RelayDep
) -> Response:
    """Answer the mentor's question; the request waits afresh."""
    path = await _in_team(relay, team_id, mentorship_id)
    return await relay.to("teams", f"{path}/clarification")


@router.get("/{mentorship_id}/sessions", response_model=list[SessionView])
async def list_sessions(
    team_id: UUID, mentorship_id: UUID, _: TeamMember, relay: RelayDep
) -> Response:
    """The pair's sessions; notes only for the mentor and the mentee."""
    path = await _in_team(relay, team_id, mentorship_id)
    return await relay.to("teams", f"{path}/sessions")


@router.post(
    "/{mentorship_id}/sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
)
async def log_session(
    team_id: UUID,
    mentorship_id: UUID,
    body: SessionBody,
    _: TeamMember,
    relay: RelayDep,
) -> Response:
    """Log a session of the pair (held_on, minutes, private notes)."""
    path = await _in_team(relay, team_id, mentorship_id)
    return await relay.to("teams", f"{path}/sessions")


@router.post(
    "/{mentorship_id}/goals",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
)
async def set_goal(
    team_id: UUID, mentorship_id: UUID, body: GoalBody, _: TeamMember, relay: RelayDep
) -> Response:
    """Set a goal of the mentorship (title, target date)."""
    path = await _in_team(relay, team_id, mentorship_id)
    return await relay.to("teams", f"{path}/goals")


@router.put("/{mentorship_id}/goals/{goal_id}/progress", response_model=Recorded)
async def progress_goal(
    team_id: UUID,
    mentorship_id: UUID,
    goal_id: UUID,
    body: ProgressBody,
    _: TeamMember,
    relay: RelayDep,
) -> Response:
    """Report how far a goal has come, in percent."""
    path = await _in_team(relay, team_id, mentorship_id)
    return await relay.to("teams", f"{path}/goals/{goal_id}/progress")


@router.post(
    "/{mentorship_id}/feedback",
    status_code=status.HTTP_201_CREATED,
    response_model=Recorded,
)
async def give_feedback(
    team_id: UUID,
    mentorship_id: UUID,
    body: FeedbackBody,
    _: TeamMember,
    relay: RelayDep,
) -> Response:
    """Give feedback (rating 1-5, comment) as the mentor or the mentee."""
    path = await _in_team(relay, team_id, mentorship_id)
    return await relay.to("teams", f"{path}/feedback")


@router.post("/{mentorship_id}/end", response_model=Recorded)
async def end(
    team_id: UUID, mentorship_id: UUID, body: EndingBody, _: TeamMember, relay: RelayDep
) -> Response:
    """End or complete the mentorship; the mentor's place is freed."""
    path = await _in_team(relay, team_id, mentorship_id)
    return await relay.to("teams", f"{path}/end")
