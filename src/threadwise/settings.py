"""Settings: one declared table; a value comes from explicit args < env < TOML file < default.

Precedence, highest first: an explicit argument (CLI flag), ``THREADWISE_<NAME>`` in the environment,
``threadwise.toml`` (or the file named by ``THREADWISE_CONFIG``), then the default here.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from threadwise import locations
from threadwise.errors import InvalidSetting


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str
    default_factory: Callable[[], Any] | None = None  # a default that depends on the machine, computed when read

    def default_value(self) -> Any:
        return self.default_factory() if self.default_factory else self.default


SETTINGS = {
    s.name: s
    for s in (
        Setting("db", None, "database URL: sqlite:///FILE or postgresql+psycopg://HOST/DB (default: threadwise.db "
                "in the data folder)", default_factory=locations.default_db_url),
        Setting("data_dir", None, "folder for the default database and for exports and reports written without -o "
                "(default: the user's data folder)", default_factory=locations.default_data_dir),
        Setting("cache", None, "folder for what can be rebuilt: the encoder's ONNX export, training embeddings "
                "(default: the user's cache folder)", default_factory=locations.default_cache_dir),
        Setting("shared_data", None, "folder of the public datasets that train, eval and audit read "
                "(`threadwise data` lists them)", default_factory=locations.default_datasets_dir),
        Setting("max_input_bytes", 20 * 1024 * 1024, "largest page or export accepted, in bytes", int),
        Setting("fetch_timeout", 20.0, "seconds to wait for a page when ingesting a URL", float),
        Setting("user_agent", "threadwise/0.1 (+self-hosted comment analysis)", "User-Agent sent when fetching"),
    )
}


def get_setting(name: str, explicit: Any = None) -> Any:
    """The value of one setting, by the precedence above."""
    if name not in SETTINGS:
        raise InvalidSetting(f"unknown setting {name!r}", fix=f"known settings: {', '.join(SETTINGS)}")
    setting = SETTINGS[name]
    if explicit is not None:
        return explicit
    raw = os.environ.get(f"THREADWISE_{name.upper()}")
    if raw is None:
        raw = _config_file().get(name)
    if raw is None:
        return setting.default_value()
    try:
        return setting.parse(raw) if isinstance(raw, str) else raw
    except ValueError as error:
        raise InvalidSetting(f"setting {name!r} = {raw!r} is invalid: {error}", fix=setting.help) from error


def _config_file() -> dict[str, Any]:
    path = Path(os.environ.get("THREADWISE_CONFIG", "threadwise.toml"))
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")).get("threadwise", {})
    except tomllib.TOMLDecodeError as error:
        raise InvalidSetting(f"{path} is not valid TOML: {error}", source=str(path)) from error
