"""The freshness benchmark still runs end to end (in its quick mode)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

REPOSITORY = Path(__file__).resolve().parents[3]


def test_the_freshness_bench_measures_light_and_heavy_load(
    stack: Any, tmp_path: Path
) -> None:
    env = os.environ | {
        "CARREL_PG_DSN": stack.pg_dsn,
        "CARREL_KAFKA_BOOTSTRAP": stack.kafka_bootstrap,
        "CARREL_OPENSEARCH_URL": stack.opensearch_url,
        "BENCH_RESULTS_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.freshness", "--quick"],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert any(line.strip().startswith("light") and "p99" in line for line in lines)
    assert any(line.strip().startswith("heavy") and "p99" in line for line in lines)
    figures = json.loads((tmp_path / "freshness.json").read_text())
    assert figures["heavy"]["p99_ms"] >= figures["heavy"]["median_ms"] > 0
