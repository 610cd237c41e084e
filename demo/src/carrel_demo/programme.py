"""The demo programme, drawn with a fixed seed from the real public data.

A consortium is one state's library cooperative in the IMLS survey: the
headquarters (``c_relatn`` HQ) and its members (ME) of that state, each library
a team of its own. Participants are invented people (no real person is named)
whose skills, learning goals and aspirations come from the O*NET and ESCO
vocabulary and whose places are their libraries' coordinates. Everything here
is pure: the loader sends it through the public API.
"""

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from carrel_vocabulary import Skill, Vocabulary

LIBRARIES_FILE = "us_public_library_systems_pls_fy2022.csv"
MENTOR_SHARE = 0.35
STATE_NAMES = {"RI": "Rhode Island"}
TIME_ZONES = {"RI": "America/New_York"}

_GIVEN = (
    "Ada Amira Ana Ben Bruno Carla Chen Dana Devi Elif Emil Farah Femi Gita "
    "Hana Hugo Ines Ivan Jae Jonas Kai Kemal Lena Luis Maya Mika Nadia Noor "
    "Omar Oren Paula Priya Quinn Rafael Rosa Sami Sara Tariq Tess Uma Vera "
    "Wen Yara Yusuf Zoe"
).split()
_FAMILY = (
    "Abbott Acosta Baker Banerjee Castillo Chowdhury Dalton Dubois Eriksen "
    "Fischer Garcia Haddad Hughes Ibrahim Jensen Kowalski Lindqvist Mbeki "
    "Moreau Nakamura Novak Okafor Olsen Park Quinlan Rossi Sato Schmidt "
    "Silva Takahashi Tran Varga Walsh Weber Yilmaz Zhou"
).split()
_INTERESTS = (
    "local history,zines,maps,oral history,digital humanities,open access,"
    "children's literacy,makerspaces,genealogy,community archives,"
    "accessibility,data literacy,rare books,podcasting,library advocacy"
).split(",")
_LANGUAGES = ("es", "pt", "fr", "zh", "vi", "ht")


@dataclass(frozen=True)
class Library:
    library_id: str
    name: str
    city: str
    state: str
    latitude: float
    longitude: float
    population: int
    headquarters: bool


@dataclass(frozen=True)
class Participant:
    """One invented person of the demo, with a stable key for idempotent loading."""

    key: str
    display_name: str
    email: str
    library: Library
    roles: tuple[str, ...]
    current_role: str
    years_of_experience: int
    skills: tuple[tuple[str, int], ...]
    learning_goals: tuple[str, ...]
    interests: tuple[str, ...]
    aspirations: tuple[str, ...]
    languages: tuple[str, ...]
    mentor_capacity: int

    @property
    def is_mentor(self) -> bool:
        return "mentor" in self.roles


def consortium_libraries(data_dir: Path, state: str = "RI") -> list[Library]:
    """The cooperative of ``state``: its headquarters first, then its members."""
    with (data_dir / LIBRARIES_FILE).open(newline="", encoding="utf-8") as source:
        rows = [r for r in csv.DictReader(source) if r["state"] == state]
    members = [_library(r) for r in rows if r["c_relatn"] in {"HQ", "ME"}]
    return sorted(members, key=lambda lib: (not lib.headquarters, lib.name))


def _library(row: dict[str, str]) -> Library:
    return Library(
        library_id=f"{row['state']}:{row['libid']}",
        name=row["name"].title(),
        city=row["city"].title(),
        state=row["state"],
        latitude=float(row["lat"]),
        longitude=float(row["lon"]),
        population=int(float(row["popu_lsa"] or 0)),
        headquarters=row["c_relatn"] == "HQ",
    )


def participants(
    vocabulary: Vocabulary, libraries: Sequence[Library], count: int, seed: int = 7
) -> list[Participant]:
    """``count`` people spread over ``libraries`` by population served."""
    rng = random.Random(seed)
    weights = [max(lib.population, 1000) ** 0.5 for lib in libraries]
    homes = rng.choices(list(libraries), weights=weights, k=count)
    return [_person(rng, vocabulary, i, home) for i, home in enumerate(homes)]


def _person(
    rng: random.Random, vocabulary: Vocabulary, index: int, home: Library
) -> Participant:
    mentor = rng.random() < MENTOR_SHARE
    years = rng.randint(8, 30) if mentor else rng.randint(0, 9)
    given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
    focus = _focus(rng, vocabulary.skills)
    known = _skills(rng, focus, 6 if mentor else 3, strong=mentor)
    titles = vocabulary.job_titles
    return Participant(
        key=f"demo-{index:05d}",
        display_name=f"{given} {family}",
        email=f"{given}.{family}.{index}@demo.example.org".lower(),
        library=home,
        roles=("mentor",) if mentor else ("mentee",),
        current_role=rng.choice(titles),
        years_of_experience=years,
        skills=known,
        learning_goals=() if mentor else _goals(rng, focus, known),
        interests=tuple(rng.sample(_INTERESTS, rng.randint(1, 4))),
        aspirations=() if mentor else tuple(rng.sample(titles, rng.randint(1, 2))),
        languages=("en",) if rng.random() < 0.8 else ("en", rng.choice(_LANGUAGES)),
        mentor_capacity=rng.randint(1, 3) if mentor else 0,
    )


def _focus(rng: random.Random, skills: Sequence[Skill]) -> list[Skill]:
    """The skills of one or two categories a person works in: careers cluster."""
    categories = sorted({s.category for s in skills})
    chosen = set(rng.sample(categories, 2))
    return [s for s in skills if s.category in chosen]


def _skills(
    rng: random.Random, skills: Sequence[Skill], count: int, strong: bool
) -> tuple[tuple[str, int], ...]:
    low, high = (3, 5) if strong else (1, 3)
    picked = rng.sample(list(skills), min(count, len(skills)))
    return tuple((s.id, rng.randint(low, high)) for s in picked)


def _goals(
    rng: random.Random, skills: Sequence[Skill], known: tuple[tuple[str, int], ...]
) -> tuple[str, ...]:
    have = {skill_id for skill_id, _ in known}
    candidates = [s.id for s in skills if s.id not in have]
    return tuple(rng.sample(candidates, min(len(candidates), rng.randint(2, 4))))
