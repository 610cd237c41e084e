"""The live stream bench still runs end to end (in its quick mode)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

REPOSITORY = Path(__file__).resolve().parents[3]


def test_the_live_stream_bench_measures_the_delay_to_the_stream(
    stack: Any, tmp_path: Path
) -> None:
    env = os.environ | {
        "CARREL_PG_DSN": stack.pg_dsn,
        "CARREL_KAFKA_BOOTSTRAP": stack.kafka_bootstrap,
        "CARREL_OPENSEARCH_URL": stack.opensearch_url,
        "BENCH_RESULTS_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.live_stream", "--quick"],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert any("median" in line and "p99" in line for line in done.stdout.splitlines())
    figures = json.loads((tmp_path / "live_stream.json").read_text())
    assert figures["samples"] == 10
    assert figures["p99_ms"] >= figures["median_ms"] > 0
