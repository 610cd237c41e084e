from uuid import UUID, uuid4

from carrel_resources.domain.recommendations import Recommendable, recommend


def tagged(title: str, kind: str, *skills: str) -> Recommendable:
    tags = [{"skill_id": s, "because": f"topic says {s}"} for s in skills]
    return Recommendable(uuid4(), title, kind, tags)


LABELS = {"metadata": "Metadata", "programming": "Programming"}.__getitem__


def test_resources_meeting_more_goals_come_first_with_a_reason_per_goal() -> None:
    sparql = tagged("SPARQL basics", "central", "metadata", "programming")
    lod = tagged("Linked data primer", "central", "metadata")
    maps = tagged("Web maps", "central", "gis")

    found = recommend(["metadata", "programming"], [lod, maps, sparql], set(), LABELS)

    assert [r.resource_id for r in found] == [sparql.resource_id, lod.resource_id]
    assert found[0].reasons == [
        "covers your goal 'Metadata': topic says metadata",
        "covers your goal 'Programming': topic says programming",
    ]


def test_completed_resources_are_not_recommended_again() -> None:
    done = tagged("Linked data primer", "central", "metadata")
    fresh = tagged("Dublin Core in practice", "central", "metadata")

    found = recommend(["metadata"], [done, fresh], {done.resource_id}, LABELS)

    assert [r.resource_id for r in found] == [fresh.resource_id]


def test_the_team_s_own_material_comes_before_the_index_on_a_tie() -> None:
    central = tagged("A central guide", "central", "metadata")
    ours = tagged("Zines of our cataloguers", "material", "metadata")

    found = recommend(["metadata"], [central, ours], set(), LABELS)

    assert [r.kind for r in found] == ["material", "central"]


def test_a_member_without_goals_gets_no_recommendations() -> None:
    completed: set[UUID] = set()
    assert recommend([], [tagged("x", "central", "metadata")], completed, LABELS) == []
