"""The freshness benchmark still runs end to end (in its quick mode)."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

BENCH = Path(__file__).resolve().parents[3] / "bench" / "freshness.py"


def test_the_freshness_bench_measures_light_and_heavy_load(stack: Any) -> None:
    env = os.environ | {
        "CARREL_PG_DSN": stack.pg_dsn,
        "CARREL_KAFKA_BOOTSTRAP": stack.kafka_bootstrap,
        "CARREL_OPENSEARCH_URL": stack.opensearch_url,
    }
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick"],
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
