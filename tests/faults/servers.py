"""Servers the fault tests may kill: Kafka brokers, PostgreSQL and OpenSearch.

The shared stack serves every other test, so nothing here stops it. The fault
tests run on servers of their own under a temporary folder: Kafka brokers
started here from the jars ``deploy/local/stack`` already fetched (one, or a
cluster of three), and a PostgreSQL and an OpenSearch started by a second copy
of ``deploy/local/stack`` on free ports. Crashing one of those and starting it
again is a real restart: PostgreSQL recovers from its write-ahead log,
OpenSearch recovers its shards.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from carrel_demo.isolated import free_ports

from tests.integration.stack import REPO, shared_dist

JAVA_HOME = Path(
    os.environ.get("CARREL_JAVA17_HOME", "/usr/lib/jvm/java-17-openjdk-amd64")
)
LOG4J = REPO / "deploy" / "local" / "kafka" / "log4j2.properties"


def kafka_libs() -> Path:
    """Where ``deploy/local/stack`` unpacked Kafka's jars."""
    for folder in (
        shared_dist() / "kafka" / "libs",
        REPO / "var" / "dist" / "kafka" / "libs",
    ):
        if any(folder.glob("kafka_*.jar")):
            return folder
    raise RuntimeError(
        "no Kafka jars under $CARREL_VAR/dist/kafka/libs: run `make up` once"
    )


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for_port(
    port: int, within_seconds: float, process: subprocess.Popen[bytes]
) -> None:
    deadline = time.monotonic() + within_seconds
    while not port_answers(port):
        if process.poll() is not None:
            raise RuntimeError(
                f"the process for port {port} exited ({process.returncode})"
            )
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"nothing answers on port {port} after {within_seconds} s"
            )
        time.sleep(0.2)


@dataclass
class KafkaNode:
    """One KRaft process, broker and controller at once."""

    node_id: int
    port: int
    controller_port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def new_cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes in URL-safe base64.

    One in 64 such ids starts with "-", which Kafka's storage tool reads as an
    option and refuses (as Kafka's own random-uuid never makes), so those are
    drawn again.
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode()
        if not cluster_id.startswith("-"):
            return cluster_id.rstrip("=")


@dataclass
class KafkaCluster:
    """``size`` Kafka nodes on free ports under ``folder``; one is a plain broker.

    With three nodes every topic defaults to three replicas, two of them in
    sync at least, so one node may die without a write being lost.
    """

    folder: Path
    size: int = 1
    heap: str = "384m"
    nodes: list[KafkaNode] = field(default_factory=list)

    def __post_init__(self) -> None:
        ports = free_ports(2 * self.size)
        self.nodes = [
            KafkaNode(
                i + 1, ports[2 * i], ports[2 * i + 1], self.folder / f"node-{i + 1}"
            )
            for i in range(self.size)
        ]

    @property
    def bootstrap(self) -> str:
        return ",".join(node.address for node in self.nodes)

    def start(self, within_seconds: float = 120.0) -> None:
        """Format every node's storage and start them all; wait for the ports."""
        cluster_id = new_cluster_id()
        for node in self.nodes:
            node.folder.mkdir(parents=True, exist_ok=True)
            (node.folder / "server.properties").write_text(self._properties(node))
            self._format(node, cluster_id)
        for node in self.nodes:
            self.start_node(node, wait=False)
        for node in self.nodes:
            assert node.process is not None
            wait_for_port(node.port, within_seconds, node.process)

    def start_node(self, node: KafkaNode, wait: bool = True) -> None:
        log = (node.folder / "kafka.log").open("ab")
        node.process = subprocess.Popen(
            [
                str(JAVA_HOME / "bin" / "java"),
                f"-Xms{self.heap}",
                f"-Xmx{self.heap}",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Djava.awt.headless=true",
                f"-Dlog4j2.configurationFile={LOG4J}",
                f"-Dkafka.logs.dir={node.folder}",
                "-cp",
                f"{kafka_libs()}/*",
                "kafka.Kafka",
                str(node.folder / "server.properties"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        if wait:
            wait_for_port(node.port, 120.0, node.process)

    def kill(self, node: KafkaNode) -> None:
        """``kill -9``: no shutdown, no flush, no goodbye to the controller."""
        assert node.process is not None
        node.process.send_signal(signal.SIGKILL)
        node.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop every node that still runs, and remove the folder."""
        for node in self.nodes:
            if node.alive:
                assert node.process is not None
                node.process.send_signal(signal.SIGTERM)
        for node in self.nodes:
            if node.process is not None:
                try:
                    node.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)

    def log_tail(self, node: KafkaNode, lines: int = 40) -> str:
        text = (node.folder / "kafka.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _properties(self, node: KafkaNode) -> str:
        voters = ",".join(
            f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in self.nodes
        )
        replicas = min(self.size, 3)
        in_sync = 2 if replicas >= 3 else 1
        settings = {
            "process.roles": "broker,controller",
            "node.id": node.node_id,
            "controller.quorum.voters": voters,
            "listeners": f"PLAINTEXT://{node.address},CONTROLLER://127.0.0.1:"
            f"{node.controller_port}",
            "advertised.listeners": f"PLAINTEXT://{node.address}",
            "listener.security.protocol.map": (
                "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
            ),
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": node.folder / "data",
            "default.replication.factor": replicas,
            "min.insync.replicas": in_sync,
            "offsets.topic.replication.factor": replicas,
            "offsets.topic.num.partitions": 5,
            "transaction.state.log.replication.factor": replicas,
            "transaction.state.log.min.isr": in_sync,
            "share.coordinator.state.topic.replication.factor": replicas,
            "share.coordinator.state.topic.min.isr": in_sync,
            "group.initial.rebalance.delay.ms": 0,
            "auto.create.topics.enable": "false",
            "num.partitions": 3,
            # A killed node is declared gone quickly, so leaders move at once.
            "broker.session.timeout.ms": 6000,
            "broker.heartbeat.interval.ms": 1000,
        }
        return "".join(f"{name}={value}\n" for name, value in settings.items())

    def _format(self, node: KafkaNode, cluster_id: str) -> None:
        subprocess.run(
            [
                str(JAVA_HOME / "bin" / "java"),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                f"-Dlog4j2.configurationFile={LOG4J}",
                "-cp",
                f"{kafka_libs()}/*",
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(node.folder / "server.properties"),
                "-g",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


async def wait_for_metadata(bootstrap: str, within_seconds: float = 60.0) -> None:
    """Until the cluster answers a metadata request and names every broker."""
    from aiokafka.admin import AIOKafkaAdminClient

    deadline = time.monotonic() + within_seconds
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        try:
            await admin.start()
            await admin.list_topics()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
        finally:
            await admin.close()
