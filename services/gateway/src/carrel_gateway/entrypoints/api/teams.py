"""A team, its settings, members, join link and invitations (teams service)."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, status
from starlette.responses import Response

from carrel_gateway.entrypoints.api.documented import (
    CapacityBody,
    ConsentBody,
    ImportAnswer,
    InvitationBody,
    InvitationLink,
    InvitationView,
    JoinLink,
    MemberTeamBody,
    MemberView,
    PoolMentor,
    Recorded,
    RolesBody,
    SettingsBody,
    TeamView,
    VersionedBody,
)
from carrel_gateway.entrypoints.dependencies import (
    Coordinator,
    GatewayDep,
    RelayDep,
    TeamMember,
)

router = APIRouter(prefix="/api/v1/teams", tags=["teams"])

CSV_UPLOAD: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}
ExpectedVersion = Annotated[int | None, Query(ge=1)]


@router.get("/{team_id}", response_model=TeamView)
async def read_team(team_id: UUID, _: TeamMember, relay: RelayDep) -> Response:
    """The team with its settings, member count and pending join requests."""
    return await relay.to("teams", f"/api/v1/teams/{team_id}")


@router.put("/{team_id}/settings", response_model=Recorded)
async def change_settings(
    team_id: UUID, body: SettingsBody, _: Coordinator, relay: RelayDep
) -> Response:
    """Replace the programme settings; coordinators only."""
    return await relay.to("teams", f"/api/v1/teams/{team_id}/settings")


@router.get("/{team_id}/members", response_model=list[MemberView])
async def list_members(team_id: UUID, _: TeamMember, relay: RelayDep) -> Response:
    """The team's members with their roles and mentor capacity."""
    return await relay.to("teams", f"/api/v1/teams/{team_id}/members")


@router.put("/{team_id}/members/{person_id}/roles", response_model=Recorded)
async def change_roles(
    team_id: UUID,
    person_id: UUID,
    body: RolesBody,
    _: Coordinator,
    relay: RelayDep,
    gateway: GatewayDep,
) -> Response:
    """Give a member other roles; coordinators only."""
    path = f"/api/v1/teams/{team_id}/members/{person_id}/roles"
    answer = await relay.to("teams", path)
    gateway.memberships.forget(team_id)
    return answer


@router.put("/{team_id}/members/{person_id}/mentor-capacity", response_model=Recorded)
async def set_mentor_capacity(
    team_id: UUID, person_id: UUID, body: CapacityBody, _: TeamMember, relay: RelayDep
) -> Response:
    """Set how many mentees a mentor takes; the mentor or a coordinator."""
    path = f"/api/v1/teams/{team_id}/members/{person_id}/mentor-capacity"
    return await relay.to("teams", path)


@router.delete("/{team_id}/members/{person_id}", response_model=Recorded)
async def remove_member(
    team_id: UUID,
    person_id: UUID,
    _: TeamMember,
    relay: RelayDep,
    gateway: GatewayDep,
    expected_version: ExpectedVersion = None,
) -> Response:
    """Leave the team, or remove a member as a coordinator."""
    answer = await relay.to("teams", f"/api/v1/teams/{team_id}/members/{person_id}")
    gateway.memberships.forget(team_id)
    return answer


@router.get("/{team_id}/mentor-pool", response_model=list[PoolMentor])
async def mentor_pool(team_id: UUID, _: TeamMember, relay: RelayDep) -> Response:
    """The team's mentors and those its consenting member teams share."""
    return await relay.to("teams", f"/api/v1/teams/{team_id}/mentor-pool")


@router.post("/{team_id}/member-teams", response_model=Recorded)
async def add_member_team(
    team_id: UUID, body: MemberTeamBody, _: Coordinator, relay: RelayDep
) -> Response:
    """Name a member team of this consortium (member_team_id); its consent follows."""
    return await relay.to("teams", f"/api/v1/teams/{team_id}/member-teams")


