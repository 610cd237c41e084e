import pytest
from carrel_operator.versions import (
    ModelIndices,
    droppable,
    model_indices,
    next_version,
    switch_actions,
)
from carrel_projection.domain.documents import Model

MODELS = (Model.DIRECTORY, Model.PEOPLE)


def test_versions_are_read_from_index_names_and_the_live_one_from_its_alias() -> None:
    found = model_indices(
        "carrel",
        MODELS,
        {
            "carrel-directory-v1": ["carrel-directory"],
            "carrel-directory-v2": ["carrel-rebuild2-directory"],
            "carrel-people-v1": [],
            "carrel-people-v2": ["carrel-people"],
        },
    )

    assert found == [
        ModelIndices(Model.DIRECTORY, (1, 2), live=1, building=2),
        ModelIndices(Model.PEOPLE, (1, 2), live=2, building=None),
    ]


def test_indices_of_a_longer_prefix_are_not_taken_for_this_one() -> None:
    found = model_indices(
        "carrel", MODELS, {"carrel-test-1-directory-v7": ["carrel-test-1-directory"]}
    )

    assert [m.versions for m in found] == [(), ()]
    assert next_version(found) == 1


def test_the_next_version_is_one_past_the_highest_of_any_model() -> None:
    found = [
        ModelIndices(Model.DIRECTORY, (1, 2), live=2),
        ModelIndices(Model.PEOPLE, (3,), live=3),
    ]

    assert next_version(found) == 4


def test_a_switch_moves_every_live_alias_and_drops_the_build_aliases_at_once() -> None:
    found = [
        ModelIndices(Model.DIRECTORY, (1,), live=1),
        ModelIndices(Model.PEOPLE, (), live=None),
    ]

    actions = switch_actions("carrel", found, 2)

    assert actions == [
        {"remove": {"index": "carrel-directory-v1", "alias": "carrel-directory"}},
        {"add": {"index": "carrel-directory-v2", "alias": "carrel-directory"}},
        {
            "remove": {
                "index": "carrel-directory-v2",
                "alias": "carrel-rebuild2-directory",
            }
        },
        {"add": {"index": "carrel-people-v2", "alias": "carrel-people"}},
        {"remove": {"index": "carrel-people-v2", "alias": "carrel-rebuild2-people"}},
    ]


def test_the_live_version_cannot_be_dropped() -> None:
    found = [ModelIndices(Model.DIRECTORY, (1, 2), live=2)]

    with pytest.raises(ValueError, match="live"):
        droppable(found, 2)
    assert droppable(found, 1) == [Model.DIRECTORY]
