"""The live stream's watcher, on change signals held in memory (no OpenSearch)."""

import asyncio
from datetime import UTC, datetime, timedelta

from carrel_projection.adapters.reads import ReadModels
from carrel_projection.domain.documents import Document
from carrel_projection.entrypoints.live import ChangeWatcher, held_for

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


class Signals(ReadModels):
    """Each team's change signal, as the consumer last left it."""

    def __init__(self) -> None:
        super().__init__(client=None, prefix="memory")  # type: ignore[arg-type]
        self.signals: dict[str, Document] = {}

    def raise_to(self, team_id: str, sequence: int, index: str) -> None:
        self.signals[team_id] = {
            "team_id": team_id,
            "sequence": sequence,
            "models": ["directory"],
            "changed_at": datetime.now(UTC).isoformat(),
            "generation": index,
        }

    async def consortium_scope(self, team_id: str) -> tuple[Document, ...]:
        return ()

    async def change_sequences(self, team_ids: list[str]) -> dict[str, Document]:
        return {t: dict(self.signals[t]) for t in team_ids if t in self.signals}


async def pushed(watcher: ChangeWatcher, queue: asyncio.Queue[Document]) -> list[int]:
    """The sequences one poll pushes to the queue."""
    await watcher.poll()
    await asyncio.sleep(0.05)
    found = []
    while not queue.empty():
        found.append(queue.get_nowait()["sequence"])
    return found


async def test_a_rebuilt_index_whose_sequences_start_again_still_reaches_streams() -> (
    None
):
    reads = Signals()
    reads.raise_to("team", 500, "carrel-changes-v1")
    watcher = ChangeWatcher(reads, interval_seconds=0.01, hold_seconds=0)
    queue = await watcher.subscribe("team")

    reads.raise_to("team", 3, "carrel-changes-v2")
    after_switch = await pushed(watcher, queue)
    reads.raise_to("team", 4, "carrel-changes-v2")
    next_change = await pushed(watcher, queue)
    nothing_new = await pushed(watcher, queue)

    assert (after_switch, next_change, nothing_new) == ([3], [4], [])


async def test_a_lower_sequence_in_the_same_index_is_no_change() -> None:
    reads = Signals()
    reads.raise_to("team", 5, "carrel-changes-v1")
    watcher = ChangeWatcher(reads, interval_seconds=0.01, hold_seconds=0)
    queue = await watcher.subscribe("team")

    reads.raise_to("team", 5, "carrel-changes-v1")
    assert await pushed(watcher, queue) == []
    reads.raise_to("team", 6, "carrel-changes-v1")
    assert await pushed(watcher, queue) == [6]


def test_the_hold_counts_from_when_the_change_was_written() -> None:
    def written(ago: float) -> Document:
        return {"changed_at": (NOW - timedelta(seconds=ago)).isoformat()}

    assert held_for(written(0.2), 0.5, NOW) == 0.3
    assert held_for(written(2.0), 0.5, NOW) == 0.0
    assert held_for(written(-3.0), 0.5, NOW) == 0.5, "a clock ahead: the whole hold"
    assert held_for({"changed_at": "not a time"}, 0.5, NOW) == 0.5
