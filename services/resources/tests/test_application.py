from typing import Any
from uuid import UUID, uuid4

import pytest
from carrel_resources.adapters.memory import MemoryDirectory, MemoryFileStore
from carrel_resources.application import MaterialDraft, ResourcesApplication
from carrel_resources.domain.attachments import accept_file
from carrel_resources.domain.audiences import AudienceChoice
from carrel_resources.domain.entries import (
    EntryDraft,
    ListedSource,
    drafts_from_listing,
)
from carrel_resources.domain.errors import (
    DuplicateResource,
    NotPermitted,
    RuleViolation,
    UnknownResource,
)


def draft(url: str, topic: str = "Linked Open Data in Library Use Today") -> EntryDraft:
    return EntryDraft(url=url, title="Guide", resource_type="tutorial", topics=[topic])


def listed(url: str, source_id: str, topic: str) -> ListedSource:
    return ListedSource("liber", source_id, topic, "reading", "", "Title", url, "")


def events_in(application: ResourcesApplication) -> int:
    return application.recorder.max_notification_id() or 0


def a_team(directory: MemoryDirectory) -> tuple[UUID, UUID, UUID]:
    team, coordinator, member = uuid4(), uuid4(), uuid4()
    directory.join(team, coordinator, "coordinator")
    directory.join(team, member, "mentee")
    return team, coordinator, member


def test_a_second_entry_for_the_same_url_is_refused_naming_the_first(
    application: ResourcesApplication,
) -> None:
    first = application.catalogue(
        draft("https://example.org/a"), catalogued_by=None, correlation_id=uuid4()
    )

    with pytest.raises(DuplicateResource) as refused:
        application.catalogue(
            draft("https://example.org/a"), catalogued_by=None, correlation_id=uuid4()
        )
    assert refused.value.existing_id == first.id
    assert events_in(application) == 1


def test_rows_sharing_a_url_become_one_entry_that_keeps_each_row() -> None:
    rows = [
        listed("https://glam-workbench.net/", "r1", "IIIF"),
        listed("https://GLAM-workbench.net", "r2", "Computer Vision"),
        listed("https://example.org/", "r3", "IIIF"),
    ]

    drafts = drafts_from_listing(rows)

    assert [len(d.sources) for d in drafts] == [2, 1]
    assert drafts[0].topics == ["IIIF", "Computer Vision"]


def test_seeding_twice_adds_nothing_the_second_time(
    application: ResourcesApplication,
) -> None:
    drafts = [draft("https://example.org/a"), draft("https://example.org/b")]

    first = application.seed(drafts, uuid4())
    second = application.seed(drafts, uuid4())

    assert (first.added, first.already_present) == (2, 0)
    assert (second.added, second.already_present) == (0, 2)
    assert events_in(application) == 2


def test_a_share_with_the_team_records_the_members_known_then(
    application: ResourcesApplication, directory: MemoryDirectory
) -> None:
    team, coordinator, member = a_team(directory)
    entry = application.catalogue(
        draft("https://example.org/a"), catalogued_by=None, correlation_id=uuid4()
    )

    share = application.share(
        team,
        entry.id,
        AudienceChoice("team"),
        note="Read before Friday",
        shared_by=coordinator,
        correlation_id=uuid4(),
    )
    directory.join(team, uuid4())

    assert set(share.recipients) == {coordinator, member}


def test_a_refused_share_records_nothing(
    application: ResourcesApplication, directory: MemoryDirectory
) -> None:
    team, coordinator, _ = a_team(directory)
    entry = application.catalogue(
        draft("https://example.org/a"), catalogued_by=None, correlation_id=uuid4()
    )
    stranger = AudienceChoice("members", member_ids=[uuid4()])

    with pytest.raises(RuleViolation):
        application.share(
            team,
            entry.id,
            stranger,
            note="",
            shared_by=coordinator,
            correlation_id=uuid4(),
        )
    with pytest.raises(RuleViolation):
        application.share(
            team,
            uuid4(),
            AudienceChoice("team"),
            note="",
            shared_by=coordinator,
            correlation_id=uuid4(),
        )
    assert events_in(application) == 1


def test_a_member_who_is_not_a_coordinator_cannot_share_or_publish(
    application: ResourcesApplication, directory: MemoryDirectory
) -> None:
    team, _, member = a_team(directory)
    with pytest.raises(NotPermitted):
        application.publish_material(
            team,
            MaterialDraft("Notes", "", [], []),
            attachment=None,
            published_by=member,
            correlation_id=uuid4(),
        )


def test_another_team_s_material_is_invisible(
    application: ResourcesApplication, directory: MemoryDirectory
) -> None:
    team, coordinator, _ = a_team(directory)
    other_team, _, outsider = a_team(directory)
    material = application.publish_material(
        team,
        MaterialDraft("Notes", "", [], []),
        attachment=None,
        published_by=coordinator,
        correlation_id=uuid4(),
    )

    with pytest.raises(UnknownResource):
        application.open(other_team, material.id, outsider, uuid4())


