"""The live stream: server-sent events that tell a team's open dashboards what changed.

The consumer raises a per-team sequence in the ``changes`` index after each
batch that changed the team's read models. This process polls the sequences
of the teams someone is watching, with realtime GETs every
``change_poll_seconds`` (250 ms by default), and pushes an event to each of
that team's streams. Polling OpenSearch rather than running the consumer in
this process lets any number of API replicas serve streams while one
consumer group writes; the price is one small ``mget`` per poll and up to one
poll interval of extra delay. A change is pushed ``change_visible_after_seconds``
(the searched indices' refresh interval) after the consumer wrote it, by the
signal's ``changed_at``, so that a dashboard which refetches on the event
finds the change searchable; the time the poll took to see it counts towards
that hold (bench/live_stream.py measures the whole delay). The consumer's
clock is trusted only within the hold: a skewed ``changed_at`` gives a hold
of zero or of the whole interval, never more.

A team's signal is its index (the generation) and its sequence: a rebuild
moves the alias to new indices, where each team's sequence starts again from
1, so a sequence is compared only with one of the same index, and a new index
counts as a change (the dashboards refetch the rebuilt models).
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from sse_starlette import EventSourceResponse

from carrel_projection.adapters.reads import ReadModels
from carrel_projection.entrypoints.dependencies import Member

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/teams/{team_id}", tags=["live"])

Change = dict[str, Any]
Marker = tuple[str, int]
"""A team's signal: the index it was read from, and its sequence there."""


def marker(change: Change) -> Marker:
    return str(change.get("generation", "")), int(change["sequence"])


def held_for(change: Change, hold: float, now: datetime) -> float:
    """What is left of the hold since the change was written, within [0, hold]."""
    try:
        written = datetime.fromisoformat(str(change["changed_at"]))
    except (KeyError, ValueError):
        return hold
    if written.tzinfo is None:
        return hold
    left = hold - (now - written).total_seconds()
    return min(hold, max(0.0, left))


class ChangeWatcher:
    """Polls the change sequences of watched teams and fans changes out."""

    def __init__(
        self, reads: ReadModels, interval_seconds: float, hold_seconds: float
    ) -> None:
        self._reads = reads
        self._interval = interval_seconds
        self._hold = hold_seconds
        self._pushes: set[asyncio.Task[None]] = set()
        self._streams: dict[str, set[asyncio.Queue[Change]]] = {}
        self._seen: dict[str, Marker] = {}

    async def subscribe(self, team_id: str) -> asyncio.Queue[Change]:
        """A queue that receives the team's changes from now on.

        A consortium's queue also receives the changes of each member team
        that shares with it, as its dashboard counts them.
        """
        member_teams = await self._reads.consortium_scope(team_id)
        watched = [team_id, *(t["team_id"] for t in member_teams if t["consenting"])]
        unseen = [t for t in watched if t not in self._streams]
        current = await self._reads.change_sequences(unseen)
        for watched_team in unseen:
            if watched_team in current:
                self._seen[watched_team] = marker(current[watched_team])
        queue: asyncio.Queue[Change] = asyncio.Queue(maxsize=100)
        for watched_team in watched:
            self._streams.setdefault(watched_team, set()).add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Change]) -> None:
        for team_id in [t for t, queues in self._streams.items() if queue in queues]:
            streams = self._streams[team_id]
            streams.discard(queue)
            if not streams:
                self._streams.pop(team_id, None)
                self._seen.pop(team_id, None)

    async def run(self) -> None:
        """Poll until cancelled; a failed poll is logged and tried again."""
        while True:
            try:
                await self.poll()
            except Exception as error:
                logger.warning("polling team changes failed: %s", error)
            await asyncio.sleep(self._interval)

    async def poll(self) -> None:
        teams = sorted(self._streams)
        for team_id, change in (await self._reads.change_sequences(teams)).items():
            index, sequence = marker(change)
            seen_index, seen_sequence = self._seen.get(team_id, (index, 0))
            if index == seen_index and sequence <= seen_sequence:
                continue
            self._seen[team_id] = (index, sequence)
            push = asyncio.create_task(self._push_later(team_id, change))
            self._pushes.add(push)
            push.add_done_callback(self._pushes.discard)

    async def _push_later(self, team_id: str, change: Change) -> None:
        await asyncio.sleep(held_for(change, self._hold, datetime.now(UTC)))
        for queue in list(self._streams.get(team_id, ())):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(change)


def change_watcher(request: Request) -> ChangeWatcher:
    watcher: ChangeWatcher = request.app.state.watcher
    return watcher


@router.get("/stream")
async def stream_changes(caller: Member, request: Request) -> EventSourceResponse:
    """Server-sent events: ``changed`` with the models that changed, as they change."""
    watcher = change_watcher(request)
    queue = await watcher.subscribe(caller.team_id)
    return EventSourceResponse(
        _events(watcher, caller.team_id, queue), ping=15, send_timeout=30
    )


async def _events(
    watcher: ChangeWatcher, team_id: str, queue: asyncio.Queue[Change]
) -> AsyncIterator[dict[str, str]]:
    try:
        yield {"event": "ready", "data": json.dumps({"team_id": team_id})}
        while True:
            change = await queue.get()
            data = {"models": change["models"], "changed_at": change["changed_at"]}
            yield {
                "event": "changed",
                "id": str(change["sequence"]),
                "data": json.dumps(data),
            }
    finally:
        watcher.unsubscribe(queue)
