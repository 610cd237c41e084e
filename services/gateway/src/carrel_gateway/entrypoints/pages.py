"""The web pages: server-rendered HTML, each with a small JavaScript module.

Pages read and write through the same ``/api/v1`` routes as any client; the
HTML carries only who is looking and which team, so a page holds no data a
route would refuse. Team pages use the same ``TeamMember`` check as the API.
"""

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from carrel_gateway.adapters.services import Caller
from carrel_gateway.entrypoints.dependencies import (
    Coordinator,
    CurrentSession,
    GatewayDep,
    MaybeSession,
    TeamMember,
    request_id_of,
)
from carrel_gateway.identity.membership import Membership

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")

MEMBER_PAGES = {
    "profile": "My profile",
    "directory": "Directory",
    "candidates": "Mentor candidates",
    "mentorships": "My mentorships",
    "groups": "Groups",
    "resources": "Resources",
}
COORDINATOR_PAGES = {
    "dashboard": "Live dashboard",
    "invitations": "Invitations",
    "pairings": "Pairings",
    "group-builder": "Group builder",
    "sharing": "Resource sharing",
}
Token = Annotated[str, Query(min_length=1, max_length=2000)]


def _render(request: Request, template: str, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, context)


def _team_page(
    request: Request,
    page: str,
    membership: Membership,
    template: str | None = None,
    **context: Any,
) -> HTMLResponse:
    title = (
        context.pop("title", None) or MEMBER_PAGES.get(page) or COORDINATOR_PAGES[page]
    )
    return _render(
        request,
        template or f"{page}.html",
        **context,
        title=title,
        page=page,
        team_id=membership.team_id,
        member_id=membership.member_id,
        roles=sorted(membership.roles),
        is_coordinator=membership.is_coordinator,
        member_pages=MEMBER_PAGES,
        coordinator_pages=COORDINATOR_PAGES,
    )


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    """An error as a page, for people rather than programs."""
    response = _render(
        request, "error.html", title="Not here", status=status_code, message=message
    )
    response.status_code = status_code
    return response


@router.get("/")
async def start(session: MaybeSession) -> Response:
    """Signed-in members go to their team; others to sign in."""
    return RedirectResponse("/home" if session else "/sign-in", status_code=303)


@router.get("/sign-in")
async def sign_in(request: Request) -> HTMLResponse:
    """How to sign in: with the link from an invitation or a coordinator."""
    return _render(request, "sign_in.html", title="Sign in")


@router.get("/sign-in/link")
async def sign_in_with_link(request: Request, token: Token) -> HTMLResponse:
    """A button that redeems the one-time link; opening the page alone does not."""
    return _render(request, "sign_in_link.html", title="Sign in", token=token)


@router.get("/invitations/{invitation_id}")
async def invitation(
    request: Request, invitation_id: UUID, token: Token, session: MaybeSession
) -> HTMLResponse:
    """Accept an invitation: give a name, join, and be signed in."""
    return _render(
        request,
        "invitation.html",
        title="Join your team",
        invitation_id=invitation_id,
        token=token,
        signed_in=session is not None,
    )


@router.get("/join/{team_id}")
async def join(
    request: Request, team_id: UUID, token: Token, session: MaybeSession
) -> HTMLResponse:
    """Ask to join a team through its join link; shows nothing of the team."""
    return _render(
        request,
        "join.html",
        title="Ask to join",
        programme_team_id=team_id,
        token=token,
        signed_in=session is not None,
    )


@router.get("/teams/{team_id}/programme")
async def programme_page(request: Request, team_id: UUID) -> HTMLResponse:
    """The team's programme page; what it shows depends on the team's setting."""
    return _render(
        request, "programme.html", title="The programme", programme_team_id=team_id
    )


@router.get("/home")
async def home(request: Request, session: CurrentSession) -> HTMLResponse:
    """The teams I belong to."""
    return _render(request, "home.html", title="My teams", member_id=session.member_id)


@router.get("/teams/{team_id}/coordinate/{page}")
async def coordinator_page(
    request: Request, page: str, membership: Coordinator
) -> HTMLResponse:
    """A page for the team's coordinators."""
    if page not in COORDINATOR_PAGES:
        return error_page(request, 404, "There is no such page.")
    return _team_page(request, page, membership)


@router.get("/teams/{team_id}/resources/{resource_id}")
async def resource_page(
    request: Request,
    team_id: UUID,
    resource_id: UUID,
    membership: TeamMember,
    gateway: GatewayDep,
) -> Response:
    """A resource of the team's lists: off to its address or file, or its page."""
    caller = Caller(request_id_of(request), membership.member_id)
    entry = await _resource_entry(gateway, caller, team_id, resource_id)
    if entry is None:
        return error_page(request, 404, "There is no such resource.")
    target = _address_of(team_id, entry)
    if target is not None:
        return RedirectResponse(target, status_code=303)
    return _team_page(
        request,
        "resources",
        membership,
        "resource.html",
        title=entry["title"],
        entry=entry,
    )


async def _resource_entry(
    gateway: GatewayDep, caller: Caller, team_id: UUID, resource_id: UUID
) -> dict[str, Any] | None:
    """The entry of the central index, else the team's material; None if neither."""
    for path in (
        f"/api/v1/catalogue/entries/{resource_id}",
        f"/api/v1/teams/{team_id}/materials/{resource_id}",
    ):
        answer = await gateway.services.call("resources", "GET", path, caller)
        if answer.is_success:
            entry: dict[str, Any] = answer.json()
            return entry
    return None


def _address_of(team_id: UUID, entry: dict[str, Any]) -> str | None:
    """Where the resource is: its web address, its file, or its first link.

    Only http and https addresses are followed, whatever an entry holds.
    """
    if entry.get("attachment"):
        return f"/api/v1/teams/{team_id}/materials/{entry['id']}/attachment"
    links = [entry.get("url")] + [link.get("url") for link in entry.get("links", [])]
    return next((url for url in links if url and _is_web(url)), None)


def _is_web(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@router.get("/teams/{team_id}/{page}")
async def member_page(
    request: Request, page: str, membership: TeamMember
) -> HTMLResponse:
    """A page every member of the team may open."""
    if page not in MEMBER_PAGES:
        return error_page(request, 404, "There is no such page.")
    return _team_page(request, page, membership)
