"""How fast matching ranks a whole team, and re-ranks after one profile change.

Synthetic members are drawn with a fixed seed from the real skills vocabulary,
job titles and library places (see ``carrel_matching.synthetic``). The
vectorised ranker ranks every mentee of the team against every mentor; the
plain pure-Python ranker computes the very same scores pair by pair, in the
same run, on a sample of mentees, and its full-team time is extrapolated
linearly (it scores every pair, so its time is linear in the mentee count).

Then people change one at a time, in turn: a mentor's profile, a mentee's
profile, a mentor leaving, a mentee leaving. Each change goes to the
vectorised ranker and to its baseline, :class:`PlainTeamRanking`, which
starts from a copy of the same ranked state and does the very same
incremental work (same rows, columns and lists) but scores every pair in
plain Python. Both are timed on the wall clock and in CPU time of the
thread (the machine is shared, so the wall clock also counts waiting), and
their lists must agree at the end.

    .venv/bin/python -m bench.matching_ranking [--quick] [--members N]

Writes ``bench/results/matching_ranking.json`` (or to ``BENCH_RESULTS_DIR``).
"""

import argparse
import dataclasses
import math
import os
import random
import statistics
import time
from typing import Any
from uuid import UUID

from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.domain import baseline
from carrel_matching.domain.candidates import same_list
from carrel_matching.domain.people import Mentor, Person, TeamRules
from carrel_matching.domain.ranker import TeamRanking
from carrel_matching.settings import MatchingSettings
from carrel_matching.synthetic import Population
from carrel_vocabulary import load_vocabulary

from bench.harness import write_json

SEED = 2026


def main(argv: list[str] | None = None) -> dict[str, Any]:
    options = _options(argv)
    members = options.members or (400 if options.quick else 10_000)
    sample = 20 if options.quick else 40
    updates = 5 if options.quick else 30
    data_dir = MatchingSettings().data_dir
    skills = VocabularySkills(load_vocabulary(data_dir))
    population = Population(load_vocabulary(data_dir), data_dir, seed=SEED)
    mentees, mentors = population.team(members // 2, members - members // 2)
    rules = TeamRules()
    print(
        f"matching ranking: members={members} mentees={len(mentees)} "
        f"mentors={len(mentors)} top_n=10 seed={SEED} cores={os.cpu_count()}"
    )

    started = time.perf_counter()
    ranking = TeamRanking(mentees, mentors, rules, skills, top_n=10)
    encode_s = time.perf_counter() - started
    started = time.perf_counter()
    ranking.rank_all()
    full_s = time.perf_counter() - started

    chance = random.Random(SEED)
    picked = chance.sample(mentees, min(sample, len(mentees)))
    started = time.perf_counter()
    for mentee in picked:
        baseline.base_scores(mentee, mentors, rules, skills)
    per_mentee = (time.perf_counter() - started) / len(picked)
    baseline_full_s = per_mentee * len(mentees)

    plain = baseline.PlainTeamRanking.taking_over(ranking)
    timings = _updates(ranking, plain, population, mentees, mentors, updates, chance)
    agree = plain.mentee_ids == ranking.mentee_ids and all(
        same_list(plain.lists[e], ranking.lists[e], 1e-8) for e in ranking.mentee_ids
    )
    figures = {
        "benchmark": "matching_ranking",
        "quick": options.quick,
        "cores": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 1),
        "members": members,
        "mentees": len(mentees),
        "mentors": len(mentors),
        "encode_seconds": round(encode_s, 3),
        "full_ranking_seconds": round(full_s, 3),
        "baseline_full_ranking_seconds_extrapolated": round(baseline_full_s, 1),
        "baseline_sample_mentees": len(picked),
        "full_ranking_speedup": round(baseline_full_s / full_s, 1),
        "updates_per_kind": updates,
        "updates": {kind: _summary(t) for kind, t in timings.items()},
        "baseline_agrees_after_all_updates": agree,
    }
    every = [ms for t in timings.values() for ms in t["wall"]]
    figures["update_median_ms"] = round(statistics.median(every), 1)
    _print(figures)
    write_json("matching_ranking", figures)
    return figures


Timings = dict[str, list[float]]
KINDS = ("mentor_change", "mentee_change", "mentor_removal", "mentee_removal")


