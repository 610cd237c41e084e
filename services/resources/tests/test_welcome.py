"""Welcome resources: shared with a newcomer once, whoever asks again."""

from uuid import UUID, uuid4

from carrel_resources.application import ResourcesApplication
from carrel_resources.domain.aggregates import Share, welcome_share_id
from carrel_resources.domain.entries import EntryDraft


def entry(application: ResourcesApplication, url: str) -> UUID:
    draft = EntryDraft(url=url, title="Guide", resource_type="tutorial", topics=[])
    return application.catalogue(draft, catalogued_by=None, correlation_id=uuid4()).id


def shares_in(application: ResourcesApplication) -> list[Share]:
    notifications = application.recorder.select_notifications(1, 10_000)
    return [
        application.repository.get(UUID(str(n.originator_id)))
        for n in notifications
        if n.topic.endswith(".ResourceShared")
    ]


def test_a_newcomer_receives_each_welcome_resource_once(
    application: ResourcesApplication,
) -> None:
    team, newcomer, coordinator = uuid4(), uuid4(), uuid4()
    chosen = [
        entry(application, "https://example.org/a"),
        entry(application, "https://example.org/b"),
    ]

    first = application.welcome(
        team, newcomer, chosen, shared_by=coordinator, correlation_id=uuid4()
    )
    again = application.welcome(
        team, newcomer, chosen, shared_by=coordinator, correlation_id=uuid4()
    )

    assert [s.resource_id for s in first] == chosen and again == []
    assert {s.id for s in shares_in(application)} == {
        welcome_share_id(team, newcomer, resource) for resource in chosen
    }
    assert all(
        (s.recipients, s.shared_by, s.team_id) == ([newcomer], coordinator, team)
        for s in first
    )
    assert first[0].audience == {
        "kind": "members",
        "group_id": None,
        "member_ids": [newcomer],
    }


def test_a_welcome_resource_the_team_cannot_see_is_left_out(
    application: ResourcesApplication,
) -> None:
    team, newcomer = uuid4(), uuid4()
    known = entry(application, "https://example.org/c")

    shared = application.welcome(
        team, newcomer, [uuid4(), known], shared_by=uuid4(), correlation_id=uuid4()
    )

    assert [s.resource_id for s in shared] == [known]


def test_two_newcomers_each_receive_the_welcome(
    application: ResourcesApplication,
) -> None:
    team, resource = uuid4(), entry(application, "https://example.org/d")

    for newcomer in (uuid4(), uuid4()):
        application.welcome(
            team, newcomer, [resource], shared_by=uuid4(), correlation_id=uuid4()
        )

    assert len(shares_in(application)) == 2
