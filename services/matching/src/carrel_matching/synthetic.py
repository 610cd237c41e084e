"""Synthetic members for benchmarks and tests, with a fixed seed.

People are drawn from the real skills vocabulary, the real job titles and the
real places of US public library systems (IMLS PLS FY2022); nothing here is
anyone's profile.
"""

import csv
import random
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from carrel_vocabulary import Vocabulary

from carrel_matching.domain.people import Mentor, Person, Place, fold

LIBRARIES_FILE = "us_public_library_systems_pls_fy2022.csv"
INTERESTS = (
    "open access", "zines", "local history", "genealogy", "makerspaces",
    "early literacy", "digital humanities", "linked data", "oral history",
    "community archives", "game nights", "accessibility", "research data",
    "book clubs", "rare books", "information literacy", "citizen science",
    "seed libraries", "podcasting", "wikipedia editing",
)  # fmt: skip
LANGUAGES = ("en", "en", "en", "es", "fr", "de", "zh", "vi")
OFFSETS = {"ME": -5.0, "NY": -5.0, "FL": -5.0, "IL": -6.0, "TX": -6.0, "CO": -7.0}


@dataclass(frozen=True)
class LibraryPlace:
    library_id: str
    city: str
    state: str
    latitude: float
    longitude: float


def library_places(data_dir: Path, limit: int = 10_000) -> list[LibraryPlace]:
    """The first ``limit`` library systems that have coordinates."""
    places = []
    with (data_dir / LIBRARIES_FILE).open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if not row["lat"] or not row["lon"]:
                continue
            places.append(
                LibraryPlace(
                    f"{row['state']}:{row['libid']}",
                    row["city"].title(),
                    row["state"],
                    float(row["lat"]),
                    float(row["lon"]),
                )
            )
            if len(places) >= limit:
                break
    return places


class Population:
    """Draws people with a seeded random generator."""

    def __init__(self, vocabulary: Vocabulary, data_dir: Path, seed: int = 7) -> None:
        self.random = random.Random(seed)
        self.skill_ids = [s.id for s in vocabulary.skills]
        self.titles = list(vocabulary.job_titles)
        self.places = library_places(data_dir)

    def _id(self) -> UUID:
        return UUID(int=self.random.getrandbits(128), version=4)

    def person(self, *, senior: bool) -> Person:
        r = self.random
        place = r.choice(self.places)
        skills = {
            s: r.randint(3, 5) if senior else r.randint(1, 3)
            for s in r.sample(self.skill_ids, r.randint(4, 15 if senior else 6))
        }
        return Person(
            person_id=self._id(),
            display_name=f"Member {r.randint(1, 10**6)}",
            skills=skills,
            learning_goals=tuple(r.sample(self.skill_ids, r.randint(1, 5))),
            interests=frozenset(fold(i) for i in r.sample(INTERESTS, r.randint(0, 5))),
            target_roles=tuple(r.sample(self.titles, r.randint(0, 2))),
            current_role=r.choice(self.titles),
            institution=place.library_id if r.random() < 0.9 else None,
            years_of_experience=r.randint(8, 35) if senior else r.randint(0, 8),
            languages=frozenset(r.sample(LANGUAGES, r.randint(1, 2))),
            place=Place(
                city=place.city,
                region=place.state,
                country="US",
                latitude=place.latitude,
                longitude=place.longitude,
                utc_offset_hours=OFFSETS.get(place.state, -5.0 - r.randint(0, 3)),
            ),
            meeting_preference=r.choice(("remote", "in_person", "either", "either")),
            place_weight=r.choice((0.0, 0.25, 0.5, 0.75, 1.0)),
            available=r.random() > 0.05,
        )

    def mentor(self, capacity: int | None = None) -> Mentor:
        capacity = capacity if capacity is not None else self.random.randint(1, 3)
        load = self.random.randint(0, capacity)
        return Mentor(self.person(senior=True), capacity, load)

    def team(self, mentees: int, mentors: int) -> tuple[list[Person], list[Mentor]]:
        return (
            [self.person(senior=False) for _ in range(mentees)],
            [self.mentor() for _ in range(mentors)],
        )
