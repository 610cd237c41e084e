"""People for unit tests, built by hand with only what a test cares about."""

from typing import Any
from uuid import UUID, uuid4

from carrel_matching.domain.people import Mentor, Person, Place

METADATA = "esco.develop-information-standards"
CATALOGUING = "esco.classify-library-materials"
PRESERVATION = "esco.manage-digital-archives"
ARCHIVES = "esco.manage-archive"
SQL = "onet.tech.structured-query-language-sql"

LINCOLN = Place("Lincoln", "NE", "US", 40.8136, -96.7026, -6.0)
OMAHA = Place("Omaha", "NE", "US", 41.2565, -95.9345, -6.0)
HONOLULU = Place("Honolulu", "HI", "US", 21.3069, -157.8583, -10.0)


def person(**features: Any) -> Person:
    features.setdefault("person_id", uuid4())
    return Person(**features)


def mentor(capacity: int = 2, active: int = 0, **features: Any) -> Mentor:
    return Mentor(person(**features), capacity, active)


def ids(*people: Person | Mentor) -> list[UUID]:
    return [p.person_id if isinstance(p, Person) else p.mentor_id for p in people]
