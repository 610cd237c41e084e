"""Generated requests against every operation of the gateway's OpenAPI document.

Schemathesis makes valid and invalid requests from the document; each one is
sent as a coordinator of a team of its own (so whatever the generator erases
or renames is nobody else's), with that team's id in the path so requests get
past the door and reach the services. Whatever comes back: never a 5xx, and
a 4xx always says why in a JSON ``detail``.

CI sends a few per operation; ``make soak`` (``CARREL_SOAK=1``) thousands.
"""

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import APIOperation, Case, GenerationMode

from tests.faults.programme import Team, client, make_team
from tests.faults.rig import Rig, soaking

pytestmark = pytest.mark.integration
logger = logging.getLogger(__name__)

# Per operation and generation mode: about 90 operations, so CI sends ~400.
EXAMPLES = 30 if soaking() else 2
# The live stream never ends by itself; it has tests of its own.
SKIPPED_PATHS = r"/stream$"
# Operations that end the caller's own session or profile: sent early, they
# left every later request a 401 (4,814 of 5,701 in one soak). Both have tests
# of their own.
SELF_ENDING = {("DELETE", "/sessions/current"), ("DELETE", "/me/profile")}


@dataclass
class Tally:
    """What was sent and what went wrong, for the note on the issue."""

    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def record(self, case: Case[Any], status: int, text: str) -> None:
        self.sent += 1
        self.statuses[status] += 1
        problem = unclear(status, text)
        if problem:
            self.problems.append(f"{case.method} {case.formatted_path}: {problem}")


def unclear(status: int, text: str) -> str | None:
    """What is wrong with an answer, or None for a 2xx/3xx or a clear 4xx."""
    if status >= 500:
        return f"{status}: {text[:300]}"
    if status < 400:
        return None
    try:
        detail = json.loads(text).get("detail")
    except (ValueError, AttributeError):
        return f"{status} without a JSON body: {text[:200]}"
    return None if detail else f"{status} without a detail: {text[:200]}"


@pytest.fixture(scope="module")
def cedar(rig: Rig) -> Team:
    """A team the generator may do anything to."""
    with client(rig.url) as http:
        return make_team(http, "Cedar")


def exercise(
    operation: APIOperation[Any, Any, Any, Any],
    mode: GenerationMode,
    team: Team,
    rig: Rig,
    tally: Tally,
) -> None:
    """Send ``EXAMPLES`` generated cases of one operation and tally the answers."""
    fixed: dict[str, Any] = {}
    if "{team_id}" in operation.path:
        fixed["team_id"] = str(team.team_id)
    strategy = operation.as_strategy(mode, path_parameters=fixed or None)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )
    @given(case=strategy)
    def send(case: Case[Any]) -> None:
        headers = {**dict(case.headers or {}), **team.coordinator.headers}
        try:
            answer = case.call(base_url=rig.url, headers=headers, timeout=30)
        except Exception as error:  # a dropped connection is a finding too
            tally.problems.append(f"{case.method} {case.formatted_path}: {error!r}")
            return
        tally.record(case, answer.status_code, answer.text)

    try:
        send()
    except hypothesis.errors.Unsatisfiable:
        # Nothing in this operation can be made invalid (it takes no input).
        assert mode is GenerationMode.NEGATIVE, operation.label


def test_generated_requests_get_no_5xx_and_every_4xx_says_why(
    rig: Rig, cedar: Team
) -> None:
    document = schemathesis.openapi.from_url(f"{rig.url}/api/v1/openapi.json")
    schema = document.exclude(path_regex=SKIPPED_PATHS)
    tally = Tally()
    found = schema.get_all_operations()
    operations = [
        operation
        for operation in (result.ok() for result in found)  # type: ignore[union-attr]
        if not _ends_the_caller(operation)
    ]

    for operation in operations:
        for mode in GenerationMode:
            exercise(operation, mode, cedar, rig, tally)

    logger.warning(
        "generated requests: %d sent, statuses %s", tally.sent, tally.statuses
    )
    (rig.logs / "generated-requests.json").write_text(
        json.dumps(
            {"sent": tally.sent, "statuses": tally.statuses, "problems": tally.problems}
        )
    )
    assert len(operations) > 80
    assert tally.sent > 2 * len(operations)
    # Most requests must get past the door, or they test only the door.
    assert tally.statuses[401] < tally.sent / 4, tally.statuses
    assert tally.problems == []


def _ends_the_caller(operation: APIOperation[Any, Any, Any, Any]) -> bool:
    method = operation.method.upper()
    return any(method == m and operation.path.endswith(path) for m, path in SELF_ENDING)
