"""The projection's batch handler: events in, read-model documents out.

For each batch the handler reads the documents the events touch, applies the
events in order with the pure rules of :mod:`carrel_projection.domain`,
writes what changed in bulk, then raises the change sequence of each team
whose read models changed (the live stream's signal).

Idempotency has two layers. A document owned by one aggregate (a person, a
team, a group, a mentorship, a resource, a share, a progress record) takes an
event only when its ledger has not seen that version. Copies made from an
owner (the profile part of a directory entry, a member's groups and
mentorships) are recomputed from the owner's current state every time, even
when the owner skipped the event, so a batch that failed half-way heals on
redelivery and a replay writes nothing new.
"""

import logging
from collections.abc import Iterable, Sequence

from carrel_events.consumer import Delivery
from carrel_events.contracts import matching as matching_events
from carrel_events.contracts import resources as resource_events
from carrel_events.contracts import teams as team_events
from carrel_events.serialisation import DecodedEvent

from carrel_projection.adapters.store import DocumentStore
from carrel_projection.adapters.workspace import Key, Workspace
from carrel_projection.domain import (
    activity,
    directory,
    groups,
    mentorships,
    people,
    resources,
    teams,
)
from carrel_projection.domain.documents import (
    Document,
    Model,
    directory_id,
    is_new,
    mark_applied,
    same_content,
    stamped,
)

logger = logging.getLogger(__name__)


class Projection:
    """The handler the consumer runtime calls with each batch of deliveries."""

    def __init__(self, store: DocumentStore) -> None:
        self._store = store

    async def __call__(self, deliveries: Sequence[Delivery]) -> None:
        workspace = Workspace(self._store)
        events = [delivery.event for delivery in deliveries]
        await workspace.prefetch(k for e in events for k in _owner_keys(e))
        await workspace.prefetch(k for e in events for k in _copy_keys(workspace, e))
        for event in events:
            await project(workspace, event)
        changed = await self._store.write(workspace.writes())
        await self._store.notify(changed)
        logger.debug("applied %d events; changed %s", len(events), sorted(changed))


async def project(workspace: Workspace, event: DecodedEvent) -> None:
    """Apply one event to every read model it concerns."""
    project_to = _PROJECTORS.get(event.envelope.aggregate_type)
    if project_to is not None:
        await project_to(workspace, event)
    entry = activity.entry(event)
    if entry is not None:
        workspace.append(Model.ACTIVITY, entry["event_id"], entry)


async def project_profile(workspace: Workspace, event: DecodedEvent) -> None:
    person = await person_of(workspace, str(event.envelope.aggregate_id))
    if is_new(person, event):
        person = people.apply(person, event)
        workspace.put(Model.PEOPLE, person["person_id"], person)
    for team_id in person["team_ids"]:
        await settle(workspace, team_id, person["person_id"], event)


async def project_team(workspace: Workspace, event: DecodedEvent) -> None:
    if isinstance(event.payload, teams.TEAM_LEVEL_EVENTS):
        await _team_level(workspace, event)
    elif isinstance(event.payload, teams.MEMBERSHIP_EVENTS):
        await _membership(workspace, event)


async def _team_level(workspace: Workspace, event: DecodedEvent) -> None:
    team_id = str(event.envelope.aggregate_id)
    team = await workspace.get(Model.TEAMS, team_id) or teams.new_team(team_id)
    if not is_new(team, event):
        return
    workspace.put(Model.TEAMS, team_id, teams.apply(team, event))
    if isinstance(event.payload, team_events.TeamSettingsChanged):
        # A new default capacity changes every mentor's load. The ids come
        # from a search, so a member who joined in the last second is missed
        # until their entry next changes.
        for doc_id in await workspace.ids_in_team(Model.DIRECTORY, team_id):
            await settle(workspace, team_id, doc_id.partition(":")[2], event)


async def _membership(workspace: Workspace, event: DecodedEvent) -> None:
    team_id = str(event.envelope.aggregate_id)
    person_id_in_payload = getattr(event.payload, "person_id")  # noqa: B009
    person = await person_of(workspace, str(person_id_in_payload))
    person_id = person["person_id"]
    if is_new(person, event):
        # Teams are tracked even for an erased person: their tombstone must
        # end the same whichever partition was processed first.
        person = _teams_after(person, event, team_id)
        workspace.put(Model.PEOPLE, person_id, person)
    entry = await entry_of(workspace, team_id, person_id)
    if entry is not None and is_new(entry, event):
        entry = directory.apply_membership(entry, event)
        workspace.put(Model.DIRECTORY, directory_id(team_id, person_id), entry)
    await settle(workspace, team_id, person_id, event)


