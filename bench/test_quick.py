"""Each benchmark runs in ``--quick`` mode and writes plausible figures.

The quick modes keep the harness working; the figures of ``make bench`` come
from full runs only.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.harness import RESULTS_VARIABLE
from tests.integration.stack import Stack

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = [
    "profile_commands",
    "teams_commands",
    "resources_commands",
    "gateway_writes",
]


def run_quick(benchmark: str, stack: Stack, results: Path, timeout: int = 600) -> str:
    """Runs ``python -m bench.<benchmark> --quick`` against the test stack.

    Returns what it printed.
    """
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
        timeout=timeout,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return finished.stdout


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
    assert figures["repeats"] == len(figures["runs_commands_per_second"]) == 2


@pytest.mark.integration
def test_a_quick_relay_run_reports_throughput_and_latency(
    stack: Stack, tmp_path: Path
) -> None:
    run_quick("relay", stack, tmp_path)

    figures = json.loads((tmp_path / "relay.json").read_text())
    assert figures["throughput_events_per_second"] > 0
    assert figures["latency_p99_ms"] >= figures["latency_median_ms"] > 0
    assert len(figures["runs_events_per_second"]) == figures["repeats"] == 2


@pytest.mark.integration
def test_a_quick_pipeline_run_drains_every_event_into_the_read_model(
    stack: Stack, tmp_path: Path
) -> None:
    run_quick("pipeline", stack, tmp_path)

    figures = json.loads((tmp_path / "pipeline.json").read_text())
    assert figures["events"] == 500
    assert len(figures["runs"]) == figures["repeats"] == 2
    for run in figures["runs"]:
        assert run["people_documents"] == 100
        assert 0 < run["first_in_kafka_seconds"] <= run["all_in_kafka_seconds"]
        assert run["all_in_kafka_seconds"] <= run["all_projected_seconds"]
        assert run["progress"][-1][1:] == [500, 500]
    assert figures["pipeline_events_per_second"] > 0


@pytest.mark.integration
def test_a_quick_freshness_run_times_light_and_heavy_load(
    stack: Stack, tmp_path: Path
) -> None:
    run_quick("freshness", stack, tmp_path)

    figures = json.loads((tmp_path / "freshness.json").read_text())
    for load in ("light", "heavy"):
        assert figures[load]["samples"] > 0
        assert figures[load]["p99_ms"] >= figures[load]["median_ms"] > 0


@pytest.mark.integration
def test_a_quick_onboarding_run_times_each_newcomer_to_a_ranked_mentor(
    stack: Stack, tmp_path: Path
) -> None:
    run_quick("onboarding", stack, tmp_path)

    figures = json.loads((tmp_path / "onboarding.json").read_text())
    assert figures["setup"]["newcomers"] == 3
    assert figures["max_ms"] >= figures["p99_ms"] >= figures["median_ms"] > 0


@pytest.mark.integration
def test_a_quick_rebuild_run_reads_every_event_it_published(
    stack: Stack, tmp_path: Path
) -> None:
    run_quick("rebuild", stack, tmp_path)

    figures = json.loads((tmp_path / "rebuild.json").read_text())
    assert figures["events_read"] == figures["events"] >= 600
    assert len(figures["runs_events_per_second"]) == figures["repeats"] == 2
    assert figures["events_per_second"] > 0


def test_the_ranking_runs_at_each_size_and_keeps_each_size_apart(
    tmp_path: Path,
) -> None:
    env = os.environ | {RESULTS_VARIABLE: str(tmp_path)}

    subprocess.run(
        [sys.executable, "-m", "bench.ranking_sizes", "--quick"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )

    written = sorted(path.name for path in tmp_path.glob("*.json"))
    assert written == ["matching_ranking_200.json", "matching_ranking_400.json"]
    figures = json.loads((tmp_path / "matching_ranking_400.json").read_text())
    assert figures["members"] == 400


def test_the_summary_lists_every_benchmark_and_says_which_did_not_run(
    tmp_path: Path,
) -> None:
    write(tmp_path, "relay", RELAY)
    write(tmp_path, "gateway_writes", GATEWAY)
    write(tmp_path, "pipeline", PIPELINE)
    for members in (10_000, 1000):
        write(tmp_path, f"matching_ranking_{members}", ranking(members))

    summarise(tmp_path)

    summary = (tmp_path / "SUMMARY.md").read_text()
    assert "| relay | no | 5 events/s draining 10;" in summary
    assert "| gateway_writes | no | 40 commands/s, median 90 ms, p99 700 ms" in summary
    assert "runs 38, 42/s, 3 refused)" in summary
    assert "| pipeline | yes | 900 events/s draining 1,000 from commit" in summary
    assert summary.index("matching_ranking_1000") < summary.index(
        "matching_ranking_10000"
    )
    assert "update median 1.0 ms vs 10.0 ms (10.0x)" in summary
    assert "mentee change median 2.0 ms vs 30.0 ms (15.0x)" in summary
    assert "| rebuild | | not run |" in summary
    assert "| freshness | | not run |" in summary
    assert "shared" in summary
    for plot in ("write_services.png", "pipeline.png", "matching_ranking.png"):
        assert (tmp_path / plot).stat().st_size > 0
        assert f"![{plot}]({plot})" in summary
    assert not (tmp_path / "freshness.png").exists()


RELAY = {
    "benchmark": "relay",
    "backlog_events": 10,
    "throughput_events_per_second": 5.0,
    "latency_median_ms": 1.0,
    "latency_p99_ms": 2.0,
    "light_load_interval_ms": 20,
}
GATEWAY = {
    "benchmark": "gateway_writes",
    "quick": False,
    "commands": 800,
    "concurrency": 16,
    "commands_per_second": 40.0,
    "median_ms": 90.0,
    "p99_ms": 700.0,
    "failures": 3,
    "runs_commands_per_second": [38.0, 42.0],
}
PIPELINE = {
    "benchmark": "pipeline",
    "quick": True,
    "events": 1000,
    "repeats": 1,
    "pipeline_events_per_second": 900.0,
    "after_start_up_events_per_second": 1000.0,
    "commit_events_per_second": 5000.0,
    "relay_events_per_second": 3000.0,
    "all_projected_seconds": 1.1,
    "runs": [{"progress": [[0.0, 0, 0], [0.5, 1000, 200], [1.1, 1000, 1000]]}],
}


def ranking(members: int) -> dict[str, object]:
    """A ranking result: the larger team's in the form with updates per kind."""
    update = {"median_ms": 2.0, "baseline_median_ms": 30.0, "speedup_median": 15.0}
    if members > 1000:
        updates: dict[str, object] = {"updates": {"mentee_change": update}}
    else:
        updates = {
            "update_median_ms": 1.0,
            "baseline_update_median_ms": 10.0,
            "update_speedup_vs_plain_rescoring": 10.0,
        }
    return {
        "benchmark": "matching_ranking",
        "members": members,
        "full_ranking_seconds": members / 1000,
        "baseline_full_ranking_seconds_extrapolated": members / 10,
        "full_ranking_speedup": 100.0,
        **updates,
    }


def write(folder: Path, name: str, figures: dict[str, object]) -> None:
    (folder / f"{name}.json").write_text(json.dumps(figures))


def summarise(folder: Path) -> None:
    env = os.environ | {RESULTS_VARIABLE: str(folder)}
    subprocess.run(
        [sys.executable, "-m", "bench.summary"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )


@pytest.mark.integration
def test_a_quick_live_stream_run_measures_the_delay_to_the_stream(
    stack: Stack, tmp_path: Path
) -> None:
    printed = run_quick("live_stream", stack, tmp_path, timeout=240)

    assert any("median" in line and "p99" in line for line in printed.splitlines())
    figures = json.loads((tmp_path / "live_stream.json").read_text())
    assert figures["samples"] == 10
    assert figures["p99_ms"] >= figures["median_ms"] > 0
