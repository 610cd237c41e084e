"""What routes take from a request: the application, the actor, the correlation."""

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import Depends, Header, Request

from carrel_resources.application import ResourcesApplication


def application_of(request: Request) -> ResourcesApplication:
    application: ResourcesApplication = request.app.state.application
    return application


def correlation_of(
    x_request_id: Annotated[str | None, Header(alias="X-Request-Id")] = None,
) -> UUID:
    """The request id as the events' correlation id; a fresh one if unusable."""
    try:
        return UUID(x_request_id) if x_request_id else uuid4()
    except ValueError:
        return uuid4()


def acting_member(
    x_carrel_member: Annotated[UUID, Header(alias="X-Carrel-Member")],
) -> UUID:
    """The member the gateway authenticated."""
    return x_carrel_member


def operator_of(
    x_carrel_member: Annotated[UUID | None, Header(alias="X-Carrel-Member")] = None,
) -> UUID | None:
    return x_carrel_member


App = Annotated[ResourcesApplication, Depends(application_of)]
Correlation = Annotated[UUID, Depends(correlation_of)]
ActingMember = Annotated[UUID, Depends(acting_member)]
Operator = Annotated[UUID | None, Depends(operator_of)]
