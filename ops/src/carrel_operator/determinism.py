"""Is the projection deterministic? Rebuild twice, compare every document.

Both builds replay the same messages (every partition up to the same marks)
into scratch index sets, with different batch sizes: a projection whose
result depended on how messages were batched would show it here. The
scratch indices are dropped afterwards unless the caller keeps them.
"""

import logging
import uuid
from dataclasses import dataclass

from carrel_events.clients import kafka_options
from carrel_projection.adapters.client import open_client
from carrel_projection.adapters.indices import drop_indices, ensure_indices
from carrel_projection.adapters.read_models import DEFINITIONS
from carrel_projection.adapters.store import DocumentStore
from carrel_projection.application import Projection
from opensearchpy import AsyncOpenSearch

from carrel_operator.adapters.kafka import Marks, high_water_marks
from carrel_operator.adapters.read_models import aliases_of, snapshot
from carrel_operator.comparison import (
    DocumentDifference,
    Snapshot,
    document_differences,
)
from carrel_operator.progress import Progress, quiet
from carrel_operator.replay import Replay
from carrel_operator.settings import OperatorSettings

logger = logging.getLogger(__name__)

BATCH_SIZES = (500, 37)
"""Two batch sizes that share no rhythm, so batch-dependent results differ."""


@dataclass(frozen=True)
class DeterminismReport:
    events: int
    documents: int
    differences: list[DocumentDifference]
    prefixes: tuple[str, ...]
    failed: tuple[str, ...] = ()
    """Events that failed in either build: the comparison then proves nothing."""

    @property
    def deterministic(self) -> bool:
        return not self.differences and not self.failed


async def check_determinism(
    settings: OperatorSettings, *, keep: bool = False, progress: Progress = quiet
) -> DeterminismReport:
    """Replay to the same marks twice and compare the two sets of read models."""
    marks = await high_water_marks(kafka_options(settings), settings.projection_topics)
    token = uuid.uuid4().hex[:8]
    prefixes = tuple(f"{settings.index_prefix}-det{token}-{n}" for n in (1, 2))
    client = open_client(settings)
    try:
        snapshots, failed = [], []
        for prefix, batch in zip(prefixes, BATCH_SIZES, strict=True):
            built, failures = await _build(
                client, settings, prefix, batch, marks, progress
            )
            snapshots.append(built)
            failed += failures
        if not keep:
            for prefix in prefixes:
                await drop_indices(client, prefix, DEFINITIONS)
    finally:
        await client.close()
    return DeterminismReport(
        events=sum(marks.values()),
        documents=sum(len(docs) for docs in snapshots[0].values()),
        differences=document_differences(snapshots[0], snapshots[1]),
        prefixes=prefixes,
        failed=tuple(failed),
    )


async def _build(
    client: AsyncOpenSearch,
    settings: OperatorSettings,
    prefix: str,
    batch: int,
    marks: Marks,
    progress: Progress,
) -> tuple[Snapshot, list[str]]:
    await ensure_indices(client, prefix, DEFINITIONS)
    replay = Replay(
        bootstrap=kafka_options(settings),
        topics=settings.projection_topics,
        handler=Projection(DocumentStore(client, prefix)),
        group=f"carrel-ops-determinism-{prefix}",
        max_batch=batch,
    )
    await replay.start()
    try:
        await replay.catch_up(marks, progress)
    finally:
        await replay.stop()
    logger.info(
        "built %s: %d applied, %d skipped", prefix, replay.applied, replay.skipped
    )
    failed = [str(failure) for failure in replay.failed]
    return await snapshot(client, aliases_of(prefix)), failed
