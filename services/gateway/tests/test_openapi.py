"""The OpenAPI document: which operations say what they take and answer.

The gateway passes most bodies and answers on as they are; where it documents
them, the models must say what the service really takes and answers.
"""

from typing import Any

import pytest
from carrel_gateway.entrypoints.api import documented
from carrel_gateway.entrypoints.http import create_app
from carrel_gateway.settings import GatewaySettings
from carrel_gateway.testing import SECRET
from carrel_teams.entrypoints.api import dependencies as teams_dependencies
from carrel_teams.entrypoints.api import groups as teams_groups
from carrel_teams.entrypoints.api import invitations as teams_invitations
from carrel_teams.entrypoints.api import mentorships as teams_mentorships
from carrel_teams.entrypoints.api import teams as teams_teams
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

# Typed today; raise these as more routes are described, never lower them.
TYPED_ANSWERS_AT_LEAST = 48
TYPED_BODIES_AT_LEAST = 30
# Every operation under these paths is described, answer and body.
DESCRIBED_IN_FULL = ("/mentorships", "/groups/{group_id}", "/invitations", "/members")

# Each documented model and the teams service's own.
SAME_AS_THE_SERVICE: list[tuple[type[BaseModel], type[BaseModel]]] = [
    (documented.Versioned, teams_dependencies.Versioned),
    (documented.Recorded, teams_dependencies.Recorded),
    (documented.Created, teams_mentorships.Created),
    (documented.SettingsChange, teams_teams.SettingsChange),
    (documented.RolesChange, teams_teams.RolesChange),
    (documented.CapacityChange, teams_teams.CapacityChange),
    (documented.MemberTeamAdd, teams_teams.MemberTeamAdd),
    (documented.Consent, teams_teams.Consent),
    (documented.MemberView, teams_teams.MemberView),
    (documented.TeamView, teams_teams.TeamView),
    (documented.PoolMentor, teams_teams.PoolMentor),
    (documented.JoinLink, teams_teams.JoinLink),
    (documented.InvitationCreate, teams_invitations.InvitationCreate),
    (documented.InvitationLink, teams_invitations.InvitationLink),
    (documented.InvitationView, teams_invitations.InvitationView),
    (documented.ImportAnswer, teams_invitations.ImportAnswer),
    (documented.RowAnswer, teams_invitations.RowAnswer),
    (documented.MentorshipRequest, teams_mentorships.MentorshipRequest),
    (documented.Decline, teams_mentorships.Decline),
    (documented.Question, teams_mentorships.Question),
    (documented.Answer, teams_mentorships.Answer),
    (documented.SessionLog, teams_mentorships.SessionLog),
    (documented.GoalCreate, teams_mentorships.GoalCreate),
    (documented.GoalProgress, teams_mentorships.GoalProgress),
    (documented.FeedbackCreate, teams_mentorships.FeedbackCreate),
    (documented.Ending, teams_mentorships.Ending),
    (documented.GoalView, teams_mentorships.GoalView),
    (documented.FeedbackView, teams_mentorships.FeedbackView),
    (documented.MentorshipView, teams_mentorships.MentorshipView),
    (documented.MentorshipSummary, teams_mentorships.MentorshipSummary),
    (documented.MentorshipList, teams_mentorships.MentorshipList),
    (documented.SessionView, teams_mentorships.SessionView),
    (documented.GroupCreate, teams_groups.GroupCreate),
    (documented.GroupRename, teams_groups.GroupRename),
    (documented.GroupMemberAdd, teams_groups.GroupMemberAdd),
    (documented.GroupView, teams_groups.GroupView),
]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    app = create_app(GatewaySettings(session_secret=SECRET))
    found: dict[str, Any] = app.openapi()
    return found


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def answers_with_a_schema(operation: dict[str, Any]) -> bool:
    for code, answer in operation["responses"].items():
        if code == "204":
            return True
        schema = answer.get("content", {}).get("application/json", {}).get("schema")
        if code.startswith("2") and schema:
            return True
    return False


def takes_a_described_body(operation: dict[str, Any]) -> bool:
    if "requestBody" not in operation:
        return True
    content = operation["requestBody"]["content"]
    schema = next(iter(content.values())).get("schema", {})
    return "$ref" in schema or "properties" in schema or schema.get("type") != "object"


def test_the_number_of_described_operations_never_falls(
    document: dict[str, Any],
) -> None:
    found = operations(document)

    typed_answers = sum(answers_with_a_schema(op) for _, _, op in found)
    bodies = [op for _, _, op in found if "requestBody" in op]
    typed_bodies = sum(takes_a_described_body(op) for op in bodies)

    assert typed_answers >= TYPED_ANSWERS_AT_LEAST
    assert typed_bodies >= TYPED_BODIES_AT_LEAST


def test_mentorships_groups_invitations_and_members_are_described_in_full(
    document: dict[str, Any],
) -> None:
    undescribed = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(document)
        if any(part in path for part in DESCRIBED_IN_FULL)
        and not path.endswith(("/received", "/recommendations", "/standing"))
        and "/members/{member_id}/" not in path
        and not (answers_with_a_schema(operation) and takes_a_described_body(operation))
    ]

    assert undescribed == []


def test_every_schema_the_document_refers_to_is_in_it(
    document: dict[str, Any],
) -> None:
    schemas = document["components"]["schemas"]
    referred: set[str] = set()
    pending: list[Any] = [document["paths"], schemas]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str):
                referred.add(ref.rsplit("/", 1)[1])
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)

    assert referred - set(schemas) == set()


def fields_of(model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
    schema = model.model_json_schema(mode=mode)
    return {
        "properties": sorted(schema.get("properties", {})),
        "required": sorted(schema.get("required", [])),
    }


@pytest.mark.parametrize(
    ("ours", "theirs"),
    SAME_AS_THE_SERVICE,
    ids=[ours.__name__ for ours, _ in SAME_AS_THE_SERVICE],
)
def test_a_documented_model_has_the_fields_of_the_service_s_own(
    ours: type[BaseModel], theirs: type[BaseModel]
) -> None:
    mode: JsonSchemaMode = "serialization"
    if issubclass(ours, documented.Request):
        mode = "validation"

    assert fields_of(ours, mode) == fields_of(theirs, mode)
