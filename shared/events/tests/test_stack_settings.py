"""Stack settings: what they accept, refuse, and hand to every client."""

import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest
from carrel_events.clients import (
    kafka_client_options,
    kafka_options,
    opensearch_options,
)
from carrel_events.consumer import runtime as consumer_runtime
from carrel_events.event_store import TlsPostgresFactory
from carrel_events.observability import load_settings
from carrel_events.settings import StackSettings, eventsourcing_env, with_search_path


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate and its key, standing in for a CA and a client."""
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "client.key", folder / "client.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=carrel-test",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture(autouse=True)
def no_stack_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(StackSettings.model_fields):
        monkeypatch.delenv(f"CARREL_{name.upper()}", raising=False)


def test_the_defaults_reach_kafka_in_plaintext_without_credentials() -> None:
    options = kafka_options(StackSettings())

    assert options == {
        "bootstrap_servers": "127.0.0.1:29092",
        "security_protocol": "PLAINTEXT",
    }


def test_sasl_over_tls_gives_kafka_the_mechanism_the_credentials_and_the_ca(
    monkeypatch: pytest.MonkeyPatch, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    monkeypatch.setenv("CARREL_KAFKA_BOOTSTRAP", "k1:9093, k2:9093")
    monkeypatch.setenv("CARREL_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("CARREL_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("CARREL_KAFKA_SASL_USERNAME", "carrel-matching")
    monkeypatch.setenv("CARREL_KAFKA_SASL_PASSWORD", "s3cret")
    monkeypatch.setenv("CARREL_KAFKA_SSL_CAFILE", str(cert))
    monkeypatch.setenv("CARREL_KAFKA_SSL_CERTFILE", str(cert))
    monkeypatch.setenv("CARREL_KAFKA_SSL_KEYFILE", str(key))

    options = kafka_options(StackSettings())

    assert options["bootstrap_servers"] == "k1:9093,k2:9093"
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "carrel-matching"
    assert options["sasl_plain_password"] == "s3cret"
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert [c["subject"] for c in context.get_ca_certs()] == [
        ((("commonName", "carrel-test"),),)
    ]


async def test_every_kafka_client_of_the_consumer_runtime_gets_the_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[dict[str, Any]] = []

    class Recorded:
        def __init__(self, **options: Any) -> None:
            made.append(options)

        async def start(self) -> None:
            pass

        def subscribe(self, *_: Any, **__: Any) -> None:
            pass

    monkeypatch.setattr(consumer_runtime, "AIOKafkaConsumer", Recorded)
    monkeypatch.setattr(consumer_runtime, "AIOKafkaProducer", Recorded)
    secured = {
        "bootstrap_servers": "k1:9093",
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "PLAIN",
        "sasl_plain_username": "u",
        "sasl_plain_password": "p",
    }
    runtime = consumer_runtime.ConsumerRuntime(
        group="g", topics=["t"], handler=_nothing, kafka=secured
    )

    await runtime.start()

    assert len(made) == 2
    assert all(secured.items() <= options.items() for options in made)


async def _nothing(_: Any) -> None:
    pass


def test_a_plain_address_still_serves_as_kafka_options() -> None:
    assert kafka_client_options("h:1") == {"bootstrap_servers": "h:1"}


def test_sasl_without_credentials_stops_the_process_naming_both_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CARREL_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")

    with pytest.raises(SystemExit):
        load_settings(StackSettings)

    errors = capsys.readouterr().err
    assert "CARREL_KAFKA_SASL_USERNAME is required with SASL_SSL" in errors
    assert "CARREL_KAFKA_SASL_PASSWORD is required with SASL_SSL" in errors


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CARREL_KAFKA_SSL_CAFILE", "/nowhere/ca.pem"),
        ("CARREL_KAFKA_SECURITY_PROTOCOL", "TLS"),
        ("CARREL_KAFKA_BOOTSTRAP", "kafka-without-port"),
        ("CARREL_KAFKA_TOPIC_PARTITIONS", "0"),
        ("CARREL_PG_DSN", "mysql://db:3306"),
        ("CARREL_PG_SSLMODE", "always"),
        ("CARREL_PG_SSLROOTCERT", "/nowhere/root.crt"),
        ("CARREL_OPENSEARCH_URL", "opensearch:9200"),
        ("CARREL_OPENSEARCH_CA_FILE", "/nowhere/ca.pem"),
    ],
)
def test_a_wrong_setting_stops_the_process_naming_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(SystemExit) as stopped:
        load_settings(StackSettings)

    assert stopped.value.code == 2
    assert f"setting {variable}:" in capsys.readouterr().err


def test_half_a_credential_pair_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CARREL_OPENSEARCH_USERNAME", "carrel")

    with pytest.raises(SystemExit):
        load_settings(StackSettings)

    assert (
        "CARREL_OPENSEARCH_USERNAME and CARREL_OPENSEARCH_PASSWORD go together"
        in capsys.readouterr().err
    )


def test_opensearch_gets_basic_auth_and_the_ca_over_https(
    monkeypatch: pytest.MonkeyPatch, certificate: tuple[Path, Path]
) -> None:
    monkeypatch.setenv("CARREL_OPENSEARCH_URL", "https://search.internal:9200/")
    monkeypatch.setenv("CARREL_OPENSEARCH_USERNAME", "carrel")
    monkeypatch.setenv("CARREL_OPENSEARCH_PASSWORD", "pw")
    monkeypatch.setenv("CARREL_OPENSEARCH_CA_FILE", str(certificate[0]))

    options = opensearch_options(StackSettings())

    assert options == {
        "hosts": ["https://search.internal:9200"],
        "http_auth": ("carrel", "pw"),
        "verify_certs": True,
        "ssl_show_warn": True,
        "ca_certs": str(certificate[0]),
    }


def test_the_database_url_carries_the_postgres_tls_settings(
    monkeypatch: pytest.MonkeyPatch, certificate: tuple[Path, Path]
) -> None:
    monkeypatch.setenv("CARREL_PG_DSN", "postgresql://u:p%40ss@db.internal:5432")
    monkeypatch.setenv("CARREL_PG_SSLMODE", "verify-full")
    monkeypatch.setenv("CARREL_PG_SSLROOTCERT", str(certificate[0]))

    dsn = StackSettings().database_dsn("carrel_teams")

    assert dsn == (
        "postgresql://u:p%40ss@db.internal:5432/carrel_teams"
        f"?sslmode=verify-full&sslrootcert={str(certificate[0]).replace('/', '%2F')}"
    )
    assert "options=-csearch_path%3Dtenant" in with_search_path(dsn, "tenant")
    assert "sslmode=verify-full" in with_search_path(dsn, "tenant")


def test_the_event_store_connects_with_the_postgres_tls_settings(
    monkeypatch: pytest.MonkeyPatch, certificate: tuple[Path, Path]
) -> None:
    monkeypatch.setenv("CARREL_PG_SSLMODE", "verify-ca")
    monkeypatch.setenv("CARREL_PG_SSLROOTCERT", str(certificate[0]))
    settings = StackSettings()
    env = eventsourcing_env(settings.database_dsn("carrel_profile"), "carrel_profile")

    factory = TlsPostgresFactory(env)

    kwargs = factory.datastore.pool.kwargs
    assert isinstance(kwargs, dict)
    assert kwargs["sslmode"] == "verify-ca"
    assert kwargs["sslrootcert"] == str(certificate[0])
    assert kwargs["dbname"] == "carrel_profile"
    factory.close()


def test_without_tls_settings_the_event_store_lets_libpq_choose() -> None:
    env = eventsourcing_env(StackSettings().database_dsn("carrel_teams"), "x")

    assert not any(key.startswith("POSTGRES_SSL") for key in env)
    assert env["POSTGRES_USER"] == "carrel"
