"""Each matching benchmark runs in ``--quick`` mode and yields sane figures."""

from pathlib import Path

import pytest

from bench import matching_pairing, matching_ranking
from bench.harness import RESULTS_VARIABLE


def test_the_ranking_benchmark_runs_quickly_and_measures_both_rankers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(RESULTS_VARIABLE, str(tmp_path))
    figures = matching_ranking.main(["--quick"])
    assert figures["full_ranking_seconds"] > 0
    assert figures["baseline_full_ranking_seconds_extrapolated"] > 0
    assert figures["update_median_ms"] > 0
    assert (tmp_path / "matching_ranking.json").exists()


def test_the_pairing_benchmark_runs_quickly_and_pairs_people(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(RESULTS_VARIABLE, str(tmp_path))
    figures = matching_pairing.main(["--quick"])
    assert figures["highest_total"]["pairs"] > 0
    assert figures["most_matched"]["pairs"] >= figures["highest_total"]["pairs"]
    assert (tmp_path / "matching_pairing.json").exists()
