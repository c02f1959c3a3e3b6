"""The run's manifest: what was asked (input fingerprint, settings) and which partitions are done.

Rewritten whole after every finished partition, under a temporary name then renamed, so it is always
either the old or the new version. ``--resume`` compares fingerprint and settings before reusing
anything: resuming over changed input would silently mix two corpora.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from threadwise.batch.errors import ManifestCorrupt
from threadwise.owner import Owner

MANIFEST_FILE = "manifest.json"
FORMAT = 1


@dataclass
class Manifest:
    run_id: str
    input_fingerprint: str
    settings: dict[str, Any]
    inputs: list[str]
    partitions: int | None = None  # known once staging is complete
    comments: int | None = None
    done: list[int] = field(default_factory=list)
    complete: bool = False
    format: int = FORMAT
    owner: dict[str, Any] | None = None  # the process writing the folder (threadwise.owner): host, pid, started

    def writer_alive(self) -> bool | None:
        """Whether the process that last wrote this unfinished run still runs (None: another host, or unknown)."""
        return Owner(**self.owner).alive() if self.owner and not self.complete else False

    def save(self, out: Path) -> None:
        temp = out / f"{MANIFEST_FILE}.tmp"
        temp.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")
        os.replace(temp, out / MANIFEST_FILE)

    @classmethod
    def load(cls, out: Path) -> Manifest | None:
        path = out / MANIFEST_FILE
        if not path.is_file():
            return None
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            raise ManifestCorrupt(f"unreadable manifest ({exc})", source=str(path)) from exc


def fingerprint(inputs: list[str], articles: list[str]) -> str:
    """SHA-256 over the bytes of every input and articles file (folders: each file, in sorted order)."""
    digest = hashlib.sha256()
    for group, paths in (("inputs", inputs), ("articles", articles)):
        digest.update(f"\x02{group}\x02".encode())
        for index, ref in enumerate(paths):  # contents and order, not the path spelling: cwd may differ
            digest.update(f"\x00{index}\x00".encode())
            _hash_path(digest, Path(ref))
    return digest.hexdigest()


def _hash_path(digest: Any, path: Path) -> None:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(f"\x01{file.relative_to(path) if path.is_dir() else ''}\x01".encode())
        with open(file, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
