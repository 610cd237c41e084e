"""What can go wrong with a profile command, in the domain's words."""

from dataclasses import dataclass
from uuid import UUID


class ProfileError(Exception):
    """Base of the profile domain's errors."""


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (``loc``), which rule (``type``) and in words."""

    loc: tuple[str | int, ...]
    type: str
    msg: str


class RulesBroken(ProfileError):
    """The command would break these rules; nothing was recorded."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__("; ".join(f"{v.loc}: {v.msg}" for v in violations))
        self.violations = violations


class ProfileErasedError(ProfileError):
    """The member erased this profile; it takes no more commands."""

    def __init__(self, profile_id: UUID) -> None:
        super().__init__(f"profile {profile_id} was erased")
        self.profile_id = profile_id


class ProfileAlreadyExists(ProfileError):
    def __init__(self, profile_id: UUID) -> None:
        super().__init__(f"profile {profile_id} already exists")
        self.profile_id = profile_id


class VersionConflict(ProfileError):
    """The client read an older version than the one stored now."""

    def __init__(self, profile_id: UUID, expected: int, actual: int) -> None:
        super().__init__(f"profile {profile_id} is at version {actual}, not {expected}")
        self.expected = expected
        self.actual = actual
