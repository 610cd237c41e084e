"""Comparing two sets of read models: document counts and documents.

A rebuild and the live projection, or two rebuilds, should hold the same
documents. Two kinds of field may differ and are not compared:

- what a projection run records about itself: the change signals
  (``changes``) count batches, not events, and carry the wall-clock time of
  the batch;
- a directory entry's ``updated_at``: the entry is fed by the profile topic
  and the teams topic, and which event was the last to change it depends on
  how the two topics were interleaved, which Kafka does not fix. A live
  consumer reads them interleaved as they arrive; a rebuild reads long runs
  of each. The entry's content is the same either way (this is what the
  comparison proves); only the stamp of the last change differs.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from carrel_projection.domain.documents import Document, Model

Snapshot = Mapping[str, Mapping[str, Document]]
"""Documents by model name, then by document id."""

NOT_COMPARED: dict[str, frozenset[str]] = {
    Model.CHANGES.value: frozenset({"sequence", "models", "changed_at"}),
    Model.DIRECTORY.value: frozenset({"updated_at"}),
}
"""Fields that depend on batching or topic interleaving, per model."""


@dataclass(frozen=True)
class CountDifference:
    model: str
    expected: int
    found: int


@dataclass(frozen=True)
class DocumentDifference:
    """One document that is missing on a side or differs in some fields."""

    model: str
    doc_id: str
    kind: str
    """``only_left``, ``only_right`` or ``differs``."""
    fields: tuple[str, ...] = ()


def count_differences(
    expected: Mapping[str, int], found: Mapping[str, int]
) -> list[CountDifference]:
    """Models whose counts differ, in the order of ``expected``."""
    return [
        CountDifference(model, count, found.get(model, 0))
        for model, count in expected.items()
        if found.get(model, 0) != count
    ]


def document_differences(left: Snapshot, right: Snapshot) -> list[DocumentDifference]:
    """Every document that is not the same on both sides, model by model."""
    differences: list[DocumentDifference] = []
    for model in sorted(set(left) | set(right)):
        ignored = NOT_COMPARED.get(model, frozenset())
        differences += _model_differences(
            model, left.get(model, {}), right.get(model, {}), ignored
        )
    return differences


def _model_differences(
    model: str,
    left: Mapping[str, Document],
    right: Mapping[str, Document],
    ignored: frozenset[str],
) -> list[DocumentDifference]:
    differences = [
        DocumentDifference(model, doc_id, "only_left")
        for doc_id in sorted(left.keys() - right.keys())
    ]
    differences += [
        DocumentDifference(model, doc_id, "only_right")
        for doc_id in sorted(right.keys() - left.keys())
    ]
    for doc_id in sorted(left.keys() & right.keys()):
        fields = _differing_fields(left[doc_id], right[doc_id], ignored)
        if fields:
            differences.append(DocumentDifference(model, doc_id, "differs", fields))
    return differences


def _differing_fields(
    left: Document, right: Document, ignored: frozenset[str]
) -> tuple[str, ...]:
    names = (left.keys() | right.keys()) - ignored
    return tuple(sorted(n for n in names if left.get(n) != right.get(n)))
