"""What can go wrong with a command, in the domain's words.

The HTTP layer maps each class to one status, so a rule is stated once here.
"""

from uuid import UUID


class ResourcesError(Exception):
    """Base of every refusal of a command of the resources service."""


class RuleViolation(ResourcesError):
    """A field breaks a rule of the domain (answered as 422, naming the field)."""

    def __init__(self, loc: tuple[str | int, ...], msg: str, kind: str) -> None:
        super().__init__(msg)
        self.loc = loc
        self.msg = msg
        self.kind = kind


class UnknownResource(ResourcesError):
    def __init__(self, resource_id: UUID) -> None:
        super().__init__(f"no resource {resource_id}")
        self.resource_id = resource_id


class UnknownShare(ResourcesError):
    def __init__(self, share_id: UUID) -> None:
        super().__init__(f"no share {share_id}")
        self.share_id = share_id


class DuplicateResource(ResourcesError):
    """The central index already holds an entry for this URL, perhaps retired."""

    def __init__(self, existing_id: UUID, url: str, *, retired: bool = False) -> None:
        message = f"{url} is already catalogued as {existing_id}"
        if retired:
            message += "; it is retired: restore it rather than add it again"
        super().__init__(message)
        self.existing_id = existing_id
        self.url = url
        self.retired = retired


class VersionConflict(ResourcesError):
    """The client changed something it read at an older version."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"expected version {expected}, but it is at {actual}")
        self.expected = expected
        self.actual = actual


class NotPermitted(ResourcesError):
    """The acting member may not do this in this team."""


class AttachmentTooLarge(ResourcesError):
    def __init__(self, limit_bytes: int) -> None:
        super().__init__(f"an attachment may have at most {limit_bytes} bytes")
        self.limit_bytes = limit_bytes


class AttachmentTypeNotAllowed(ResourcesError):
    def __init__(self, detected: str) -> None:
        super().__init__(f"files of type {detected} are not accepted")
        self.detected = detected
