"""Every process of Carrel stops at start on a wrong setting, naming it.

Each entry point runs as ``python -m`` with one wrong stack setting; it must
exit with status 2 before it connects anywhere, and say which setting is
wrong. Nothing here needs the stack: the settings are read first.
"""

import os
import subprocess
import sys

import pytest

from tests.deploy.rules import processes

# The long-running processes (the deployments) and the one-off commands.
ENTRY_POINTS = sorted(
    {p.module for p in processes()}
    | {"carrel_teams.entrypoints.rebuild", "carrel_resources.entrypoints.relay"}
)

# Rules over several settings (SASL needs its credentials) are checked only
# once each setting is valid by itself; shared/events/tests covers them.
WRONG = {
    "CARREL_KAFKA_BOOTSTRAP": "kafka-without-port",
    "CARREL_PG_SSLROOTCERT": "/nowhere/root.crt",
    "CARREL_OPENSEARCH_URL": "opensearch.internal:9200",
}


def run(module: str, wrong: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CARREL_")}
    environment |= {"CARREL_SESSION_SECRET": "s" * 40} | wrong
    return subprocess.run(
        [sys.executable, "-m", module],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_deployed_process_is_checked() -> None:
    assert len(ENTRY_POINTS) >= 12


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_a_wrong_setting_stops_the_process_at_start_naming_the_setting(
    module: str,
) -> None:
    stopped = run(module, WRONG)

    assert stopped.returncode == 2, stopped.stderr[-2000:]
    assert "setting CARREL_KAFKA_BOOTSTRAP:" in stopped.stderr
    assert "setting CARREL_PG_SSLROOTCERT: Path does not point to a file" in (
        stopped.stderr
    )
    assert "setting CARREL_OPENSEARCH_URL:" in stopped.stderr
