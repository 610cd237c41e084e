from uuid import UUID, uuid4

import pytest
from carrel_events.contracts.resources import MaterialPublished, ResourceCatalogued
from carrel_events.relay import EnvelopeFactory
from carrel_resources.domain.aggregates import Material, Resource, ResourceProgress
from carrel_resources.domain.errors import RuleViolation, VersionConflict
from carrel_resources.domain.urls import resource_id_for


def catalogued(url: str = "https://example.org/guide") -> Resource:
    return Resource(
        url=url,
        title="A guide",
        resource_type="tutorial",
        topics=["IIIF"],
        description="",
        sources=[],
        skill_tags=[{"skill_id": "metadata", "because": "topic 'IIIF' says so"}],
        catalogued_by=None,
        correlation_id=uuid4(),
    )


def published(team_id: UUID) -> Material:
    return Material(
        team_id=team_id,
        title="Our cataloguing handbook",
        body_markdown="# Handbook",
        links=[{"url": "https://example.org/rda", "title": "RDA"}],
        attachment=None,
        skill_tags=[],
        published_by=uuid4(),
        correlation_id=uuid4(),
    )


def test_an_entry_s_id_derives_from_its_url() -> None:
    assert catalogued().id == resource_id_for("https://example.org/guide")


def test_retiring_on_a_stale_read_is_a_version_conflict() -> None:
    resource = catalogued()

    with pytest.raises(VersionConflict):
        resource.retire(
            reason="", retired_by=None, expected_version=2, correlation_id=uuid4()
        )


def test_an_entry_is_retired_once() -> None:
    resource = catalogued()
    resource.retire(
        reason="dead link", retired_by=None, expected_version=1, correlation_id=uuid4()
    )

    with pytest.raises(RuleViolation):
        resource.retire(
            reason="", retired_by=None, expected_version=2, correlation_id=uuid4()
        )


def test_only_a_retired_entry_is_restored_and_on_the_version_read() -> None:
    resource = catalogued()
    with pytest.raises(RuleViolation) as not_retired:
        resource.restore(
            reason="", restored_by=None, expected_version=1, correlation_id=uuid4()
        )
    resource.retire(
        reason="dead link", retired_by=None, expected_version=1, correlation_id=uuid4()
    )

    with pytest.raises(VersionConflict):
        resource.restore(
            reason="", restored_by=None, expected_version=1, correlation_id=uuid4()
        )
    operator = uuid4()
    resource.restore(
        reason="link fixed",
        restored_by=operator,
        expected_version=2,
        correlation_id=uuid4(),
    )

    assert not_retired.value.kind == "not_retired"
    assert resource.retired is False and resource.version == 3
    restored = EnvelopeFactory()(resource.collect_events()[-1])
    assert restored is not None and restored.event_type == "ResourceRestored"
    assert restored.payload == {"reason": "link fixed", "restored_by": str(operator)}


def test_a_central_entry_travels_without_a_team() -> None:
    correlation_id = uuid4()
    resource = catalogued()
    resource.retire(
        reason="gone",
        retired_by=None,
        expected_version=1,
        correlation_id=correlation_id,
    )

    created, retired = (EnvelopeFactory()(e) for e in resource.collect_events())

    assert created is not None and retired is not None
    assert created.team_id is None
    assert ResourceCatalogued.model_validate(created.payload).topics == ["IIIF"]
    assert retired.event_type == "ResourceRetired"
    assert retired.correlation_id == correlation_id


def test_material_and_its_revisions_travel_with_their_team() -> None:
    team_id = uuid4()
    material = published(team_id)
    material.revise(
        title="Handbook, second edition",
        body_markdown="",
        links=[],
        skill_tags=[],
        revised_by=uuid4(),
        expected_version=1,
        correlation_id=uuid4(),
    )

    envelopes = [EnvelopeFactory()(e) for e in material.collect_events()]
    first = envelopes[0]

    assert [e.team_id for e in envelopes if e] == [team_id, team_id]
    assert first is not None
    assert MaterialPublished.model_validate(first.payload).links[0].title == "RDA"


def test_withdrawn_material_cannot_be_revised() -> None:
    material = published(uuid4())
    material.withdraw(
        reason="", withdrawn_by=uuid4(), expected_version=1, correlation_id=uuid4()
    )

    with pytest.raises(RuleViolation):
        material.revise(
            title="x",
            body_markdown="",
            links=[],
            skill_tags=[],
            revised_by=uuid4(),
            expected_version=2,
            correlation_id=uuid4(),
        )


def test_progress_records_opening_and_completion_once_each() -> None:
    progress = ResourceProgress(team_id=uuid4(), member_id=uuid4(), resource_id=uuid4())
    progress.open(uuid4())
    progress.open(uuid4())
    progress.complete(uuid4())
    progress.complete(uuid4())

    names = [type(e).__name__ for e in progress.collect_events()]
    assert names == ["ProgressStarted", "ResourceOpened", "ResourceCompleted"]


def test_completing_unopened_resource_records_the_opening_too() -> None:
    progress = ResourceProgress(team_id=uuid4(), member_id=uuid4(), resource_id=uuid4())
    progress.complete(uuid4())

    envelopes = [EnvelopeFactory()(e) for e in progress.collect_events()]
    assert [e.event_type for e in envelopes if e] == [
        "ResourceOpened",
        "ResourceCompleted",
    ]
