"""Group suggestions by geography and by interests."""

from uuid import UUID

from carrel_matching.domain.grouping import group_sizes, suggest_groups
from carrel_matching.domain.people import Person, Place

from .people import HONOLULU, LINCOLN, OMAHA, person


def test_sizes_are_as_even_as_can_be_within_the_range() -> None:
    assert group_sizes(10, 3, 4) == [4, 3, 3]
    assert group_sizes(12, 3, 4) == [4, 4, 4]
    assert group_sizes(2, 3, 5) == [2]
    assert group_sizes(0, 3, 5) == []


def test_geography_puts_neighbours_together_and_says_how_close_they_are() -> None:
    nebraska = [person(place=LINCOLN) for _ in range(2)] + [person(place=OMAHA)]
    hawaii = [person(place=HONOLULU) for _ in range(3)]

    groups = suggest_groups([*nebraska, *hawaii], 3, 3, "geography")

    members = [set(g.member_ids) for g in groups]
    assert {p.person_id for p in nebraska} in members
    assert {p.person_id for p in hawaii} in members
    nebraska_group = groups[members.index({p.person_id for p in nebraska})]
    assert "all in NE" in nebraska_group.shared
    assert any(
        s.startswith("within 8") and s.endswith("km of each other")
        for s in nebraska_group.shared
    )


def test_members_without_a_place_still_get_a_group() -> None:
    people = [person(place=LINCOLN), person(place=OMAHA), person(place=Place())]
    groups = suggest_groups(people, 1, 2, "geography")
    assert sorted(len(g.member_ids) for g in groups) == [1, 2]
    assert _everyone(groups) == {p.person_id for p in people}


def test_interests_group_people_who_share_them_and_name_what_they_share() -> None:
    zines = [person(interests=frozenset({"zines", "comics"})) for _ in range(3)]
    maps = [person(interests=frozenset({"maps", "gis"})) for _ in range(3)]

    groups = suggest_groups([*zines, *maps], 3, 3, "interests")

    assert {frozenset(g.member_ids) for g in groups} == {
        frozenset(p.person_id for p in zines),
        frozenset(p.person_id for p in maps),
    }
    shared = {s for g in groups for s in g.shared}
    assert "zines (3 of 3)" in shared
    assert "maps (3 of 3)" in shared


def _everyone(groups: list) -> set[UUID]:  # type: ignore[type-arg]
    return {m for g in groups for m in g.member_ids}


def _unused(_: Person) -> None:
    pass
