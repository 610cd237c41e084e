from carrel_operator.comparison import (
    CountDifference,
    DocumentDifference,
    Snapshot,
    count_differences,
    document_differences,
)


def test_documents_missing_on_either_side_or_differing_are_each_named() -> None:
    left: Snapshot = {"people": {"a": {"name": "Ada", "v": 1}, "b": {"name": "Bo"}}}
    right: Snapshot = {"people": {"a": {"name": "Ada", "v": 2}, "c": {"name": "Cy"}}}

    assert document_differences(left, right) == [
        DocumentDifference("people", "b", "only_left"),
        DocumentDifference("people", "c", "only_right"),
        DocumentDifference("people", "a", "differs", ("v",)),
    ]


def test_a_field_present_on_one_side_only_is_a_difference() -> None:
    left = {"teams": {"t": {"name": "A"}}}
    right = {"teams": {"t": {"name": "A", "archived": True}}}

    assert document_differences(left, right) == [
        DocumentDifference("teams", "t", "differs", ("archived",))
    ]


def test_what_a_projection_run_records_about_itself_is_not_compared() -> None:
    left = {"changes": {"t": {"team_id": "t", "sequence": 3, "changed_at": "x"}}}
    right = {"changes": {"t": {"team_id": "t", "sequence": 9, "changed_at": "y"}}}

    assert document_differences(left, right) == []


def test_the_event_time_of_a_document_with_one_source_is_compared() -> None:
    left = {"people": {"a": {"updated_at": "2025-01-01T00:00:00+00:00"}}}
    right = {"people": {"a": {"updated_at": "2025-01-02T00:00:00+00:00"}}}

    assert len(document_differences(left, right)) == 1


def test_counts_that_differ_are_reported_with_both_figures() -> None:
    assert count_differences({"people": 3, "teams": 1}, {"people": 2, "teams": 1}) == [
        CountDifference("people", 3, 2)
    ]


def test_when_a_directory_entry_last_changed_is_not_compared() -> None:
    left = {"directory": {"t:p": {"roles": ["mentor"], "updated_at": "1"}}}
    right = {"directory": {"t:p": {"roles": ["mentor"], "updated_at": "2"}}}

    assert document_differences(left, right) == []
