"""Copies of a consumer as separate processes, and the state they leave.

A :class:`Deployment` is one consumer (matching's or the projection's) with
its own settings: group, topics, schema or index prefix. It starts copies
as ``python -m`` processes with those settings in their environment, kills
one with SIGKILL, and reads what the consumer wrote.
"""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Engine, MetaData, select

MODULES = {
    "matching": "carrel_matching.entrypoints.consumer",
    "projection": "carrel_projection.entrypoints.consumer",
}


@dataclass
class Deployment:
    """One consumer's settings, and the copies of it that run now."""

    kind: str
    environment: dict[str, str]
    logs: Path
    module: str
    copies: list[subprocess.Popen[bytes]] = field(default_factory=list)
    log_files: list[BinaryIO] = field(default_factory=list)
    started: int = 0
    killed: int = 0

    def start_copy(self) -> subprocess.Popen[bytes]:
        self.started += 1
        log = (self.logs / f"{self.kind}-{self.started}.log").open("wb")
        self.log_files.append(log)
        process = subprocess.Popen(
            [sys.executable, "-m", MODULES[self.module]],
            env=os.environ | self.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.copies.append(process)
        return process

    def kill_one(self) -> int:
        """SIGKILL the oldest running copy: no commit, no leaving the group."""
        victim = next(c for c in self.copies if c.poll() is None)
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        self.killed += 1
        return victim.pid

    def running(self) -> int:
        return sum(1 for c in self.copies if c.poll() is None)

    def crashed(self) -> list[int]:
        """Copies that exited on their own (the test killed none of these)."""
        return [
            c.pid for c in self.copies if c.returncode not in (None, -signal.SIGKILL)
        ]

    def stop(self) -> None:
        for copy in self.copies:
            if copy.poll() is None:
                copy.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for copy in self.copies:
            try:
                copy.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                copy.kill()
                copy.wait()
        for log in self.log_files:
            log.close()


def table_rows(
    engine: Engine, metadata: MetaData, leave_out: set[str]
) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table but ``leave_out``, in primary-key order."""
    rows: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name in leave_out:
                continue
            ordered = select(table).order_by(*table.primary_key.columns)
            rows[table.name] = [dict(r._mapping) for r in connection.execute(ordered)]
    return rows


def differences(
    several: dict[str, Any], one: dict[str, Any], key: str = "id"
) -> dict[str, str]:
    """Per table or model, what differs between two states, in a few words."""
    found = {}
    for name in sorted(set(several) | set(one)):
        left, right = several.get(name), one.get(name)
        if left == right:
            continue
        if isinstance(left, list) and isinstance(right, list):
            left, right = dict(enumerate(left)), dict(enumerate(right))
        assert isinstance(left, dict) and isinstance(right, dict)
        found[name] = _how_they_differ(left, right)
    return found


def _how_they_differ(left: dict[Any, Any], right: dict[Any, Any]) -> str:
    only = len(set(left) ^ set(right))
    both = [k for k in left if k in right and left[k] != right[k]]
    fields = sorted(
        {
            f
            for k in both
            if isinstance(left[k], dict)
            for f in set(left[k]) | set(right[k])
            if left[k].get(f) != right[k].get(f)
        }
    )
    return f"{only} rows on one side only; {len(both)} differ in {fields}"