@router.put("/{team_id}/consortia/{consortium_id}/consent", response_model=Recorded)
async def consent_to_consortium(
    team_id: UUID,
    consortium_id: UUID,
    body: ConsentBody,
    _: Coordinator,
    relay: RelayDep,
) -> Response:
    """Share this team's mentors with a consortium (consent), or stop sharing."""
    path = f"/api/v1/teams/{consortium_id}/member-teams/{team_id}/consent"
    return await relay.to("teams", path)


@router.post(
    "/{team_id}/join-link",
    status_code=status.HTTP_201_CREATED,
    response_model=JoinLink,
)
async def issue_join_link(team_id: UUID, _: Coordinator, relay: RelayDep) -> Response:
    """Issue a join link; it replaces the previous one. Coordinators only."""
    return await relay.to("teams", f"/api/v1/teams/{team_id}/join-link")


@router.post("/{team_id}/join-requests/{person_id}/approve", response_model=Recorded)
async def approve_join(
    team_id: UUID,
    person_id: UUID,
    _: Coordinator,
    relay: RelayDep,
    gateway: GatewayDep,
) -> Response:
    """Approve a join request; the person becomes a member."""
    path = f"/api/v1/teams/{team_id}/join-requests/{person_id}/approve"
    answer = await relay.to("teams", path)
    gateway.memberships.forget(team_id)
    return answer


@router.post("/{team_id}/join-requests/{person_id}/decline", response_model=Recorded)
async def decline_join(
    team_id: UUID, person_id: UUID, _: Coordinator, relay: RelayDep
) -> Response:
    """Decline a join request."""
    path = f"/api/v1/teams/{team_id}/join-requests/{person_id}/decline"
    return await relay.to("teams", path)


@router.post(
    "/{team_id}/invitations",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationLink,
)
async def invite(
    team_id: UUID, body: InvitationBody, _: Coordinator, relay: RelayDep
) -> Response:
    """Invite one person (name, email, roles); the answer holds the link."""
    return await relay.to("teams", f"/api/v1/teams/{team_id}/invitations")


@router.post(
    "/{team_id}/invitations/import",
    openapi_extra=CSV_UPLOAD,
    response_model=ImportAnswer,
)
async def import_invitees(team_id: UUID, _: Coordinator, relay: RelayDep) -> Response:
    """Invite from a CSV (name,email,role): multipart ``file`` or text/csv."""
    return await relay.to("teams", f"/api/v1/teams/{team_id}/invitations/import")


@router.get("/{team_id}/invitations/{invitation_id}", response_model=InvitationView)
async def read_invitation(
    team_id: UUID, invitation_id: UUID, _: Coordinator, relay: RelayDep
) -> Response:
    """An invitation's state, without its address; coordinators only."""
    path = f"/api/v1/invitations/{invitation_id}"
    await relay.ensure_in_team("teams", path, team_id)
    return await relay.to("teams", path)


@router.post(
    "/{team_id}/invitations/{invitation_id}/resend", response_model=InvitationLink
)
async def resend_invitation(
    team_id: UUID,
    invitation_id: UUID,
    body: VersionedBody,
    _: Coordinator,
    relay: RelayDep,
) -> Response:
    """Send again with a new link; the old one stops working."""
    path = f"/api/v1/invitations/{invitation_id}"
    await relay.ensure_in_team("teams", path, team_id)
    return await relay.to("teams", f"{path}/resend")


@router.post("/{team_id}/invitations/{invitation_id}/revoke", response_model=Recorded)
async def revoke_invitation(
    team_id: UUID,
    invitation_id: UUID,
    body: VersionedBody,
    _: Coordinator,
    relay: RelayDep,
) -> Response:
    """Revoke a pending invitation; coordinators only."""
    path = f"/api/v1/invitations/{invitation_id}"
    await relay.ensure_in_team("teams", path, team_id)
    return await relay.to("teams", f"{path}/revoke")
