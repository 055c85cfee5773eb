"""Service settings: storage URL, limits and solver settings, read from ``WFM_*`` variables.

Values are validated when the service starts, so a bad setting fails fast instead of on the first
request that needs it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from wfm.config import SiteConfig, load_config


class Settings(BaseSettings):
    """Settings of the HTTP service (environment variables ``WFM_DB_URL`` etc.)."""

    model_config = SettingsConfigDict(env_prefix="WFM_", extra="ignore")

    db_url: str = Field("sqlite:///./wfm.db", description="SQLAlchemy URL of the store")
    site_config: Path | None = Field(None, description="site TOML; defaults when unset")
    max_body_bytes: int = Field(10 * 1024 * 1024, gt=0, description="413 above this size")
    max_page_size: int = Field(500, ge=1)
    solver_time_limit_seconds: float | None = Field(None, gt=0,
                                                    description="None: the site's roster setting")
    solver_num_workers: int | None = Field(None, ge=1, le=64)
    solver_random_seed: int | None = Field(None, ge=0)

    @field_validator("db_url")
    @classmethod
    def _db_url(cls, url: str) -> str:
        if not url.startswith(("sqlite", "postgresql")):
            raise ValueError(f"db_url must be a sqlite:// or postgresql:// URL, got {url!r}")
        return url

    def site(self) -> SiteConfig:
        """The site configuration, with the solver settings of this service applied."""
        config = load_config(self.site_config)
        return config.with_overrides(**{
            "roster.time_limit_seconds": self.solver_time_limit_seconds,
            "roster.num_workers": self.solver_num_workers,
            "roster.random_seed": self.solver_random_seed,
        })


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings singleton."""
    return Settings()  # type: ignore[call-arg]  # values come from the environment
