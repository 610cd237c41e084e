"""The commands of the resources service, on an event-sourced application.

Each command checks its rules, builds or loads one aggregate, and saves it; a
refused command records nothing. Reads go through :meth:`reading`, which first
folds any new events from the notification log into the view.
"""

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from carrel_resources.domain.aggregates import (
    Material,
    Resource,
    ResourceProgress,
    Share,
    progress_id,
    welcome_share_id,
)
from carrel_resources.domain.attachments import AttachedFile
from carrel_resources.domain.audiences import (
    AudienceChoice,
    AudienceDirectory,
    recipients_of,
    require_coordinator,
    require_member,
)
from carrel_resources.domain.entries import EntryDraft
from carrel_resources.domain.errors import (
    DuplicateResource,
    RuleViolation,
    UnknownResource,
)
from carrel_resources.domain.recommendations import Recommendation, recommend
from carrel_resources.domain.tagging import (
    SkillVocabulary,
    tags_for_entry,
    tags_for_material,
)
from carrel_resources.views import CatalogueView

logger = logging.getLogger(__name__)

T = TypeVar("T", bound=Aggregate)
_PROGRESS_ATTEMPTS = 3
WELCOME_NOTE = "Welcome to the programme: your coordinator chose this for newcomers."


class StoredFile(Protocol):
    @property
    def media_type(self) -> str: ...
    @property
    def content(self) -> bytes: ...


class FileStore(Protocol):
    def put(self, file: AttachedFile) -> None: ...
    def get(self, sha256: str) -> StoredFile | None: ...


class Directory(AudienceDirectory, Protocol):
    def goals_of(self, member_id: UUID) -> list[str]: ...


@dataclass(frozen=True)
class MaterialDraft:
    title: str
    body_markdown: str
    links: Sequence[Mapping[str, str]]
    skill_ids: Sequence[str]


@dataclass(frozen=True)
class SeedReport:
    rows: int
    entries: int
    added: int
    already_present: int


