"""Rebuilding the read models from Kafka beside the live ones, then switching.

The rebuild replays every topic from its start into version N+1 of every
index while the live consumer keeps writing version N through the aliases.
Once the rebuild has caught up, and the live group has reached the same
marks, the document counts of both are compared; then every alias moves in
one atomic request. From then on the live consumer writes the new indices
(it writes through the aliases). Old indices stay until ``carrel-ops
drop-index``.

The switch window: events that arrive between the rebuild's last catch-up
(its marks) and the switch may be applied by the live consumer to the old
indices only. Replaying them into the new indices after the switch is not
enough: the live consumer may already have applied a later event of the same
aggregate there, and the projection's ledger would take the earlier one for
a duplicate. So after the switch the rebuild reads every message from its
marks to the ends of the partitions as they are after the switch (whatever
the live consumer applied to the old indices only lies in that range), and
re-projects each aggregate named there from its whole history into the live
indices (:mod:`carrel_operator.reprojection`), which is right in any order
and races the live consumer safely. The report counts those messages
(``switch_window``) and aggregates (``repaired``).

A rebuild refuses to switch while any event failed in it for another reason
than being undecodable (a dependency outage is waited out, not skipped): the
new read models would lack the event. The report lists them (``failed``).
"""

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field

from carrel_events.clients import kafka_options
from carrel_projection.adapters.client import open_client
from carrel_projection.adapters.store import DocumentStore
from carrel_projection.application import Projection
from opensearchpy import AsyncOpenSearch

from carrel_operator.adapters.groups import committed_offsets, reached
from carrel_operator.adapters.kafka import Marks
from carrel_operator.adapters.read_models import (
    aliases_of,
    counts,
    create_version,
    drop_version,
    read_indices,
    switch,
)
from carrel_operator.comparison import CountDifference, count_differences
from carrel_operator.progress import Progress, quiet
from carrel_operator.replay import Aggregates, Replay
from carrel_operator.reprojection import reproject_aggregates
from carrel_operator.settings import OperatorSettings
from carrel_operator.versions import (
    ModelIndices,
    build_prefix,
    next_version,
    switch_actions,
)

logger = logging.getLogger(__name__)


@dataclass
class RebuildReport:
    """What a rebuild did, for the operator and the benchmark."""

    version: int
    group: str
    previous: dict[str, int | None]
    events: int = 0
    applied: int = 0
    skipped: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    count_differences: list[CountDifference] = field(default_factory=list)
    switched: bool = False
    undecodable: int = 0
    failed: list[str] = field(default_factory=list)
    """Events that failed in the rebuild (not undecodable): no switch then."""
    switch_window: int = 0
    repaired: int = 0
    """Aggregates of the switch window re-projected into the live indices."""
    not_repaired: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


async def rebuild(
    settings: OperatorSettings,
    *,
    drop_old: bool = False,
    force: bool = False,
    progress: Progress = quiet,
) -> RebuildReport:
    """Build version N+1 of every read model and make it live."""
    client = open_client(settings)
    try:
        before = await read_indices(client, settings.index_prefix)
        version = next_version(before)
        await create_version(client, settings.index_prefix, version)
        report = RebuildReport(
            version, _group(settings, version), {m.model.value: m.live for m in before}
        )
        await _build_and_switch(client, settings, before, report, force, progress)
        if drop_old and report.switched:
            report.dropped = await _drop_previous(client, settings, before)
        return report
    finally:
        await client.close()


def _group(settings: OperatorSettings, version: int) -> str:
    """A fresh group per rebuild, so no rebuild starts from another's commits."""
    return (
        f"carrel-ops-rebuild-{settings.index_prefix}-v{version}-{uuid.uuid4().hex[:8]}"
    )


