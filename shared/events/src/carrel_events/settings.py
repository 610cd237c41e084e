"""Where the stack is: settings every service reads from the environment."""

from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class StackSettings(BaseSettings):
    """Addresses of PostgreSQL, Kafka and OpenSearch (``CARREL_`` variables)."""

    model_config = SettingsConfigDict(env_prefix="CARREL_", extra="ignore")

    pg_dsn: str = Field(
        default="postgresql://carrel:carrel@127.0.0.1:54329",
        description="PostgreSQL server without a database; each service adds its own",
    )
    kafka_bootstrap: str = "127.0.0.1:29092"
    opensearch_url: str = "http://127.0.0.1:29200"
    bind_host: str = Field(
        default="127.0.0.1",
        description="Address HTTP services listen on; 0.0.0.0 inside a container",
    )

    def database_dsn(self, database: str) -> str:
        return f"{self.pg_dsn.rstrip('/')}/{database}"


def eventsourcing_env(dsn: str, database: str) -> dict[str, str]:
    """The eventsourcing library's settings for a PostgreSQL database."""
    parts = urlsplit(dsn)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": database,
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": parts.username or "",
        "POSTGRES_PASSWORD": parts.password or "",
        "POSTGRES_POOL_SIZE": "10",
        "POSTGRES_MAX_OVERFLOW": "10",
        "POSTGRES_LOCK_TIMEOUT": "5",
    }
