"""Settings of the gateway, from ``CARREL_`` environment variables."""

from carrel_events.settings import StackSettings
from pydantic import Field, SecretStr, field_validator, model_validator


class MissingSessionSecret(RuntimeError):
    """The gateway cannot sign sessions without ``CARREL_SESSION_SECRET``."""


class GatewaySettings(StackSettings):
    """Where the services are, how sessions are signed and how fast one may go."""

    gateway_port: int = 8000
    public_url: str = Field(
        default="",
        description=(
            "The address people reach the gateway at, for sign-in links; "
            "unset, http://127.0.0.1 on the gateway's own port"
        ),
    )

    profile_url: str = "http://127.0.0.1:8101"
    teams_url: str = "http://127.0.0.1:8102"
    resources_url: str = "http://127.0.0.1:8103"
    matching_url: str = "http://127.0.0.1:8104"
    projection_url: str = "http://127.0.0.1:8105"
    service_timeout_seconds: float = Field(default=10.0, gt=0)

    session_secret: SecretStr | None = Field(
        default=None,
        description="Signs session tokens; at least 32 characters. Required.",
    )
    session_minutes: int = Field(default=12 * 60, ge=1)
    sign_in_link_minutes: int = Field(default=30, ge=1)
    secure_cookies: bool = Field(
        default=False,
        description="Mark the session cookie Secure; turn on behind HTTPS",
    )
    operator_key: SecretStr | None = Field(
        default=None,
        description="Lets an operator create teams; empty or unset disables it",
    )

    @field_validator("operator_key", mode="before")
    @classmethod
    def _empty_key_is_no_key(cls, value: object) -> object:
        # An empty key would match a request that sends none.
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str) and len(value) < 16:
            raise ValueError("the operator key needs at least 16 characters")
        return value

    @model_validator(mode="after")
    def _public_url_follows_the_port(self) -> "GatewaySettings":
        # A gateway moved to another port must not hand out links to 8000.
        if not self.public_url.strip():
            self.public_url = f"http://127.0.0.1:{self.gateway_port}"
        return self

    membership_cache_seconds: float = Field(default=5.0, ge=0)
    sign_in_rate: str = Field(
        default="10/minute", description="Sign-in attempts per address (limits syntax)"
    )
    write_rate: str = Field(
        default="120/minute", description="Writes per member or address"
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="Where the counters live; memory:// is one process only",
    )
    max_body_bytes: int = Field(default=12 * 1024 * 1024, ge=1024)
    gateway_database: str | None = Field(
        default=None,
        description=(
            "Database of the ledger of used sign-in links, shared by every "
            "gateway; unset keeps it in this process (one gateway only)"
        ),
    )

    def signing_secret(self) -> str:
        """The session secret, or a clear refusal to start without one."""
        secret = self.session_secret.get_secret_value() if self.session_secret else ""
        if len(secret) < 32:
            raise MissingSessionSecret(
                "set CARREL_SESSION_SECRET to a random string of at least 32 "
                "characters (for example `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`); the gateway signs "
                "sessions with it and will not start without it"
            )
        return secret
