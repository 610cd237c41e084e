"""How fast matching pairs a whole pool: 5,000 mentees, 2,500 mentors of capacity 2.

Both objectives (highest total score, most people matched) are solved as a
minimum-cost matching over each mentee's best 50 candidates. The plain
pure-Python baseline scores the same pairs one at a time; its time is
measured on a sample of mentees in the same run and extrapolated linearly;
the baseline would need a solver too, so the whole vectorised run's time is
added to it as a stand-in (a little more than the solver alone).

    .venv/bin/python -m bench.matching_pairing [--quick]

Writes ``bench/results/matching_pairing.json`` (or to ``BENCH_RESULTS_DIR``).
"""

import argparse
import os
import random
import time
from typing import Any

from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.domain import baseline
from carrel_matching.domain.pairing import Objective, pair_pool
from carrel_matching.domain.people import Mentor, TeamRules
from carrel_matching.settings import MatchingSettings
from carrel_matching.synthetic import Population
from carrel_vocabulary import load_vocabulary

from bench.harness import write_json

SEED = 2026
OBJECTIVES: tuple[Objective, ...] = ("highest_total", "most_matched")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    options = _options(argv)
    mentee_count = 200 if options.quick else 5000
    data_dir = MatchingSettings().data_dir
    skills = VocabularySkills(load_vocabulary(data_dir))
    population = Population(load_vocabulary(data_dir), data_dir, seed=SEED)
    mentees = [population.person(senior=False) for _ in range(mentee_count)]
    mentors = [
        Mentor(population.person(senior=True), 2, 0) for _ in range(mentee_count // 2)
    ]
    rules = TeamRules()
    print(
        f"matching pairing: mentees={len(mentees)} mentors={len(mentors)} "
        f"capacity=2 min_score=0.3 seed={SEED} cores={os.cpu_count()}"
    )
    figures: dict[str, Any] = {
        "benchmark": "matching_pairing",
        "quick": options.quick,
        "cores": os.cpu_count(),
        "mentees": len(mentees),
        "mentors": len(mentors),
    }
    for objective in OBJECTIVES:
        started = time.perf_counter()
        pairing = pair_pool(mentees, mentors, rules, skills, objective, 0.3)
        elapsed = time.perf_counter() - started
        figures[objective] = {
            "seconds": round(elapsed, 3),
            "pairs": len(pairing.pairs),
            "unmatched": len(pairing.unmatched),
            "total_score": pairing.total_score,
            "mean_score": pairing.mean_score,
        }
        print(
            f"  {objective}: {elapsed:.2f} s, {len(pairing.pairs)} pairs, "
            f"{len(pairing.unmatched)} unmatched, total score {pairing.total_score:.1f}"
        )
    sample = random.Random(SEED).sample(mentees, 10 if options.quick else 30)
    started = time.perf_counter()
    for mentee in sample:
        baseline.base_scores(mentee, mentors, rules, skills)
    scoring = (time.perf_counter() - started) / len(sample) * len(mentees)
    fastest = min(figures[o]["seconds"] for o in OBJECTIVES)
    figures["baseline_scoring_seconds_extrapolated"] = round(scoring, 1)
    figures["baseline_sample_mentees"] = len(sample)
    figures["speedup_highest_total"] = round(
        (scoring + fastest) / figures["highest_total"]["seconds"], 1
    )
    print(
        f"  pure-Python scoring of the same pairs: {scoring:.1f} s, extrapolated "
        f"linearly from {len(sample)} sampled mentees; with a solver's time added, "
        f"the vectorised pairing is {figures['speedup_highest_total']}x faster"
    )
    write_json("matching_pairing", figures)
    return figures


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes")
    return parser.parse_args(argv)


if __name__ == "__main__":
    main()