class ResourcesApplication(Application[UUID]):
    """The central index, the teams' material, shares and members' progress."""

    def __init__(
        self,
        *,
        vocabulary: SkillVocabulary,
        directory: Directory,
        files: FileStore,
        env: Mapping[str, str] | None = None,
        max_attachment_bytes: int = 10 * 1024 * 1024,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(env=env)
        self._on_close = on_close
        self.max_attachment_bytes = max_attachment_bytes
        self.vocabulary = vocabulary
        self.directory = directory
        self.files = files
        self._view = CatalogueView()
        self._view_lock = threading.Lock()

    def catalogue(
        self, draft: EntryDraft, *, catalogued_by: UUID | None, correlation_id: UUID
    ) -> Resource:
        """Add an entry to the central index; one URL is one entry.

        A retired entry's URL is refused too: :meth:`restore` brings it back.
        """
        if self._exists(draft.resource_id):
            raise DuplicateResource(
                draft.resource_id, draft.url, retired=self._retired(draft.resource_id)
            )
        tags = tags_for_entry(
            self.vocabulary,
            topics=draft.topics,
            title=draft.title,
            text=draft.description,
        )
        resource = Resource(
            url=draft.url,
            title=draft.title,
            resource_type=draft.resource_type,
            topics=list(draft.topics),
            description=draft.description,
            sources=[source.as_event() for source in draft.sources],
            skill_tags=[tag.as_event() for tag in tags],
            catalogued_by=catalogued_by,
            correlation_id=correlation_id,
        )
        self._save_new(resource, draft)
        return resource

    def seed(self, drafts: Iterable[EntryDraft], correlation_id: UUID) -> SeedReport:
        """Catalogue every draft not yet in the index; entries present stay as is."""
        added = present = rows = 0
        for draft in drafts:
            rows += len(draft.sources)
            try:
                self.catalogue(draft, catalogued_by=None, correlation_id=correlation_id)
                added += 1
            except DuplicateResource:
                present += 1
        return SeedReport(rows, added + present, added, present)

    def retire(
        self,
        resource_id: UUID,
        *,
        reason: str,
        retired_by: UUID | None,
        expected_version: int,
        correlation_id: UUID,
    ) -> Resource:
        resource = self._get(resource_id, Resource)
        resource.retire(
            reason=reason,
            retired_by=retired_by,
            expected_version=expected_version,
            correlation_id=correlation_id,
        )
        self.save(resource)
        return resource

    def restore(
        self,
        resource_id: UUID,
        *,
        reason: str,
        restored_by: UUID | None,
        expected_version: int,
        correlation_id: UUID,
    ) -> Resource:
        """Un-retire an entry of the central index, as the operator decides."""
        resource = self._get(resource_id, Resource)
        resource.restore(
            reason=reason,
            restored_by=restored_by,
            expected_version=expected_version,
            correlation_id=correlation_id,
        )
        self.save(resource)
        return resource

    def publish_material(
        self,
        team_id: UUID,
        draft: MaterialDraft,
        *,
        attachment: AttachedFile | None,
        published_by: UUID,
        correlation_id: UUID,
    ) -> Material:
        require_coordinator(self.directory, team_id, published_by)
        tags = self._material_tags(draft)
        # The bytes go first, so no event ever names a file that is missing.
        # If the save then fails, the stored bytes are named by no event: an
        # orphan that costs its disk space and nothing else. The store keys
        # files by hash, so publishing the same file again reuses them; no
        # sweep removes orphans yet.
        if attachment is not None:
            self.files.put(attachment)
        material = Material(
            team_id=team_id,
            title=draft.title,
            body_markdown=draft.body_markdown,
            links=[dict(link) for link in draft.links],
            attachment=attachment.as_event() if attachment else None,
            skill_tags=[tag.as_event() for tag in tags],
            published_by=published_by,
            correlation_id=correlation_id,
        )
        self.save(material)
        return material

    def revise_material(
        self,
        team_id: UUID,
        material_id: UUID,
        draft: MaterialDraft,
        *,
        revised_by: UUID,
        expected_version: int,
        correlation_id: UUID,
    ) -> Material:
        require_coordinator(self.directory, team_id, revised_by)
        material = self._material_of(team_id, material_id)
        material.revise(
            title=draft.title,
            body_markdown=draft.body_markdown,
            links=[dict(link) for link in draft.links],
            skill_tags=[tag.as_event() for tag in self._material_tags(draft)],
            revised_by=revised_by,
            expected_version=expected_version,
            correlation_id=correlation_id,
        )
        self.save(material)
        return material

    def withdraw_material(
        self,
        team_id: UUID,
        material_id: UUID,
        *,
        reason: str,
        withdrawn_by: UUID,
        expected_version: int,
        correlation_id: UUID,
    ) -> Material:
        require_coordinator(self.directory, team_id, withdrawn_by)
        material = self._material_of(team_id, material_id)
        material.withdraw(
            reason=reason,
            withdrawn_by=withdrawn_by,
            expected_version=expected_version,
            correlation_id=correlation_id,
        )
        self.save(material)
        return material

    def share(
        self,
        team_id: UUID,
        resource_id: UUID,
        audience: AudienceChoice,
        *,
        note: str,
        shared_by: UUID,
        correlation_id: UUID,
    ) -> Share:
        """Send a resource to an audience, resolved to members now."""
        require_coordinator(self.directory, team_id, shared_by)
        try:
            self._require_visible(team_id, resource_id)
        except UnknownResource as error:
            raise RuleViolation(
                ("resource_id",), str(error), "unknown_resource"
            ) from None
        share = Share(
            team_id=team_id,
            resource_id=resource_id,
            audience=audience.as_event(),
            recipients=recipients_of(self.directory, team_id, audience),
            note=note,
            shared_by=shared_by,
            correlation_id=correlation_id,
        )
        self.save(share)
        return share

    def welcome(
        self,
        team_id: UUID,
        member_id: UUID,
        resource_ids: Sequence[UUID],
        *,
        shared_by: UUID,
        correlation_id: UUID,
    ) -> list[Share]:
        """Share the team's welcome resources with a newcomer, each only once.

        No coordinator acts here: ``shared_by`` is the one who chose the list
        in the team's settings. Each share's id follows from the team, the
        newcomer and the resource, so asking again shares nothing twice. A
        resource the team cannot see (retired, unknown) is left out.
        """
        shares = [
            self._welcome_share(
                team_id, member_id, resource_id, shared_by, correlation_id
            )
            for resource_id in dict.fromkeys(resource_ids)
            if not self._exists(welcome_share_id(team_id, member_id, resource_id))
        ]
        chosen = [share for share in shares if share is not None]
        if not chosen:
            return []
        try:
            self.save(*chosen)
        except IntegrityError:
            logger.info("welcome of %s in %s was shared meanwhile", member_id, team_id)
            return []
        return chosen

    def _welcome_share(
        self,
        team_id: UUID,
        member_id: UUID,
        resource_id: UUID,
        shared_by: UUID,
        correlation_id: UUID,
    ) -> Share | None:
        try:
            self._require_visible(team_id, resource_id)
        except UnknownResource:
            logger.warning(
                "welcome resource %s of team %s is not visible to it; left out",
                resource_id,
                team_id,
            )
            return None
        audience = AudienceChoice("members", member_ids=(member_id,))
        return Share.with_id(
            welcome_share_id(team_id, member_id, resource_id),
            team_id=team_id,
            resource_id=resource_id,
            audience=audience.as_event(),
            recipients=[member_id],
            note=WELCOME_NOTE,
            shared_by=shared_by,
            correlation_id=correlation_id,
        )

    def open(
        self, team_id: UUID, resource_id: UUID, member_id: UUID, correlation_id: UUID
    ) -> ResourceProgress:
        """Record that the member opened the resource; again changes nothing."""
        return self._advance(
            team_id, resource_id, member_id, lambda p: p.open(correlation_id)
        )

    def complete(
        self, team_id: UUID, resource_id: UUID, member_id: UUID, correlation_id: UUID
    ) -> ResourceProgress:
        """Record that the member completed the resource (and so opened it)."""
        return self._advance(
            team_id, resource_id, member_id, lambda p: p.complete(correlation_id)
        )

    def recommendations(
        self, team_id: UUID, member_id: UUID, goals: Sequence[str] | None = None
    ) -> list[Recommendation]:
        """Unfinished resources meeting the member's goals (the profile's, or given)."""
        wanted = (
            list(goals) if goals is not None else self.directory.goals_of(member_id)
        )
        with self.reading() as view:
            return recommend(
                wanted,
                [entry.recommendable() for entry in view.entries_for(team_id)],
                view.completed.get(member_id, set()),
                self._skill_label,
            )

    def close(self) -> None:
        """Close the event store and whatever else the service opened with it."""
        super().close()
        if self._on_close is not None:
            self._on_close()

    def check_database(self) -> None:
        """Raise when the event store cannot be read."""
        self.recorder.max_notification_id()

    @contextmanager
    def reading(self) -> Iterator[CatalogueView]:
        """The view, caught up with every event committed so far."""
        with self._view_lock:
            self._catch_up()
            yield self._view

    def _catch_up(self) -> None:
        # The PostgreSQL recorder draws notification ids under a table lock it
        # holds until commit, so ids become visible in order; an id missing
        # below the last one read belongs to a transaction that rolled back.
        while True:
            notifications = self.recorder.select_notifications(
                start=self._view.position, limit=500, inclusive_of_start=False
            )
            if not notifications:
                return
            for notification in notifications:
                self._view.apply(self.mapper.to_domain_event(notification))
                self._view.position = notification.id

    def _material_tags(self, draft: MaterialDraft) -> list[Any]:
        for index, skill_id in enumerate(draft.skill_ids):
            if self.vocabulary.skill(skill_id) is None:
                msg = f"unknown skill {skill_id!r}"
                raise RuleViolation(("skill_ids", index), msg, "unknown_skill")
        return tags_for_material(
            self.vocabulary,
            chosen=draft.skill_ids,
            title=draft.title,
            text=draft.body_markdown[:4000],
        )

    def _progress(
        self, team_id: UUID, resource_id: UUID, member_id: UUID
    ) -> ResourceProgress:
        require_member(self.directory, team_id, member_id)
        self._require_reachable(team_id, member_id, resource_id)
        record_id = progress_id(team_id, member_id, resource_id)
        try:
            return self._get(record_id, ResourceProgress)
        except UnknownResource:
            return ResourceProgress(
                team_id=team_id, member_id=member_id, resource_id=resource_id
            )

    def _advance(
        self,
        team_id: UUID,
        resource_id: UUID,
        member_id: UUID,
        step: Callable[[ResourceProgress], None],
    ) -> ResourceProgress:
        # Two clicks of one member can race (open in one tab, complete in
        # another); the loser reads the winner's events and takes its step again.
        for attempt in range(_PROGRESS_ATTEMPTS):
            progress = self._progress(team_id, resource_id, member_id)
            step(progress)
            try:
                self.save(progress)
                return progress
            except IntegrityError:
                logger.info("progress %s raced (attempt %d)", progress.id, attempt + 1)
        raise IntegrityError(f"progress of {member_id} on {resource_id} kept racing")

    def _require_visible(self, team_id: UUID, resource_id: UUID) -> None:
        """The resource is in the central index or the team's, and not retired."""
        with self.reading() as view:
            entry = view.entries.get(resource_id)
            if entry is None or not entry.visible_to(team_id):
                raise UnknownResource(resource_id)

    def _require_reachable(
        self, team_id: UUID, member_id: UUID, resource_id: UUID
    ) -> None:
        """The team sees the resource, or the member already has it in hand.

        A member keeps what was shared with them, or what they opened, when
        the entry is later retired or the material withdrawn, so they can
        still mark it opened or completed.
        """
        with self.reading() as view:
            entry = view.entries.get(resource_id)
            if entry is None or entry.team_id not in (None, team_id):
                raise UnknownResource(resource_id)
            if entry.retired and not view.reached(team_id, member_id, resource_id):
                raise UnknownResource(resource_id)

    def _retired(self, resource_id: UUID) -> bool:
        with self.reading() as view:
            entry = view.entries.get(resource_id)
            return entry is not None and entry.retired

    def _material_of(self, team_id: UUID, material_id: UUID) -> Material:
        material = self._get(material_id, Material)
        if material.team_id != team_id:
            raise UnknownResource(material_id)
        return material

    def _get(self, aggregate_id: UUID, kind: type[T]) -> T:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise UnknownResource(aggregate_id) from None
        if not isinstance(aggregate, kind):
            raise UnknownResource(aggregate_id)
        return aggregate

    def _exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    def _save_new(self, resource: Resource, draft: EntryDraft) -> None:
        try:
            self.save(resource)
        except IntegrityError:
            raise DuplicateResource(resource.id, draft.url) from None

    def _skill_label(self, skill_id: str) -> str:
        skill = self.vocabulary.skill(skill_id)
        return skill.label if skill is not None else skill_id
