"""The benchmarks' figures as one markdown table and a few plots.

Reads every ``bench/results/*.json`` (or ``BENCH_RESULTS_DIR``) and writes
``SUMMARY.md`` and PNG plots beside them. Missing results are listed as not
run, never invented.

    .venv/bin/python -m bench.summary
"""

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

from bench.harness import RESULTS, RESULTS_VARIABLE

Results = dict[str, dict[str, Any]]
WRITE_SERVICES = ("profile_commands", "teams_commands", "resources_commands")


def load(folder: Path) -> Results:
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


def _commands(r: dict[str, Any]) -> str:
    return (
        f"{r['commands_per_second']:.0f} commands/s, median {r['median_ms']:.0f} ms,"
        f" p99 {r['p99_ms']:.0f} ms ({r['commands']} commands, concurrency"
        f" {r['concurrency']})"
    )


def _relay(r: dict[str, Any]) -> str:
    return (
        f"{r['throughput_events_per_second']:.0f} events/s draining"
        f" {r['backlog_events']:,}; commit→ack median {r['latency_median_ms']} ms,"
        f" p99 {r['latency_p99_ms']} ms at one event per"
        f" {r['light_load_interval_ms']} ms"
    )


def _freshness(r: dict[str, Any]) -> str:
    light, heavy = r["light"], r["heavy"]
    return (
        f"light: median {light['median_ms']:.0f} ms, p99 {light['p99_ms']:.0f} ms;"
        f" heavy ({heavy['writers']} writers): median {heavy['median_ms']:.0f} ms,"
        f" p99 {heavy['p99_ms']:.0f} ms"
    )


def _ranking(r: dict[str, Any]) -> str:
    return (
        f"{r['members']:,} members: full {r['full_ranking_seconds']} s vs"
        f" {r['baseline_full_ranking_seconds_extrapolated']} s pure Python"
        f" ({r['full_ranking_speedup']}x); update median {r['update_median_ms']} ms"
        f" vs {r['baseline_update_median_ms']} ms"
        f" ({r['update_speedup_vs_plain_rescoring']}x)"
    )


def _pairing(r: dict[str, Any]) -> str:
    best = r["highest_total"]
    return (
        f"{best['seconds']} s for the highest total,"
        f" {r['speedup_highest_total']}x the pure-Python baseline"
    )


def _rebuild(r: dict[str, Any]) -> str:
    return f"{r['events_per_second']:.0f} events/s over {r['events']:,} events"


DESCRIBE: dict[str, Callable[[dict[str, Any]], str]] = {
    "profile_commands": _commands,
    "teams_commands": _commands,
    "resources_commands": _commands,
    "relay": _relay,
    "freshness": _freshness,
    "matching_ranking": _ranking,
    "matching_pairing": _pairing,
    "rebuild": _rebuild,
}


def table(results: Results) -> str:
    rows = ["| benchmark | quick run | figures |", "| --- | --- | --- |"]
    for name, describe in DESCRIBE.items():
        result = results.get(name)
        if result is None:
            rows.append(f"| {name} | | not run |")
            continue
        quick = "yes" if result.get("quick") else "no"
        rows.append(f"| {name} | {quick} | {describe(result)} |")
    return "\n".join(rows)


def plot_write_services(results: Results, target: Path) -> bool:
    present = [n for n in WRITE_SERVICES if n in results]
    if not present:
        return False
    figure, (rate, latency) = plt.subplots(1, 2, figsize=(10, 4))
    labels = [n.removesuffix("_commands") for n in present]
    rate.bar(labels, [results[n]["commands_per_second"] for n in present])
    rate.set_title("commands per second")
    medians = [results[n]["median_ms"] for n in present]
    p99s = [results[n]["p99_ms"] for n in present]
    positions = range(len(present))
    latency.bar([p - 0.2 for p in positions], medians, width=0.4, label="median")
    latency.bar([p + 0.2 for p in positions], p99s, width=0.4, label="p99")
    latency.set_xticks(list(positions), labels)
    latency.set_title("latency (ms)")
    latency.legend()
    figure.tight_layout()
    figure.savefig(target)
    plt.close(figure)
    return True


def plot_matching(results: Results, target: Path) -> bool:
    ranking = results.get("matching_ranking")
    if ranking is None:
        return False
    figure, axes = plt.subplots(figsize=(6, 4))
    labels = ["vectorised", "pure Python"]
    seconds = [
        ranking["full_ranking_seconds"],
        ranking["baseline_full_ranking_seconds_extrapolated"],
    ]
    axes.bar(labels, seconds)
    axes.set_yscale("log")
    axes.set_title(f"full ranking of {ranking['members']:,} members (s, log)")
    figure.tight_layout()
    figure.savefig(target)
    plt.close(figure)
    return True


def main() -> None:
    folder = Path(os.environ.get(RESULTS_VARIABLE) or RESULTS)
    results = load(folder)
    plots = {
        "write_services.png": plot_write_services(
            results, folder / "write_services.png"
        ),
        "matching_ranking.png": plot_matching(results, folder / "matching_ranking.png"),
    }
    images = "\n".join(f"![{name}]({name})" for name, made in plots.items() if made)
    summary = (
        "# Benchmark results\n\n"
        f"Made by `make bench` on {os.cpu_count()} cores; each benchmark prints"
        " its setup, and its JSON beside this file holds every figure.\n\n"
        f"{table(results)}\n\n{images}\n"
    )
    (folder / "SUMMARY.md").write_text(summary)
    print(summary)


if __name__ == "__main__":
    main()
