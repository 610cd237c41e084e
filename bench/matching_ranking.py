"""How fast matching ranks a whole team, and re-ranks after one profile change.

Synthetic members are drawn with a fixed seed from the real skills vocabulary,
job titles and library places (see ``carrel_matching.synthetic``). The
vectorised ranker ranks every mentee of the team against every mentor; the
plain pure-Python ranker computes the very same scores pair by pair, in the
same run, on a sample of mentees, and its full-team time is extrapolated
linearly (it scores every pair, so its time is linear in the mentee count).
Then one profile changes at a time, a mentee's or a mentor's in turn, and
each incremental update is timed; its baseline is the pure-Python scoring of
just the changed person's pairs (a lower bound for a plain update).

    .venv/bin/python -m bench.matching_ranking [--quick] [--members N]

Writes ``bench/results/matching_ranking.json`` (or to ``BENCH_RESULTS_DIR``).
"""

import argparse
import dataclasses
import os
import random
import statistics
import time
from typing import Any

from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.domain import baseline
from carrel_matching.domain.people import Mentor, TeamRules
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
    updates = 10 if options.quick else 40
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

    update_ms, baseline_update_ms = _updates(
        ranking, population, mentees, mentors, rules, skills, updates, chance
    )
    figures = {
        "benchmark": "matching_ranking",
        "quick": options.quick,
        "cores": os.cpu_count(),
        "members": members,
        "mentees": len(mentees),
        "mentors": len(mentors),
        "encode_seconds": round(encode_s, 3),
        "full_ranking_seconds": round(full_s, 3),
        "baseline_full_ranking_seconds_extrapolated": round(baseline_full_s, 1),
        "baseline_sample_mentees": len(picked),
        "full_ranking_speedup": round(baseline_full_s / full_s, 1),
        "update_median_ms": round(statistics.median(update_ms), 1),
        "update_p90_ms": round(_p90(update_ms), 1),
        "baseline_update_median_ms": round(statistics.median(baseline_update_ms), 1),
        "update_speedup_vs_plain_rescoring": round(
            statistics.median(baseline_update_ms) / statistics.median(update_ms), 1
        ),
        "updates": len(update_ms),
    }
    _print(figures)
    write_json("matching_ranking", figures)
    return figures


def _updates(
    ranking: TeamRanking,
    population: Population,
    mentees: list[Any],
    mentors: list[Mentor],
    rules: TeamRules,
    skills: VocabularySkills,
    count: int,
    chance: random.Random,
) -> tuple[list[float], list[float]]:
    update_ms, baseline_ms = [], []
    for turn in range(count):
        if turn % 2 == 0:
            mentee = chance.choice(mentees)
            changed = dataclasses.replace(
                population.person(senior=False), person_id=mentee.person_id
            )
            started = time.perf_counter()
            ranking.update({changed.person_id: changed})
            update_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            baseline.base_scores(changed, mentors, rules, skills)
        else:
            mentor = chance.choice(mentors)
            drawn = population.person(senior=True)
            changed_mentor = Mentor(
                dataclasses.replace(drawn, person_id=mentor.mentor_id),
                mentor.capacity,
                mentor.active_mentees,
            )
            started = time.perf_counter()
            ranking.update(None, {mentor.mentor_id: changed_mentor})
            update_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            for mentee in mentees:
                baseline.base_scores(mentee, [changed_mentor], rules, skills)
        baseline_ms.append((time.perf_counter() - started) * 1000)
    return update_ms, baseline_ms


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]


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
        f"  update after one profile change: median {f['update_median_ms']} ms, "
        f"p90 {f['update_p90_ms']} ms over {f['updates']} changes; pure-Python "
        f"re-scoring of the changed pairs alone: median "
        f"{f['baseline_update_median_ms']} ms "
        f"({f['update_speedup_vs_plain_rescoring']}x)"
    )


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes")
    parser.add_argument("--members", type=int, default=None)
    return parser.parse_args(argv)


if __name__ == "__main__":
    main()
