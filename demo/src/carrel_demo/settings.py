"""Settings of ``make run``, from ``CARREL_`` environment variables."""

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPOSITORY = Path(__file__).resolve().parents[3]


class DemoSettings(BaseSettings):
    """What the demo loads, from where, and how hard it pushes the services."""

    model_config = SettingsConfigDict(
        env_prefix="CARREL_", extra="ignore", populate_by_name=True
    )

    data_dir: Path = Field(
        default=REPOSITORY.parent / "shared" / "data",
        description="The folder of real public data (SOURCES.md describes it)",
    )
    var_dir: Path = Field(
        default=REPOSITORY / "var",
        validation_alias="CARREL_VAR",
        description="Where logs, the journal and the summary go",
    )
    gateway_url: str = Field(
        default_factory=lambda: (
            f"http://127.0.0.1:{os.environ.get('CARREL_GATEWAY_PORT', '8000')}"
        ),
        description="The gateway's address; by default on CARREL_GATEWAY_PORT",
    )
    demo_state: str = Field(default="RI", pattern=r"^[A-Z]{2}$")
    """The state whose library cooperative becomes the consortium."""
    demo_libraries: int | None = Field(default=None, ge=1)
    """Only the first libraries of the cooperative (headquarters first)."""
    demo_participants: int = Field(default=2000, ge=1)
    demo_seed: int = 7
    demo_concurrency: int = Field(default=16, ge=1, le=256)
    demo_mentorships: int = Field(default=150, ge=0)
    demo_shares_per_team: int = Field(default=5, ge=0)
    demo_grouped_teams: int = Field(default=3, ge=0)
    demo_matching_wait_seconds: float = Field(default=120.0, ge=0)
    """How long to wait for matching to rank a mentee's candidates."""

    @property
    def demo_folder(self) -> Path:
        return self.var_dir / "demo"
