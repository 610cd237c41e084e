"""What a command can refuse, in words the HTTP layer maps to status codes."""

from collections.abc import Sequence
from uuid import UUID


class DomainError(Exception):
    """A command was refused; nothing was recorded."""


class RuleViolated(DomainError):
    """The input breaks a domain rule; ``field`` names what the rule is about."""

    def __init__(self, field: Sequence[str | int], rule: str, kind: str) -> None:
        super().__init__(rule)
        self.field = tuple(field)
        self.rule = rule
        self.kind = kind


class NotPermitted(DomainError):
    """The acting member may not do this."""


class NotFound(DomainError):
    """No such team, member, invitation, group or mentorship."""

    def __init__(self, what: str, identifier: UUID | str) -> None:
        super().__init__(f"{what} {identifier} not found")


class VersionConflict(DomainError):
    """The client read an older version than the one stored."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"expected version {expected}, but it is at {actual}")
        self.expected = expected
        self.actual = actual


class MentorAtCapacity(DomainError):
    """Accepting would take the mentor past their capacity in the team."""

    def __init__(self) -> None:
        super().__init__("mentor is at capacity")


class AlreadyRequested(DomainError):
    """The mentee has an open request or mentorship with this mentor already."""

    def __init__(self, mentorship_id: UUID) -> None:
        super().__init__(
            f"this mentee already asked this mentor (mentorship {mentorship_id}); "
            "wait for the answer or withdraw the request first; a mentorship "
            "already accepted is ended instead"
        )
        self.mentorship_id = mentorship_id
