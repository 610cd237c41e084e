from uuid import uuid4

import pytest
from carrel_resources.adapters.memory import MemoryDirectory
from carrel_resources.domain.audiences import (
    AudienceChoice,
    recipients_of,
    require_coordinator,
)
from carrel_resources.domain.errors import NotPermitted, RuleViolation


def test_a_team_audience_is_every_member_known_now(directory: MemoryDirectory) -> None:
    team, ada, bo = uuid4(), uuid4(), uuid4()
    directory.join(team, ada)
    directory.join(team, bo)
    directory.join(uuid4(), uuid4())

    assert set(recipients_of(directory, team, AudienceChoice("team"))) == {ada, bo}


def test_a_group_audience_is_its_members(directory: MemoryDirectory) -> None:
    team, group, ada = uuid4(), uuid4(), uuid4()
    directory.groups[(team, group)] = {ada}

    assert recipients_of(directory, team, AudienceChoice("group", group)) == [ada]


def test_an_unknown_group_is_named(directory: MemoryDirectory) -> None:
    group = uuid4()
    with pytest.raises(RuleViolation) as refused:
        recipients_of(directory, uuid4(), AudienceChoice("group", group))

    assert refused.value.loc == ("audience", "group_id")
    assert str(group) in refused.value.msg


def test_an_unknown_chosen_member_is_named_with_its_position(
    directory: MemoryDirectory,
) -> None:
    team, ada, stranger = uuid4(), uuid4(), uuid4()
    directory.join(team, ada)
    audience = AudienceChoice("members", member_ids=[ada, stranger])

    with pytest.raises(RuleViolation) as refused:
        recipients_of(directory, team, audience)

    assert refused.value.loc == ("audience", "member_ids", 1)
    assert str(stranger) in refused.value.msg


def test_only_a_coordinator_may_distribute(directory: MemoryDirectory) -> None:
    team, mentor, coordinator = uuid4(), uuid4(), uuid4()
    directory.join(team, mentor, "mentor")
    directory.join(team, coordinator, "coordinator", "mentor")

    require_coordinator(directory, team, coordinator)
    with pytest.raises(NotPermitted):
        require_coordinator(directory, team, mentor)
