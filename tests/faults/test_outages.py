"""Servers and processes die while people write; afterwards nothing is lost.

Each test keeps writers busy through the gateway, causes one fault, ends it,
and then reconciles. The faults are real: Kafka and OpenSearch are killed with
SIGKILL, PostgreSQL is stopped without a checkpoint (``pg_ctl -m immediate``)
and recovers from its log when started again. Afterwards every event in the
event stores is on Kafka and taken exactly once by the projection and by
matching (``reconcile.py``). Outages last seconds in CI and a minute under
``make soak``.
"""

import os
import signal
import time

import pytest

from tests.faults.programme import Programme
from tests.faults.reconcile import Report, reconciled
from tests.faults.rig import Rig, soaking
from tests.faults.writers import Writers

pytestmark = pytest.mark.integration

OUTAGE_SECONDS = 60.0 if soaking() else 5.0
WARM_UP_SECONDS = 3.0
# After a fault the relays and consumers reconnect with back-off; a process
# that died is started again by the supervisor after its own pause.
RECOVERY_SECONDS = 180.0


def assert_reconciled(report: Report) -> None:
    assert report.problems == [], "\n".join(report.problems)


def assert_no_failed_writes(writers: Writers) -> None:
    assert writers.tally.failures == []
    assert writers.tally.succeeded > 10


def test_kafka_killed_mid_stream_and_started_again_loses_nothing(
    rig: Rig, programme: Programme
) -> None:
    node = rig.kafka.nodes[0]
    with Writers(rig.url, programme.alder) as writers:
        time.sleep(WARM_UP_SECONDS)
        rig.kafka.kill(node)
        time.sleep(OUTAGE_SECONDS)
        rig.kafka.start_node(node)
        time.sleep(WARM_UP_SECONDS)

    report = reconciled(rig, RECOVERY_SECONDS)

    # Writes go to PostgreSQL; the outbox waits for Kafka to come back.
    assert_no_failed_writes(writers)
    assert_reconciled(report)


@pytest.mark.parametrize("process", ["projection-consumer", "matching-consumer"])
def test_a_consumer_killed_mid_batch_applies_nothing_twice(
    process: str, rig: Rig, programme: Programme
) -> None:
    with Writers(rig.url, programme.alder, threads=3) as writers:
        time.sleep(WARM_UP_SECONDS)
        for _ in range(3):
            pid = rig.pid_of(process)
            os.kill(pid, signal.SIGKILL)
            _wait_for_restart(rig, process, pid)
            time.sleep(1.0)

    report = reconciled(rig, RECOVERY_SECONDS)

    assert rig.supervisor.restarts[process] >= 3
    assert_no_failed_writes(writers)
    assert_reconciled(report)


def _wait_for_restart(rig: Rig, process: str, old_pid: int) -> None:
    deadline = time.monotonic() + 90
    while rig.supervisor.pids()[process] in (old_pid, None):
        assert time.monotonic() < deadline, f"{process} was not started again"
        time.sleep(0.2)


def test_postgresql_restarted_under_writes_recovers_and_loses_nothing(
    rig: Rig, programme: Programme
) -> None:
    with Writers(rig.url, programme.alder) as writers:
        time.sleep(WARM_UP_SECONDS)
        rig.servers.crash("postgres")
        time.sleep(OUTAGE_SECONDS)
        rig.servers.start("postgres")
        rig.wait_until_ready()
        before = writers.tally.succeeded
        time.sleep(WARM_UP_SECONDS * 2)
        after = writers.tally.succeeded

    report = reconciled(rig, RECOVERY_SECONDS)

    # While the database is away, writes are refused: clearly, and only then.
    refused = {s for s in writers.tally.statuses if s >= 400 or s == 0}
    assert refused <= {0, 500, 502, 503}, writers.tally.failures[:5]
    assert after > before, "writes did not resume after the database came back"
    assert_reconciled(report)


# Last: an event it loses would show in every reconciliation after it.
def test_opensearch_gone_for_a_while_is_caught_up_after(
    rig: Rig, programme: Programme
) -> None:
    with Writers(rig.url, programme.alder) as writers:
        time.sleep(WARM_UP_SECONDS)
        rig.servers.crash("opensearch")
        time.sleep(OUTAGE_SECONDS)
        rig.servers.start("opensearch")
        time.sleep(WARM_UP_SECONDS)

    report = reconciled(rig, RECOVERY_SECONDS)

    assert_no_failed_writes(writers)
    assert_reconciled(report)
    rig.wait_until_ready()