async def _build_and_switch(
    client: AsyncOpenSearch,
    settings: OperatorSettings,
    before: list[ModelIndices],
    report: RebuildReport,
    force: bool,
    progress: Progress,
) -> None:
    store = DocumentStore(client, build_prefix(settings.index_prefix, report.version))
    replay = Replay(
        bootstrap=kafka_options(settings),
        topics=settings.projection_topics,
        handler=Projection(store),
        group=report.group,
        max_batch=settings.rebuild_batch,
    )
    started = time.monotonic()
    await replay.start()
    try:
        follow = _Follower(replay, report, progress)
        await follow.until_quiet(settings.rebuild_batch)
        await _check_counts(client, settings, before, report, follow)
        if (force or not report.count_differences) and not replay.failed:
            await _switch(client, settings, before, report, follow)
    finally:
        await replay.stop()
        report.applied, report.skipped = replay.applied, replay.skipped
        report.undecodable = replay.undecodable
        report.failed = [str(failed) for failed in replay.failed]
        report.seconds = time.monotonic() - started


@dataclass
class _Follower:
    """Catches the replay up to the end, again and again, adding up the work."""

    replay: Replay
    report: RebuildReport
    progress: Progress

    async def to(self, marks: Marks) -> None:
        base = self.report.events
        self.report.events += await self.replay.catch_up(
            marks, lambda done, total: self.progress(base + done, base + total)
        )

    async def read_to(self, marks: Marks) -> Aggregates:
        """Read up to ``marks`` without applying; the aggregates read."""
        read: Aggregates = {}
        self.report.events += await self.replay.catch_up(
            marks, apply=False, aggregates=read
        )
        return read

    async def until_quiet(self, quiet_below: int) -> None:
        """Catch up until a pass finds fewer than ``quiet_below`` new messages."""
        while True:
            before = self.report.events
            await self.to(await self.replay.marks())
            if self.report.events - before < quiet_below:
                return


async def _check_counts(
    client: AsyncOpenSearch,
    settings: OperatorSettings,
    before: list[ModelIndices],
    report: RebuildReport,
    follow: _Follower,
) -> None:
    """Compare counts per model at the same marks, retrying while live lags."""
    prefix = settings.index_prefix
    live = {
        model: alias
        for model, alias in aliases_of(prefix).items()
        if any(m.model.value == model and m.live is not None for m in before)
    }
    rebuilt = aliases_of(build_prefix(prefix, report.version))
    if not live:
        # A first build: nothing live to compare with.
        report.counts = await counts(client, rebuilt)
        return
    for attempt in range(settings.count_check_attempts):
        marks = await follow.replay.marks()
        await follow.to(marks)
        await _wait_for_live(settings, marks)
        report.counts = await counts(client, rebuilt)
        expected = await counts(client, live)
        report.count_differences = count_differences(
            expected, {m: report.counts[m] for m in expected}
        )
        if not report.count_differences:
            return
        logger.warning(
            "counts differ (attempt %d): %s", attempt + 1, report.count_differences
        )
        await asyncio.sleep(1.0)


async def _wait_for_live(settings: OperatorSettings, marks: Marks) -> None:
    """Wait, for a while, until the live group has committed up to ``marks``."""
    deadline = time.monotonic() + settings.live_wait_seconds
    group = settings.projection_group
    while time.monotonic() < deadline:
        if reached(await committed_offsets(kafka_options(settings), group), marks):
            return
        await asyncio.sleep(0.5)
    logger.warning("live group %s has not reached the rebuild's marks", group)


async def _switch(
    client: AsyncOpenSearch,
    settings: OperatorSettings,
    before: list[ModelIndices],
    report: RebuildReport,
    follow: _Follower,
) -> None:
    marks = await follow.replay.marks()
    await follow.to(marks)
    if follow.replay.failed:
        return
    await switch(client, switch_actions(settings.index_prefix, before, report.version))
    report.switched = True
    after = await follow.replay.marks()
    report.switch_window = sum(after[tp] - marks.get(tp, 0) for tp in after)
    window = await follow.read_to(after)
    repaired = await reproject_aggregates(
        client, kafka_options(settings), settings.index_prefix, window
    )
    report.repaired = len(repaired.reprojected)
    report.not_repaired = repaired.failed
    logger.info(
        "v%d is live; %d messages arrived during the switch, %d aggregates repaired",
        report.version,
        report.switch_window,
        report.repaired,
    )


async def _drop_previous(
    client: AsyncOpenSearch, settings: OperatorSettings, before: list[ModelIndices]
) -> list[str]:
    dropped = []
    for model in before:
        if model.live is not None:
            dropped += await drop_version(
                client, settings.index_prefix, [model.model], model.live
            )
    return dropped
