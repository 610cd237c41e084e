"""``bench/rebuild.py --quick`` runs against the stack and reports a rate."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import StackAddresses

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]


def test_a_quick_rebuild_benchmark_rebuilds_every_event_it_published(
    stack: StackAddresses, tmp_path: Path
) -> None:
    env = os.environ | {
        "CARREL_PG_DSN": stack.pg_dsn,
        "CARREL_KAFKA_BOOTSTRAP": stack.kafka_bootstrap,
        "CARREL_OPENSEARCH_URL": stack.opensearch_url,
        "BENCH_RESULTS_DIR": str(tmp_path),
    }
    finished = subprocess.run(
        [sys.executable, "-m", "bench.rebuild", "--quick"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )

    assert finished.returncode == 0, finished.stderr[-3000:]
    figures = json.loads((tmp_path / "rebuild.json").read_text())
    assert figures["quick"] is True
    assert figures["events_read"] == figures["events"] == figures["applied"]
    assert figures["events_per_second"] > 0
    assert figures["documents"]["people"] > 0
