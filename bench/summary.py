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
WRITE_SERVICES = (
    "gateway_writes",
    "profile_commands",
    "teams_commands",
    "resources_commands",
)
RANKING = "matching_ranking"


def load(folder: Path) -> Results:
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


def _commands(r: dict[str, Any]) -> str:
    runs = r.get("runs_commands_per_second") or []
    each = f"; runs {', '.join(f'{rate:.0f}' for rate in runs)}/s" if runs else ""
    failures = f", {r['failures']} refused" if r.get("failures") else ""
    return (
        f"{r['commands_per_second']:.0f} commands/s, median {r['median_ms']:.0f} ms,"
        f" p99 {r['p99_ms']:.0f} ms ({r['commands']} commands, concurrency"
        f" {r['concurrency']}{each}{failures})"
    )


def _pipeline(r: dict[str, Any]) -> str:
    return (
        f"{r['pipeline_events_per_second']:,.0f} events/s draining"
        f" {r['events']:,} from commit to read model, start-up included"
        f" ({r['after_start_up_events_per_second']:,.0f} after it); stages:"
        f" commit {r['commit_events_per_second']:,.0f} events/s, relay"
        f" {r['relay_events_per_second']:,.0f} events/s, all projected after"
        f" {r['all_projected_seconds']:.0f} s (median of {r['repeats']})"
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
    full = (
        f"{r['members']:,} members: full {r['full_ranking_seconds']} s vs"
        f" {r['baseline_full_ranking_seconds_extrapolated']} s pure Python"
        f" ({r['full_ranking_speedup']}x)"
    )
    return f"{full}; {_updates(r)}"


def _updates(r: dict[str, Any]) -> str:
    """One update's time beside the baseline: per kind of change where kept."""
    kinds: dict[str, dict[str, Any]] = r.get("updates") or {}
    if isinstance(kinds, dict) and kinds:
        return "; ".join(
            f"{kind.replace('_', ' ')} median {u['median_ms']} ms vs"
            f" {u['baseline_median_ms']} ms ({u['speedup_median']}x)"
            for kind, u in kinds.items()
        )
    return (
        f"update median {r['update_median_ms']} ms"
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


def _onboarding(r: dict[str, Any]) -> str:
    setup = r["setup"]
    return (
        f"finished profile to first ranked mentor: median {r['median_ms']:.0f} ms,"
        f" p99 {r['p99_ms']:.0f} ms ({setup['newcomers']} newcomers,"
        f" {setup['mentors']} mentors, polled every {r['poll_ms']:.0f} ms)"
    )


def _live_stream(r: dict[str, Any]) -> str:
    return (
        f"Kafka to the dashboard's live-stream message: median {r['median_ms']:.0f} ms,"
        f" p99 {r['p99_ms']:.0f} ms ({r['samples']} samples, poll"
        f" {r['poll_ms']:.0f} ms, hold {r['hold_ms']:.0f} ms)"
    )


DESCRIBE: dict[str, Callable[[dict[str, Any]], str]] = {
    "gateway_writes": _commands,
    "profile_commands": _commands,
    "teams_commands": _commands,
    "resources_commands": _commands,
    "relay": _relay,
    "pipeline": _pipeline,
    "freshness": _freshness,
    "live_stream": _live_stream,
    RANKING: _ranking,
    "matching_pairing": _pairing,
    "rebuild": _rebuild,
    "onboarding": _onboarding,
}


def ranking_sizes(results: Results) -> list[str]:
    """The ranking results kept per size, smallest team first."""
    sized = [name for name in results if name.startswith(f"{RANKING}_")]
    return sorted(sized, key=lambda name: results[name]["members"])


def table(results: Results) -> str:
    rows = ["| benchmark | quick run | figures |", "| --- | --- | --- |"]
    for name, describe in DESCRIBE.items():
        # The ranking at several sizes (bench.ranking_sizes) stands in for
        # the single-size result wherever both exist.
        sizes = ranking_sizes(results) if name == RANKING else []
        for shown in sizes or [name]:
            rows.append(_row(shown, results.get(shown), describe))
    return "\n".join(rows)


def _row(
    name: str,
    result: dict[str, Any] | None,
    describe: Callable[[dict[str, Any]], str],
) -> str:
    if result is None:
        return f"| {name} | | not run |"
    quick = "yes" if result.get("quick") else "no"
    return f"| {name} | {quick} | {describe(result)} |"


def plot_write_services(results: Results, target: Path) -> bool:
    present = [n for n in WRITE_SERVICES if n in results]
    if not present:
        return False
    figure, (rate, latency) = plt.subplots(1, 2, figsize=(10, 4))
    labels = [n.removesuffix("_commands").replace("_", " ") for n in present]
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
    names = ranking_sizes(results) or [n for n in [RANKING] if n in results]
    if not names:
        return False
    figure, axes = plt.subplots(figsize=(7, 4))
    members = [f"{results[n]['members']:,}" for n in names]
    positions = range(len(names))
    vectorised = [results[n]["full_ranking_seconds"] for n in names]
    plain = [results[n]["baseline_full_ranking_seconds_extrapolated"] for n in names]
    axes.bar([p - 0.2 for p in positions], vectorised, width=0.4, label="vectorised")
    axes.bar([p + 0.2 for p in positions], plain, width=0.4, label="pure Python")
    axes.set_xticks(list(positions), members)
    axes.set_xlabel("members of the team")
    axes.set_yscale("log")
    axes.set_title("full ranking of a team (seconds, log scale)")
    axes.legend()
    figure.tight_layout()
    figure.savefig(target)
    plt.close(figure)
    return True


def plot_pipeline(results: Results, target: Path) -> bool:
    pipeline = results.get("pipeline")
    if pipeline is None or not pipeline.get("runs"):
        return False
    figure, axes = plt.subplots(figsize=(7, 4))
    for index, run in enumerate(pipeline["runs"]):
        seconds = [point[0] for point in run["progress"]]
        style = "-" if index == 0 else ":"
        label = "" if index else " (run 0; dotted: later runs)"
        kafka = [point[1] for point in run["progress"]]
        projected = [point[2] for point in run["progress"]]
        axes.plot(seconds, kafka, style, color="C0", label=f"in Kafka{label}")
        axes.plot(seconds, projected, style, color="C1", label=f"projected{label}")
    axes.set_xlabel("seconds after starting the relay and the projection")
    axes.set_ylabel("events")
    axes.set_title(f"draining a backlog of {pipeline['events']:,} events")
    axes.legend()
    figure.tight_layout()
    figure.savefig(target)
    plt.close(figure)
    return True


def plot_freshness(results: Results, target: Path) -> bool:
    freshness = results.get("freshness")
    if freshness is None:
        return False
    figure, axes = plt.subplots(figsize=(6, 4))
    loads = ["light", "heavy"]
    labels = [f"{load} ({freshness[load]['writers']} writers)" for load in loads]
    positions = range(len(loads))
    medians = [freshness[load]["median_ms"] for load in loads]
    p99s = [freshness[load]["p99_ms"] for load in loads]
    axes.bar([p - 0.2 for p in positions], medians, width=0.4, label="median")
    axes.bar([p + 0.2 for p in positions], p99s, width=0.4, label="p99")
    axes.set_xticks(list(positions), labels)
    axes.set_title("accepted write -> visible in directory search (ms)")
    axes.legend()
    figure.tight_layout()
    figure.savefig(target)
    plt.close(figure)
    return True


PLOTS: dict[str, Callable[[Results, Path], bool]] = {
    "write_services.png": plot_write_services,
    "pipeline.png": plot_pipeline,
    "freshness.png": plot_freshness,
    "matching_ranking.png": plot_matching,
}


def main() -> None:
    folder = Path(os.environ.get(RESULTS_VARIABLE) or RESULTS)
    results = load(folder)
    made = [name for name, plot in PLOTS.items() if plot(results, folder / name)]
    images = "\n".join(f"![{name}]({name})" for name in made)
    summary = (
        "# Benchmark results\n\n"
        f"Made by `make bench` on {os.cpu_count()} cores. The machine is shared:"
        " other work ran on it during the runs, so the figures are lower and"
        " noisier than on an idle machine of the same size. Servers, services"
        " and load generators all run on this one machine. Each benchmark"
        " prints its setup, and its JSON beside this file holds every figure.\n\n"
        f"{table(results)}\n\n{images}\n"
    )
    (folder / "SUMMARY.md").write_text(summary)
    print(summary)


if __name__ == "__main__":
    main()
