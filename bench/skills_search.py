"""How fast the skills autocomplete answers, in-process.

Types a few librarian's words one letter at a time, as a person filling in
the profile form does ("c", "ca", "cat", ...; one misspelt), and asks for
each prefix twice over: once of the vocabulary itself (``Vocabulary.search``)
and once of ``GET /api/v1/skills`` through the profile service's route, its
validation and its JSON, on an ASGI transport (no network, no server). The
route reads only the vocabulary, so the app here has no event store. Prints
the median, p95 and max of each; no figures are written to a file.

    .venv/bin/python -m bench.skills_search [--quick] [-r ROUNDS]

Run it from the repository root; it needs only the shared data folder.
"""

import argparse
import asyncio
import os
import statistics
import time
from types import SimpleNamespace

import httpx
from carrel_profile.entrypoints import lookups
from carrel_profile.settings import ProfileSettings
from carrel_vocabulary import Vocabulary, load_vocabulary
from fastapi import FastAPI

WORDS = [
    "cataloguing",
    "metadata",
    "digital curation",
    "reference interview",
    "archives",
    "managment",
    "OCLC",
    "Dewey",
]
"""What is typed; "managment" is misspelt on purpose, for the fuzzy path."""


def keystrokes() -> list[str]:
    """Every prefix of every word, as the autocomplete receives them."""
    return [word[:end] for word in WORDS for end in range(1, len(word) + 1)]


def time_search(vocabulary: Vocabulary, queries: list[str], rounds: int) -> list[float]:
    """Milliseconds of each ``Vocabulary.search`` call."""
    took = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            vocabulary.search(query, 10)
            took.append((time.perf_counter() - started) * 1000)
    return took


async def time_route(
    vocabulary: Vocabulary, queries: list[str], rounds: int
) -> list[float]:
    """Milliseconds of each ``GET /api/v1/skills``, through the app in-process."""
    app = FastAPI()
    app.include_router(lookups.router)
    app.state.profiles = SimpleNamespace(vocabulary=vocabulary)
    took = []
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://p") as http:
        for _ in range(rounds):
            for query in queries:
                started = time.perf_counter()
                answer = await http.get("/api/v1/skills", params={"q": query})
                took.append((time.perf_counter() - started) * 1000)
                answer.raise_for_status()
    return took


def line(name: str, took: list[float]) -> str:
    p95 = statistics.quantiles(took, n=20)[18]
    return (
        f"  {name}: median {statistics.median(took):.2f} ms,"
        f" p95 {p95:.2f} ms, max {max(took):.2f} ms ({len(took)} queries)"
    )


def main() -> None:
    """Times the search and the route with the rounds of the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run")
    parser.add_argument("-r", "--rounds", type=int, default=20)
    arguments = parser.parse_args()
    rounds = 2 if arguments.quick else max(1, arguments.rounds)
    vocabulary = load_vocabulary(ProfileSettings().data_dir)
    queries = keystrokes()
    time_search(vocabulary, queries, 1)  # warm up, untimed
    search = time_search(vocabulary, queries, rounds)
    route = asyncio.run(time_route(vocabulary, queries, rounds))
    print(
        f"skills autocomplete: {len(vocabulary.skills)} skills, {len(queries)}"
        f" keystrokes x {rounds} rounds, in one process on {os.cpu_count()}"
        " cores shared with other work"
    )
    print(line("Vocabulary.search", search))
    print(line("GET /api/v1/skills (in-process)", route))


if __name__ == "__main__":
    main()
