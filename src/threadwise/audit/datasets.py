"""Reading the public datasets (``threadwise data`` lists them) that the audit builds its cases from."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

from threadwise.audit.errors import AuditDataMissing
from threadwise.train import MissingData, shared_data_dir


def data_dir(path: Path | None = None) -> Path:
    """The shared dataset folder (``path`` if given), or a coded error saying where it was looked for."""
    if path is not None:
        if not path.is_dir():
            raise AuditDataMissing(f"no dataset folder at {path}", source=str(path))
        return path
    try:
        return shared_data_dir()
    except MissingData as error:
        raise AuditDataMissing(error.message) from error


def read_csv(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> Iterator[dict[str, str]]:
    """Rows of a CSV file, gzipped or not, as dicts; a missing file is a coded error naming it."""
    if not path.is_file():
        raise AuditDataMissing(f"the audit needs {path.name}, which is missing", source=str(path))
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    yield from csv.DictReader(io.StringIO(raw.decode(encoding)), delimiter=delimiter)


def toxigen_half(text: str) -> str:
    """Which half of ToxiGen's distinct seed sentences a sentence is in: ``train`` (the conduct model may
    learn from it) or ``eval`` (only the neutrality audit reads it). Fixed by a hash of the stripped text."""
    digest = hashlib.sha256(f"toxigen\x1f{text.strip()}".encode()).digest()
    return "train" if digest[0] % 2 == 0 else "eval"