def _updates(
    ranking: TeamRanking,
    plain: TeamRanking,
    population: Population,
    mentees: list[Person],
    mentors: list[Mentor],
    count: int,
    chance: random.Random,
) -> dict[str, Timings]:
    """Each kind of change ``count`` times, in turn, to both rankers."""
    mentees, mentors = list(mentees), list(mentors)
    timings: dict[str, Timings] = {
        kind: {"wall": [], "cpu": [], "plain_wall": [], "plain_cpu": []}
        for kind in KINDS
    }
    for _ in range(count):
        for kind in KINDS:
            changed_mentees, changed_mentors = _change(
                kind, population, mentees, mentors, chance
            )
            for ranker, prefix in ((ranking, ""), (plain, "plain_")):
                wall, cpu = time.perf_counter(), time.thread_time()
                ranker.update(changed_mentees, changed_mentors)
                wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
                timings[kind][prefix + "wall"].append(wall * 1000)
                timings[kind][prefix + "cpu"].append(cpu * 1000)
    return timings


def _change(
    kind: str,
    population: Population,
    mentees: list[Person],
    mentors: list[Mentor],
    chance: random.Random,
) -> tuple[dict[UUID, Person | None], dict[UUID, Mentor | None]]:
    if kind == "mentor_change":
        mentor = chance.choice(mentors)
        drawn = population.person(senior=True)
        changed = Mentor(
            dataclasses.replace(drawn, person_id=mentor.mentor_id),
            mentor.capacity,
            mentor.active_mentees,
        )
        mentors[mentors.index(mentor)] = changed
        return {}, {mentor.mentor_id: changed}
    if kind == "mentee_change":
        at = chance.randrange(len(mentees))
        drawn = population.person(senior=False)
        mentees[at] = dataclasses.replace(drawn, person_id=mentees[at].person_id)
        return {mentees[at].person_id: mentees[at]}, {}
    if kind == "mentor_removal":
        gone = mentors.pop(chance.randrange(len(mentors)))
        return {}, {gone.mentor_id: None}
    left = mentees.pop(chance.randrange(len(mentees)))
    return {left.person_id: None}, {}


def _summary(t: Timings) -> dict[str, float]:
    wall, plain = statistics.median(t["wall"]), statistics.median(t["plain_wall"])
    return {
        "median_ms": round(wall, 1),
        "p99_ms": round(_p99(t["wall"]), 1),
        "cpu_median_ms": round(statistics.median(t["cpu"]), 1),
        "cpu_p99_ms": round(_p99(t["cpu"]), 1),
        "baseline_median_ms": round(plain, 1),
        "baseline_p99_ms": round(_p99(t["plain_wall"]), 1),
        "baseline_cpu_median_ms": round(statistics.median(t["plain_cpu"]), 1),
        "speedup_median": round(plain / wall, 1),
        "speedup_cpu_median": round(
            statistics.median(t["plain_cpu"]) / max(statistics.median(t["cpu"]), 1e-6),
            1,
        ),
    }


def _p99(values: list[float]) -> float:
    """The 99th percentile, nearest rank; with under 100 values, the largest."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(len(ordered) * 0.99) - 1)]


def _print(f: dict[str, Any]) -> None:
    print(
        f"  full ranking: {f['full_ranking_seconds']} s (arrays built in "
        f"{f['encode_seconds']} s beforehand)"
    )
    print(
        f"  pure-Python baseline: {f['baseline_full_ranking_seconds_extrapolated']} s, "
        f"extrapolated linearly from {f['baseline_sample_mentees']} sampled mentees "
        f"-> vectorised is {f['full_ranking_speedup']}x faster"
    )
    print(
        f"  updates, {f['updates_per_kind']} of each kind (wall ms; CPU ms; "
        f"pure-Python incremental baseline; load average {f['load_average_1m']}):"
    )
    for kind, u in f["updates"].items():
        print(
            f"    {kind}: median {u['median_ms']} p99 {u['p99_ms']} "
            f"(CPU {u['cpu_median_ms']} / {u['cpu_p99_ms']}); baseline median "
            f"{u['baseline_median_ms']} p99 {u['baseline_p99_ms']} -> "
            f"{u['speedup_median']}x (CPU {u['speedup_cpu_median']}x)"
        )
    print(f"  baseline lists agree: {f['baseline_agrees_after_all_updates']}")


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes")
    parser.add_argument("--members", type=int, default=None)
    return parser.parse_args(argv)


if __name__ == "__main__":
    main()
