"""In-memory directory and file store, for unit tests and trying things out."""

from collections import defaultdict
from dataclasses import dataclass, field
from uuid import UUID

from carrel_resources.adapters.files import StoredFile
from carrel_resources.domain.attachments import AttachedFile


@dataclass
class MemoryDirectory:
    """Teams, groups and goals set by hand rather than learnt from Kafka."""

    roles: dict[tuple[UUID, UUID], frozenset[str]] = field(default_factory=dict)
    groups: dict[tuple[UUID, UUID], set[UUID]] = field(default_factory=dict)
    goals: dict[UUID, list[str]] = field(default_factory=lambda: defaultdict(list))

    def join(self, team_id: UUID, member_id: UUID, *roles: str) -> None:
        self.roles[(team_id, member_id)] = frozenset(roles or ("mentee",))

    def roles_of(self, team_id: UUID, member_id: UUID) -> frozenset[str] | None:
        return self.roles.get((team_id, member_id))

    def members_of_team(self, team_id: UUID) -> set[UUID]:
        return {member for team, member in self.roles if team == team_id}

    def members_of_group(self, team_id: UUID, group_id: UUID) -> set[UUID] | None:
        return self.groups.get((team_id, group_id))

    def goals_of(self, member_id: UUID) -> list[str]:
        return list(self.goals.get(member_id, []))


@dataclass
class MemoryFileStore:
    files: dict[str, StoredFile] = field(default_factory=dict)

    def put(self, file: AttachedFile) -> None:
        self.files[file.sha256] = StoredFile(file.media_type, file.content)

    def get(self, sha256: str) -> StoredFile | None:
        return self.files.get(sha256)
