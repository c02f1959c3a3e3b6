"""Where threadwise reads and writes on this machine.

An installed threadwise never writes next to its own files: the default database and exports go to the user's
data folder, caches to the user's cache folder (both from platformdirs, so each OS gets its usual place).
Settings override each one: ``db`` (THREADWISE_DB), ``data_dir`` (THREADWISE_DATA_DIR), ``cache``
(THREADWISE_CACHE), ``shared_data`` (THREADWISE_SHARED_DATA). Only the datasets' default depends on how
threadwise runs: from a source checkout they are expected in ``shared/data`` beside the checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs

APP = "threadwise"
PACKAGE_DIR = Path(__file__).resolve().parent
EXAMPLE_PAGE = PACKAGE_DIR / "examples" / "op-ed-ceasefire.txt"  # an op-ed with its comments, shipped in the package


def source_checkout() -> Path | None:
    """The repository root when threadwise runs from its source tree (an editable install), else None."""
    root = PACKAGE_DIR.parents[1]
    if PACKAGE_DIR.parent.name == "src" and (root / "pyproject.toml").is_file():
        return root
    return None


def default_data_dir() -> str:
    return str(platformdirs.user_data_path(APP))


def default_cache_dir() -> str:
    return str(platformdirs.user_cache_path(APP))


def default_db_url() -> str:
    return f"sqlite:///{data_dir() / 'threadwise.db'}"


def default_datasets_dir() -> str:
    checkout = source_checkout()
    return str(checkout.parent / "shared" / "data" if checkout else data_dir() / "datasets")


def _setting_path(name: str) -> Path:
    from threadwise.settings import get_setting  # settings' defaults call back into this module

    return Path(get_setting(name)).expanduser()


def data_dir() -> Path:
    """The default database, and exports and reports written without ``-o``."""
    return _setting_path("data_dir")


def cache_dir() -> Path:
    """What can be rebuilt: the ONNX export of the encoder, embeddings of training sets."""
    return _setting_path("cache")


@contextmanager
def written_whole(folder: Path) -> Iterator[Path]:
    """A temporary folder beside ``folder`` to fill: renamed into place when the block ends without error (where
    another worker's finished ``folder`` is there first, it stays), removed otherwise. So a reader finds either
    the whole folder or none, and concurrent workers are safe."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{folder.name}.", dir=folder.parent))
    try:
        yield work
        try:
            os.replace(work, folder)
        except OSError:  # another worker made it first
            shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def datasets_dir() -> Path:
    """The folder holding one sub-folder per public dataset (see ``threadwise.datasets``)."""
    return _setting_path("shared_data")


def default_output(ref: str, suffix: str, tag: str = "") -> Path:
    """Where an export or report of ``ref`` (a file, URL or thread id) goes when no ``-o`` is given:
    ``exports/<name><tag>.<suffix>`` in the data folder (created), the name taken from the file name, URL or id."""
    stem = Path(ref.rstrip("/").rsplit("/", 1)[-1]).stem or "thread"
    folder = data_dir() / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{re.sub(r'[^A-Za-z0-9._-]+', '_', stem)}{tag}.{suffix}"
