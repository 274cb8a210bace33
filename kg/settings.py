"""The one set of settings, for the command line and the service alike: NEEDLING_* environment variables,
overridden by command-line options, with every default in this one place."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kg import DEFAULT_ONTOLOGY, DEFAULT_QUERIES, DEFAULT_SHAPES
from kg.errors import NeedlingError


class Settings(BaseSettings):
    """Every limit here is a default that a deployment can change; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="NEEDLING_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    ontology: Path = DEFAULT_ONTOLOGY
    queries: Path = DEFAULT_QUERIES
    shapes: Path = DEFAULT_SHAPES
    store: str | None = None
    store_user: str | None = None
    store_password: SecretStr | None = None
    store_password_file: Path | None = None
    store_refresh_s: float = 10.0
    store_dir: Path | None = None
    """Where the embedded store is persisted (a folder per graph content); None: $XDG_CACHE_HOME/needling-kg."""
    persist: bool | Literal["auto"] = "auto"
    """Keep the embedded store on disk and open it from there when it is up to date; False parses into
    memory; "auto" persists when several processes serve (they share its files) and parses into memory for
    one, whose uncached queries are faster from memory."""
    processes: int | Literal["auto"] = 1
    """Processes `needling serve` answers requests from, sharing one loaded graph; "auto": one per core."""
    deadline_s: float = 5.0
    row_cap: int = 10_000
    result_cache_rows: int = 50_000
    max_query_chars: int = 20_000
    max_body_bytes: int = 1_000_000
    max_question_chars: int = 500
    workers: int = 2
    max_waiting_queries: int = 32
    worker_memory_mb: int = 1024
    watch: bool = True
    access_log: bool = True
    cache_max_age_s: int = 60
    max_head_bytes: int = 98_304
    max_header_bytes: int = 8_192
    max_headers: int = 100
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    keep_alive_s: float = 5.0
    max_connections: int = 1_000
    malloc_tcache: int = 200
    """Freed chunks of each size glibc's allocator keeps in a thread's cache in `needling serve` (api/allocator.py;
    glibc's own default is 7); 0 leaves the allocator as the system sets it."""
    mcp_allowed_origins: list[str] = []
    """Origins a browser may call /mcp from; empty: localhost, 127.0.0.1, [::1] and the address reached, on
    the port served."""

    @field_validator("processes")
    @classmethod
    def _at_least_one(cls, value: int | str) -> int | str:
        if isinstance(value, int) and value < 1:
            raise ValueError("processes must be at least 1, or 'auto' for one per core")
        return value

    @field_validator("malloc_tcache")
    @classmethod
    def _a_tcache_size(cls, value: int) -> int:
        if not 0 <= value <= 65_535:
            raise ValueError("malloc_tcache must be from 0 (leave the allocator alone) to 65535")
        return value

    def process_count(self) -> int:
        """How many processes serve: the number asked for, or the cores this process may run on."""
        if self.processes == "auto":
            return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        return self.processes

    def persists(self) -> bool:
        """Whether the embedded store is kept on disk (see `persist`)."""
        return self.process_count() > 1 if self.persist == "auto" else self.persist

    def persisted_store_dir(self) -> Path:
        from kg.store.persisted import default_store_dir

        return self.store_dir or default_store_dir()


def default(name: str) -> Any:
    """The default of one setting, for code that needs it without reading the environment (a test graph)."""
    return Settings.model_fields[name].default


class SettingsError(NeedlingError, ValueError):
    """A setting that cannot be used, named as the user gave it (its NEEDLING_* variable or its option)."""

    code = "bad_request"


def settings_with(**options: object) -> Settings:
    """The settings from the environment, with the options given (not None) taking precedence; SettingsError
    names each value that cannot be used."""
    given = {name: value for name, value in options.items() if value is not None}
    try:
        return Settings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError("; ".join(_problem(error, given) for error in exc.errors())) from None


def _problem(error: Any, given: dict[str, object]) -> str:
    if not error.get("loc"):
        return str(error["msg"])
    name = str(error["loc"][0])
    source = f"--{name.replace('_', '-')}" if name in given else f"NEEDLING_{name.upper()}"
    return f"{source}: {str(error['msg']).removeprefix('Value error, ')}"
