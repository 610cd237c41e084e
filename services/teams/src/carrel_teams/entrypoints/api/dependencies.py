"""What every route needs: the application, the acting member, the request id."""

from typing import Annotated
from uuid import UUID, uuid4

from carrel_events.contracts.common import ShortText
from carrel_events.names import plain_name
from fastapi import Depends, Header, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from carrel_teams.application import TeamsApplication

# A name of a team, group or invitee: short text without hidden characters.
PlainName = Annotated[ShortText, AfterValidator(plain_name)]


def teams_application(request: Request) -> TeamsApplication:
    application: TeamsApplication = request.app.state.teams
    return application


def correlation_id(
    x_request_id: Annotated[str | None, Header()] = None,
) -> UUID:
    """The gateway's request id as the events' correlation id, or a new one."""
    try:
        return UUID(x_request_id) if x_request_id else uuid4()
    except ValueError:
        return uuid4()


def acting_member(x_carrel_member: Annotated[UUID, Header()]) -> UUID:
    """The member the gateway authenticated; its profile id."""
    return x_carrel_member


def viewing_member(
    x_carrel_member: Annotated[UUID | None, Header()] = None,
) -> UUID | None:
    """The member a read is for; None when a service reads for itself."""
    return x_carrel_member


Teams = Annotated[TeamsApplication, Depends(teams_application)]
Actor = Annotated[UUID, Depends(acting_member)]
Viewer = Annotated[UUID | None, Depends(viewing_member)]
Correlation = Annotated[UUID, Depends(correlation_id)]


class Body(BaseModel):
    """A request body: unknown fields are refused, not ignored.

    Text holding a lone surrogate (``"\\ud800"`` in the JSON) is refused by
    pydantic itself (``string_unicode``); the 422 handler writes it escaped.
    """

    model_config = ConfigDict(extra="forbid")


class Versioned(Body):
    expected_version: Annotated[int | None, Field(strict=True)] = None
    """The version the client read; a different stored version answers 409."""


class Recorded(BaseModel):
    """What a command changed, and the version it is at now."""

    id: UUID
    version: int
