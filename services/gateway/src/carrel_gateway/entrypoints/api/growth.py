"""The growth loop of a team (teams service): referrals, pauses for silence,
graduation to mentor, cohort rollover.

A referral's link is accepted like an invitation's, at
``POST /api/v1/sessions/invitation``.
"""

from uuid import UUID

from fastapi import APIRouter, status
from starlette.responses import Response

from carrel_gateway.entrypoints.api.bodies import JsonBody
from carrel_gateway.entrypoints.dependencies import (
    Coordinator,
    GatewayDep,
    RelayDep,
    SelfOrCoordinator,
    TeamMember,
)

router = APIRouter(prefix="/api/v1/teams/{team_id}", tags=["growth"])


async def _referral(relay: RelayDep, team_id: UUID, invitation_id: UUID) -> str:
    """The teams service's path of a referral of this team; 404 if of another."""
    await relay.ensure_in_team("teams", f"/api/v1/invitations/{invitation_id}", team_id)
    return f"/api/v1/referrals/{invitation_id}"


@router.post("/referrals", status_code=status.HTTP_201_CREATED)
async def refer(
    team_id: UUID, body: JsonBody, _: TeamMember, relay: RelayDep
) -> Response:
    """Refer a colleague (name, email, roles mentor or mentee); any member.

    The answer holds the link when the team needs no approval; otherwise the
    link comes with a coordinator's approval.
    """
    return await relay.to("teams", f"/api/v1/teams/{team_id}/referrals")


@router.get("/referrals")
async def referrals_awaiting(
    team_id: UUID, _: Coordinator, relay: RelayDep
) -> Response:
    """Referrals waiting for approval, oldest first; coordinators only."""
    return await relay.to("teams", f"/api/v1/teams/{team_id}/referrals")


@router.post("/referrals/{invitation_id}/approve")
async def approve_referral(
    team_id: UUID, invitation_id: UUID, body: JsonBody, _: Coordinator, relay: RelayDep
) -> Response:
    """Approve a referral; the answer holds the link that now works."""
    path = await _referral(relay, team_id, invitation_id)
    return await relay.to("teams", f"{path}/approve")


@router.post("/referrals/{invitation_id}/decline")
async def decline_referral(
    team_id: UUID, invitation_id: UUID, body: JsonBody, _: Coordinator, relay: RelayDep
) -> Response:
    """Decline a referral waiting for approval; coordinators only."""
    path = await _referral(relay, team_id, invitation_id)
    return await relay.to("teams", f"{path}/decline")


@router.get("/members/{member_id}/standing")
async def standing(
    team_id: UUID, member_id: SelfOrCoordinator, relay: RelayDep
) -> Response:
    """Paused for silence and why, invited to mentor, capacity to confirm."""
    path = f"/api/v1/teams/{team_id}/members/{member_id}/standing"
    return await relay.to("teams", path)


@router.post("/members/{member_id}/resume")
async def resume(
    team_id: UUID, member_id: SelfOrCoordinator, relay: RelayDep
) -> Response:
    """Take requests again after a pause for silence; the mentor or a coordinator."""
    return await relay.to(
        "teams", f"/api/v1/teams/{team_id}/members/{member_id}/resume"
    )


@router.post("/graduation/accept")
async def accept_graduation(
    team_id: UUID,
    body: JsonBody,
    _: TeamMember,
    relay: RelayDep,
    gateway: GatewayDep,
) -> Response:
    """Accept the invitation to mentor (mentor_capacity); the caller mentors next."""
    answer = await relay.to("teams", f"/api/v1/teams/{team_id}/graduation/accept")
    gateway.memberships.forget(team_id)
    return answer


@router.post("/cohort/rollover")
async def roll_over(
    team_id: UUID, body: JsonBody, _: Coordinator, relay: RelayDep
) -> Response:
    """End the cohort and open the next (cohort_starts_on, cohort_ends_on)."""
    return await relay.to("teams", f"/api/v1/teams/{team_id}/cohort/rollover")


@router.post("/members/{member_id}/capacity-confirmation")
async def confirm_capacity(
    team_id: UUID, member_id: SelfOrCoordinator, body: JsonBody, relay: RelayDep
) -> Response:
    """Confirm a returning mentor's capacity for the new cohort (mentor_capacity)."""
    path = f"/api/v1/teams/{team_id}/members/{member_id}/capacity-confirmation"
    return await relay.to("teams", path)