def _teams_after(person: Document, event: DecodedEvent, team_id: str) -> Document:
    if isinstance(event.payload, team_events.MemberJoined):
        return mark_applied(people.joined_team(person, team_id), event)
    if isinstance(event.payload, team_events.MemberLeft):
        return mark_applied(people.left_team(person, team_id), event)
    return mark_applied(person, event)


async def project_group(workspace: Workspace, event: DecodedEvent) -> None:
    group_id, team_id = _ids(event)
    group = await workspace.get(Model.GROUPS, group_id) or groups.new_group(
        group_id, team_id
    )
    if is_new(group, event):
        group = groups.apply(group, event)
        workspace.put(Model.GROUPS, group_id, group)
    touched = groups.touched_people(group, event)
    await workspace.prefetch(_entry_keys(team_id, touched))
    for person_id in sorted(touched):
        entry = await entry_of(workspace, team_id, person_id)
        if entry is None:
            continue
        present = groups.includes(group, person_id)
        entry = directory.with_group(entry, group_id, present)
        workspace.put(Model.DIRECTORY, directory_id(team_id, person_id), entry)
        await settle(workspace, team_id, person_id, event)


async def project_mentorship(workspace: Workspace, event: DecodedEvent) -> None:
    mentorship_id, team_id = _ids(event)
    mentorship = await workspace.get(Model.MENTORSHIPS, mentorship_id)
    mentorship = mentorship or mentorships.new_mentorship(mentorship_id, team_id)
    if is_new(mentorship, event):
        mentorship = mentorships.apply(mentorship, event)
        workspace.put(Model.MENTORSHIPS, mentorship_id, mentorship)
    if not mentorships.is_named(mentorship):
        return
    for person_id in (mentorship["mentor_id"], mentorship["mentee_id"]):
        entry = await entry_of(workspace, team_id, person_id)
        if entry is None:
            continue
        entry = directory.with_mentorship(entry, mentorship)
        workspace.put(Model.DIRECTORY, directory_id(team_id, person_id), entry)
        await settle(workspace, team_id, person_id, event)


async def project_resource(workspace: Workspace, event: DecodedEvent) -> None:
    resource_id = str(event.envelope.aggregate_id)
    team_id = str(event.envelope.team_id) if event.envelope.team_id else None
    resource = await workspace.get(Model.RESOURCES, resource_id)
    resource = resource or resources.new_resource(resource_id, team_id)
    if is_new(resource, event):
        resource = resources.apply_resource(resource, event)
        workspace.put(Model.RESOURCES, resource_id, resource)


async def project_share(workspace: Workspace, event: DecodedEvent) -> None:
    share_id = str(event.envelope.aggregate_id)
    share = await workspace.get(Model.SHARES, share_id)
    shared = isinstance(event.payload, resource_events.ResourceShared)
    if shared and is_new(share, event):
        workspace.put(Model.SHARES, share_id, resources.new_share(event))


async def project_progress(workspace: Workspace, event: DecodedEvent) -> None:
    progress_id, team_id = _ids(event)
    progress = await workspace.get(Model.PROGRESS, progress_id)
    progress = progress or resources.new_progress(progress_id, team_id)
    if is_new(progress, event):
        progress = resources.apply_progress(progress, event)
        workspace.put(Model.PROGRESS, progress_id, progress)


async def project_candidates(workspace: Workspace, event: DecodedEvent) -> None:
    """How many mentors matching now ranks for a mentee, on their entry."""
    if not isinstance(event.payload, matching_events.MentorCandidatesRanked):
        return
    mentee_id = str(event.payload.mentee_id)
    team_id = str(event.envelope.team_id)
    entry = await entry_of(workspace, team_id, mentee_id)
    if entry is None or not is_new(entry, event):
        return
    entry = directory.with_candidates(entry, event)
    workspace.put(Model.DIRECTORY, directory_id(team_id, mentee_id), entry)
    await settle(workspace, team_id, mentee_id, event)


