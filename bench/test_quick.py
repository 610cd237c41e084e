"""Each write-service benchmark runs in ``--quick`` mode and writes its figures."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.harness import RESULTS_VARIABLE
from tests.integration.stack import Stack

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = ["profile_commands", "teams_commands", "resources_commands"]


def run_quick(benchmark: str, stack: Stack, results: Path) -> None:
    """Runs ``python -m bench.<benchmark> --quick`` against the test stack."""
    env = os.environ | {
        "CARREL_PG_DSN": stack.pg_dsn,
        "CARREL_KAFKA_BOOTSTRAP": stack.kafka_bootstrap,
        "CARREL_OPENSEARCH_URL": stack.opensearch_url,
        RESULTS_VARIABLE: str(results),
    }
    finished = subprocess.run(
        [sys.executable, "-m", f"bench.{benchmark}", "--quick"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]


@pytest.mark.integration
@pytest.mark.parametrize("benchmark", BENCHMARKS)
def test_a_quick_run_exits_cleanly_and_writes_plausible_figures(
    benchmark: str, stack: Stack, tmp_path: Path
) -> None:
    run_quick(benchmark, stack, tmp_path)

    figures = json.loads((tmp_path / f"{benchmark}.json").read_text())
    assert figures["benchmark"] == benchmark
    assert figures["quick"] is True
    assert figures["commands_per_second"] > 0
    assert figures["p99_ms"] >= figures["median_ms"] > 0
    # A few conflicts are part of the load; a run where most commands are
    # refused measures the refusals, not the service.
    assert figures["failures"] <= figures["commands"] // 10


@pytest.mark.integration
def test_a_quick_relay_run_reports_throughput_and_latency(
    stack: Stack, tmp_path: Path
) -> None:
    run_quick("relay", stack, tmp_path)

    figures = json.loads((tmp_path / "relay.json").read_text())
    assert figures["throughput_events_per_second"] > 0
    assert figures["latency_p99_ms"] >= figures["latency_median_ms"] > 0


def test_the_summary_lists_every_benchmark_and_says_which_did_not_run(
    tmp_path: Path,
) -> None:
    (tmp_path / "relay.json").write_text(
        json.dumps(
            {
                "benchmark": "relay",
                "backlog_events": 10,
                "throughput_events_per_second": 5.0,
                "latency_median_ms": 1.0,
                "latency_p99_ms": 2.0,
                "light_load_interval_ms": 20,
            }
        )
    )
    env = os.environ | {RESULTS_VARIABLE: str(tmp_path)}

    subprocess.run(
        [sys.executable, "-m", "bench.summary"], cwd=REPO, env=env, check=True
    )

    summary = (tmp_path / "SUMMARY.md").read_text()
    assert "| relay | no | 5 events/s draining 10;" in summary
    assert "| rebuild | | not run |" in summary