def retire(application: ResourcesApplication, resource_id: UUID) -> None:
    application.retire(
        resource_id,
        reason="dead link",
        retired_by=None,
        expected_version=1,
        correlation_id=uuid4(),
    )


def test_a_recipient_marks_progress_on_an_entry_retired_after_the_share(
    application: ResourcesApplication, directory: MemoryDirectory
) -> None:
    team, coordinator, member = a_team(directory)
    bystander = uuid4()
    directory.join(team, bystander)
    entry = application.catalogue(
        draft("https://example.org/a"), catalogued_by=None, correlation_id=uuid4()
    )
    chosen = AudienceChoice("members", member_ids=[member])
    application.share(
        team, entry.id, chosen, note="", shared_by=coordinator, correlation_id=uuid4()
    )
    retire(application, entry.id)

    progress = application.complete(team, entry.id, member, uuid4())

    assert progress.completed
    with pytest.raises(UnknownResource):
        application.open(team, entry.id, bystander, uuid4())


def test_a_member_who_opened_an_entry_completes_it_after_it_is_retired(
    application: ResourcesApplication, directory: MemoryDirectory
) -> None:
    team, _, member = a_team(directory)
    entry = application.catalogue(
        draft("https://example.org/a"), catalogued_by=None, correlation_id=uuid4()
    )
    application.open(team, entry.id, member, uuid4())
    retire(application, entry.id)

    assert application.complete(team, entry.id, member, uuid4()).completed


def test_a_retired_url_is_refused_as_retired_until_restored(
    application: ResourcesApplication,
) -> None:
    entry = application.catalogue(
        draft("https://example.org/a"), catalogued_by=None, correlation_id=uuid4()
    )
    retire(application, entry.id)

    with pytest.raises(DuplicateResource) as refused:
        application.catalogue(
            draft("https://example.org/a"), catalogued_by=None, correlation_id=uuid4()
        )
    application.restore(
        entry.id,
        reason="link works again",
        restored_by=None,
        expected_version=2,
        correlation_id=uuid4(),
    )

    assert refused.value.retired and "restore it" in str(refused.value)
    with application.reading() as view:
        assert [e.id for e in view.entries_for(None)] == [entry.id]


def test_a_failed_save_leaves_the_file_for_a_retry_and_records_nothing(
    application: ResourcesApplication,
    directory: MemoryDirectory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    team, coordinator, _ = a_team(directory)
    pdf = accept_file("guide.pdf", b"%PDF-1.7\n" + b"0" * 100, 1024)
    store = application.files
    assert isinstance(store, MemoryFileStore)

    def publish() -> Any:
        return application.publish_material(
            team,
            MaterialDraft("Guide", "", [], []),
            attachment=pdf,
            published_by=coordinator,
            correlation_id=uuid4(),
        )

    with monkeypatch.context() as patched:
        patched.setattr(application, "save", _fails)
        with pytest.raises(ConnectionError):
            publish()
    assert events_in(application) == 0 and list(store.files) == [pdf.sha256]
    material = publish()

    assert material.attachment == pdf.as_event()
    assert list(store.files) == [pdf.sha256]


def _fails(*_: object) -> None:
    raise ConnectionError("the event store is down")


def test_an_unknown_chosen_skill_is_refused(
    application: ResourcesApplication, directory: MemoryDirectory
) -> None:
    team, coordinator, _ = a_team(directory)
    with pytest.raises(RuleViolation) as refused:
        application.publish_material(
            team,
            MaterialDraft("Notes", "", [], ["metadata", "astrology"]),
            attachment=None,
            published_by=coordinator,
            correlation_id=uuid4(),
        )
    assert refused.value.loc == ("skill_ids", 1)


def test_recommendations_follow_goals_and_skip_what_the_member_completed(
    application: ResourcesApplication, directory: MemoryDirectory
) -> None:
    team, coordinator, member = a_team(directory)
    directory.goals[member] = ["metadata", "teaching"]
    lod = application.catalogue(
        draft("https://example.org/lod"), catalogued_by=None, correlation_id=uuid4()
    )
    done = application.catalogue(
        draft("https://example.org/done"), catalogued_by=None, correlation_id=uuid4()
    )
    application.catalogue(
        draft("https://example.org/code", "Programming for Librarians: Where to begin"),
        catalogued_by=None,
        correlation_id=uuid4(),
    )
    ours = application.publish_material(
        team,
        MaterialDraft("Teaching metadata", "", [], ["teaching"]),
        attachment=None,
        published_by=coordinator,
        correlation_id=uuid4(),
    )
    application.complete(team, done.id, member, uuid4())

    found = application.recommendations(team, member)

    assert [r.resource_id for r in found] == [ours.id, lod.id]
    assert found[0].goals_met == ["teaching", "metadata"]
    assert found[0].reasons[0] == (
        "covers your goal 'Instructing': chosen by the coordinator: Instructing"
    )
    assert found[1].reasons == [
        "covers your goal 'Metadata': topic 'Linked Open Data in Library Use Today'"
        " maps to 'Metadata' in Cataloguing via 'metadata'"
    ]
