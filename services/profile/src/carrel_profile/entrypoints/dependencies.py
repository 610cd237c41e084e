"""What routes need from the request: the application, who acts, the request id."""

import logging
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import Depends, Header, HTTPException, Path, Request, status

from carrel_profile.adapters.libraries import LibraryDirectory
from carrel_profile.application import ProfileApplication

logger = logging.getLogger(__name__)


def profile_application(request: Request) -> ProfileApplication:
    application: ProfileApplication = request.app.state.profiles
    return application


def library_directory(request: Request) -> LibraryDirectory:
    directory: LibraryDirectory = request.app.state.libraries
    return directory


def correlation_id(x_request_id: Annotated[str | None, Header()] = None) -> UUID:
    """The request id from the gateway, or a new one when it sent none."""
    try:
        return UUID(x_request_id) if x_request_id else uuid4()
    except ValueError:
        return uuid4()


def acting_member(
    x_carrel_member: Annotated[str | None, Header()] = None,
) -> UUID | None:
    """The member the gateway authenticated; none for a call from inside."""
    if x_carrel_member is None:
        return None
    try:
        return UUID(x_carrel_member)
    except ValueError:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, "X-Carrel-Member is not a member id"
        ) from None


Member = Annotated[UUID | None, Depends(acting_member)]


def owned_profile_id(profile_id: Annotated[UUID, Path()], member: Member) -> UUID:
    """The profile in the path, if the acting member owns it.

    A request without X-Carrel-Member comes from inside the platform (the
    gateway always sets it), so it may act on any profile. That trusts the
    network: a caller that reaches this service directly is not checked.
    """
    if member is not None and member != profile_id:
        logger.info("member %s refused on profile %s", member, profile_id)
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only the owner may do this")
    return profile_id


Profiles = Annotated[ProfileApplication, Depends(profile_application)]
Libraries = Annotated[LibraryDirectory, Depends(library_directory)]
CorrelationId = Annotated[UUID, Depends(correlation_id)]
OwnedProfileId = Annotated[UUID, Depends(owned_profile_id)]
