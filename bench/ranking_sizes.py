"""The matching ranking benchmark at 1,000, 5,000 and 10,000 members, one by one.

Runs ``bench.matching_ranking`` for each size in this process and keeps each
size's figures as ``matching_ranking_<members>.json`` beside the others (the
benchmark itself always writes ``matching_ranking.json``; its own run goes to
a scratch folder here so that no size overwrites another).

    .venv/bin/python -m bench.ranking_sizes [--quick] [--sizes 1000 5000 10000]
"""

import argparse
import os
import tempfile
from typing import Any

from bench import matching_ranking
from bench.harness import RESULTS_VARIABLE, write_json

SIZES = [1000, 5000, 10_000]
QUICK_SIZES = [200, 400]


def one_size(members: int, quick: bool) -> dict[str, Any]:
    """The ranking benchmark's figures at ``members``, written under its size."""
    kept = os.environ.get(RESULTS_VARIABLE)
    arguments = ["--members", str(members)] + (["--quick"] if quick else [])
    with tempfile.TemporaryDirectory() as scratch:
        os.environ[RESULTS_VARIABLE] = scratch
        try:
            figures = matching_ranking.main(arguments)
        finally:
            if kept is None:
                os.environ.pop(RESULTS_VARIABLE, None)
            else:
                os.environ[RESULTS_VARIABLE] = kept
    write_json(f"matching_ranking_{members}", figures)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes")
    parser.add_argument("--sizes", type=int, nargs="+", default=None)
    options = parser.parse_args()
    sizes = options.sizes or (QUICK_SIZES if options.quick else SIZES)
    for members in sizes:
        one_size(members, options.quick)


if __name__ == "__main__":
    main()
