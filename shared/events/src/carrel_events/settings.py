"""Where the stack is and how to reach it: settings every service reads.

Every process reads the ``CARREL_`` variables below through pydantic-settings;
the README's Settings section is their table. The defaults name the local
development stack on 127.0.0.1 without TLS or passwords; a cluster sets the
addresses and turns on TLS and authentication. :mod:`carrel_events.clients` turns these
settings into the options of every Kafka, OpenSearch and PostgreSQL client.
"""

from typing import Literal, Self
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from pydantic import Field, FilePath, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

KafkaProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
SslMode = Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

# libpq's names of the TLS parameters a DSN may carry.
PG_TLS_PARAMETERS = ("sslmode", "sslrootcert", "sslcert", "sslkey")


class StackSettings(BaseSettings):
    """PostgreSQL, Kafka and OpenSearch: addresses, TLS, credentials, topics."""

    model_config = SettingsConfigDict(env_prefix="CARREL_", extra="ignore")

    pg_dsn: str = Field(
        default="postgresql://carrel:carrel@127.0.0.1:54329",
        description="PostgreSQL server without a database; each service adds its own",
    )
    pg_sslmode: SslMode | None = Field(
        default=None,
        description="libpq's sslmode; verify-full on any network you do not own",
    )
    pg_sslrootcert: FilePath | None = Field(
        default=None, description="CA certificate that signed the server's"
    )
    pg_sslcert: FilePath | None = Field(
        default=None, description="Client certificate, when the server asks for one"
    )
    pg_sslkey: FilePath | None = Field(
        default=None, description="Private key of the client certificate"
    )

    kafka_bootstrap: str = Field(
        default="127.0.0.1:29092", description="Comma-separated host:port of brokers"
    )
    kafka_security_protocol: KafkaProtocol = "PLAINTEXT"
    kafka_sasl_mechanism: SaslMechanism = "PLAIN"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: FilePath | None = Field(
        default=None, description="CA of the brokers; the system's CAs when unset"
    )
    kafka_ssl_certfile: FilePath | None = Field(
        default=None, description="Client certificate for mutual TLS"
    )
    kafka_ssl_keyfile: FilePath | None = Field(
        default=None, description="Private key of the client certificate"
    )
    kafka_topic_partitions: int = Field(
        default=3,
        ge=1,
        le=1000,
        description="Partitions of each event topic, the most consumers a group uses",
    )
    kafka_replication_factor: int = Field(
        default=1, ge=1, le=7, description="Copies of each partition in the cluster"
    )

    opensearch_url: str = "http://127.0.0.1:29200"
    opensearch_username: str | None = None
    opensearch_password: SecretStr | None = None
    opensearch_ca_file: FilePath | None = Field(
        default=None, description="CA of the cluster's HTTPS certificate"
    )
    opensearch_verify_certs: bool = Field(
        default=True, description="Check the cluster's certificate (https only)"
    )

    bind_host: str = Field(
        default="127.0.0.1",
        description="Address HTTP services listen on; 0.0.0.0 inside a container",
    )
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description=(
            "Port where a relay or consumer process serves /metrics (relay "
            "backlog, consumer lag, events processed); unset serves none. HTTP "
            "services serve /metrics on their own port"
        ),
    )

    @field_validator("pg_dsn")
    @classmethod
    def _postgres_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
            raise ValueError("a postgresql://USER:PASSWORD@HOST:PORT URL is expected")
        return value

    @field_validator("kafka_bootstrap")
    @classmethod
    def _brokers(cls, value: str) -> str:
        brokers = [b.strip() for b in value.split(",") if b.strip()]
        if not brokers or any(not _is_host_port(b) for b in brokers):
            raise ValueError("comma-separated HOST:PORT pairs are expected")
        return ",".join(brokers)

    @field_validator("opensearch_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("an http:// or https:// URL is expected")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _credentials_in_pairs(self) -> Self:
        problems = _kafka_problems(self) + _pairing_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def database_dsn(self, database: str) -> str:
        """The URL of ``database`` on the server, with the TLS settings."""
        parts = urlsplit(self.pg_dsn)
        query = dict(parse_qsl(parts.query)) | self.postgres_tls()
        return urlunsplit(parts._replace(path=f"/{database}", query=urlencode(query)))

    def postgres_tls(self) -> dict[str, str]:
        """libpq's TLS parameters that are set, by libpq's names."""
        values = {
            "sslmode": self.pg_sslmode,
            "sslrootcert": self.pg_sslrootcert,
            "sslcert": self.pg_sslcert,
            "sslkey": self.pg_sslkey,
        }
        return {name: str(value) for name, value in values.items() if value}


def _is_host_port(broker: str) -> bool:
    host, _, port = broker.rpartition(":")
    return bool(host) and port.isdigit()


def _kafka_problems(settings: StackSettings) -> list[str]:
    protocol = settings.kafka_security_protocol
    problems = []
    if protocol.startswith("SASL"):
        if not settings.kafka_sasl_username:
            problems.append(f"CARREL_KAFKA_SASL_USERNAME is required with {protocol}")
        if not settings.kafka_sasl_password:
            problems.append(f"CARREL_KAFKA_SASL_PASSWORD is required with {protocol}")
    tls_files = (
        settings.kafka_ssl_cafile,
        settings.kafka_ssl_certfile,
        settings.kafka_ssl_keyfile,
    )
    if not protocol.endswith("SSL") and any(tls_files):
        problems.append(
            "CARREL_KAFKA_SSL_* files need CARREL_KAFKA_SECURITY_PROTOCOL "
            f"SSL or SASL_SSL, not {protocol}"
        )
    return problems


def _pairing_problems(settings: StackSettings) -> list[str]:
    pairs = [
        ("KAFKA_SSL_CERTFILE", settings.kafka_ssl_certfile),
        ("KAFKA_SSL_KEYFILE", settings.kafka_ssl_keyfile),
        ("PG_SSLCERT", settings.pg_sslcert),
        ("PG_SSLKEY", settings.pg_sslkey),
        ("OPENSEARCH_USERNAME", settings.opensearch_username),
        ("OPENSEARCH_PASSWORD", settings.opensearch_password),
    ]
    problems = []
    for (first, one), (second, other) in zip(pairs[::2], pairs[1::2], strict=True):
        if bool(one) != bool(other):
            problems.append(f"CARREL_{first} and CARREL_{second} go together")
    return problems


def with_search_path(dsn: str, schema: str | None) -> str:
    """``dsn`` whose connections look in ``schema`` first, when one is given."""
    if not schema:
        return dsn
    parts = urlsplit(dsn)
    query = dict(parse_qsl(parts.query)) | {"options": f"-csearch_path={schema}"}
    return urlunsplit(parts._replace(query=urlencode(query)))


def eventsourcing_env(dsn: str, database: str) -> dict[str, str]:
    """The eventsourcing library's settings for a PostgreSQL database.

    The library reads no TLS settings of its own (9.5 passes only host, port,
    user, password and database to psycopg), so the factory it is pointed at,
    :class:`carrel_events.event_store.TlsPostgresFactory`, adds the DSN's
    ``sslmode``, ``sslrootcert``, ``sslcert`` and ``sslkey``.
    """
    parts = urlsplit(dsn)
    tls = {
        f"POSTGRES_{name.upper()}": value
        for name, value in parse_qsl(parts.query)
        if name in PG_TLS_PARAMETERS
    }
    return {
        "PERSISTENCE_MODULE": "carrel_events.event_store:TlsPostgresFactory",
        "POSTGRES_DBNAME": database,
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or ""),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_POOL_SIZE": "10",
        "POSTGRES_MAX_OVERFLOW": "10",
        "POSTGRES_LOCK_TIMEOUT": "5",
    } | tls
