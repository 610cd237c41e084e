from uuid import uuid4

import pytest
from carrel_teams.domain.errors import RuleViolated
from carrel_teams.domain.group import Group


def group() -> Group:
    return Group(
        team_id=uuid4(),
        name="Rural libraries",
        member_ids=[],
        origin="manual",
        suggestion_id=None,
        created_by=uuid4(),
        correlation_id=uuid4(),
    )


def test_members_come_and_go_but_not_twice() -> None:
    made, person = group(), uuid4()
    made.add(person, uuid4(), uuid4())

    with pytest.raises(RuleViolated, match="already in the group"):
        made.add(person, uuid4(), uuid4())
    made.remove(person, uuid4(), uuid4())

    assert made.member_ids == []


def test_an_archived_group_no_longer_changes() -> None:
    made = group()
    made.rename("Rural and small libraries", uuid4(), uuid4())
    made.archive(uuid4(), uuid4())

    with pytest.raises(RuleViolated, match="archived"):
        made.rename("Another", uuid4(), uuid4())
    assert made.name == "Rural and small libraries"


def test_each_group_of_a_suggestion_gets_one_id_per_team() -> None:
    team, suggestion = uuid4(), uuid4()
    first, second = [uuid4(), uuid4()], [uuid4(), uuid4()]

    same = Group.create_id(team, suggestion, first)

    assert Group.create_id(team, suggestion, list(reversed(first))) == same
    assert Group.create_id(team, suggestion, second) != same
    assert Group.create_id(uuid4(), suggestion, first) != same
    assert Group.create_id(team, None, first) != Group.create_id(team, None, first)