async def person_of(workspace: Workspace, person_id: str) -> Document:
    """The person's document; a new one when no event named them yet."""
    person = await workspace.get(Model.PEOPLE, person_id)
    return person or people.new_person(person_id)


async def entry_of(
    workspace: Workspace, team_id: str, person_id: str
) -> Document | None:
    """The person's directory entry in the team, new (pending) if none yet.

    None for an erased person: nothing may bring them back.
    """
    person = await workspace.get(Model.PEOPLE, person_id)
    if person is not None and person["erased"]:
        return None
    entry = await workspace.get(Model.DIRECTORY, directory_id(team_id, person_id))
    return entry or directory.new_entry(team_id, person_id)


async def settle(
    workspace: Workspace, team_id: str, person_id: str, event: DecodedEvent
) -> None:
    """Bring the person's entry in line with their profile and the team."""
    doc_id = directory_id(team_id, person_id)
    entry = await workspace.get(Model.DIRECTORY, doc_id)
    if entry is None:
        return
    person = await workspace.get(Model.PEOPLE, person_id)
    if person is not None and person["erased"]:
        workspace.delete(Model.DIRECTORY, doc_id)
        return
    team = await workspace.get(Model.TEAMS, team_id)
    default = team["default_mentor_capacity"] if team else teams.DEFAULT_CAPACITY
    settled = directory.derived(directory.with_profile(entry, person), default)
    if not same_content(entry, settled):
        workspace.put(Model.DIRECTORY, doc_id, stamped(settled, event))


def _ids(event: DecodedEvent) -> tuple[str, str]:
    return str(event.envelope.aggregate_id), str(event.envelope.team_id)


def _entry_keys(team_id: str, people_ids: Iterable[str]) -> list[Key]:
    keys: list[Key] = []
    for person_id in people_ids:
        keys += [(Model.PEOPLE, person_id)]
        keys += [(Model.DIRECTORY, directory_id(team_id, person_id))]
    return keys


def _owner_keys(event: DecodedEvent) -> list[Key]:
    """Documents an event surely reads, known from the envelope alone."""
    envelope = event.envelope
    aggregate_id, team_id = str(envelope.aggregate_id), str(envelope.team_id)
    model = _OWNER_MODEL.get(envelope.aggregate_type)
    keys: list[Key] = [(model, aggregate_id)] if model else []
    person_id = getattr(event.payload, "person_id", None)
    if envelope.aggregate_type == "Team":
        keys.append((Model.TEAMS, team_id))
        if person_id is not None:
            keys += _entry_keys(team_id, [str(person_id)])
    if isinstance(event.payload, matching_events.MentorCandidatesRanked):
        keys += _entry_keys(team_id, [str(event.payload.mentee_id)])
    return keys


def _copy_keys(workspace: Workspace, event: DecodedEvent) -> list[Key]:
    """Documents an event will read, found through the owners already read."""
    envelope = event.envelope
    aggregate_id = str(envelope.aggregate_id)
    if envelope.aggregate_type == "Profile":
        person = workspace.held(Model.PEOPLE, aggregate_id)
        team_ids = person["team_ids"] if person else []
        keys = [(Model.DIRECTORY, directory_id(t, aggregate_id)) for t in team_ids]
        return [*keys, *((Model.TEAMS, t) for t in team_ids)]
    if envelope.aggregate_type == "Mentorship":
        mentorship = workspace.held(Model.MENTORSHIPS, aggregate_id)
        if mentorship is None or not mentorships.is_named(mentorship):
            return []
        pair = [mentorship["mentor_id"], mentorship["mentee_id"]]
        return _entry_keys(str(envelope.team_id), pair)
    return []


_OWNER_MODEL = {
    "Profile": Model.PEOPLE,
    "Group": Model.GROUPS,
    "Mentorship": Model.MENTORSHIPS,
    "Resource": Model.RESOURCES,
    "Material": Model.RESOURCES,
    "Share": Model.SHARES,
    "ResourceProgress": Model.PROGRESS,
}

_PROJECTORS = {
    "Profile": project_profile,
    "Team": project_team,
    "Group": project_group,
    "Mentorship": project_mentorship,
    "Resource": project_resource,
    "Material": project_resource,
    "Share": project_share,
    "ResourceProgress": project_progress,
    "CandidateList": project_candidates,
}
