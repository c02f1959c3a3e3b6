"""Loaders for the stance datasets, read in place from the shared data folder (nothing is copied).

Every loader returns :class:`Pair` records: a ``text`` whose stance we predict, the ``target`` paragraphs it is
judged against, and a label in our four-way scheme (support / deny / query / comment). Embeddings of a
dataset are cached in the cache folder (``threadwise.locations.cache_dir``) so re-training does not re-embed
on 2 shared cores.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path

RUMOUREVAL = "rumoureval2017_sdqc_stance"
FNC1 = "fnc1_headline_body_stance"
SEMEVAL = "semeval2016_task6_stance"

FNC_TO_OURS = {"agree": "support", "disagree": "deny", "discuss": "comment", "unrelated": "comment"}
SEMEVAL_TO_OURS = {"FAVOR": "support", "AGAINST": "deny", "NONE": "comment"}
_LEADING_MENTIONS = re.compile(r"^(?:\s*(?:RT\s+)?@\w+:?)+\s*")


@dataclass(frozen=True, slots=True)
class Pair:
    """One stance example: ``text`` judged against ``target`` (the paragraphs of the thing it answers)."""

    text: str
    target: tuple[str, ...]
    label: str
    split: str
    group: str = ""  # event / body id / topic: the unit kept together when splitting
    is_source: bool = False
    fnc: str = ""  # FNC-1's own label (agree / disagree / discuss / unrelated), for its official score


def strip_reply_handles(text: str) -> str:
    """Drop the ``@a @b`` prefix Twitter adds to replies: a news comment carries no such prefix."""
    stripped = _LEADING_MENTIONS.sub("", text)
    return stripped if stripped.strip() else text


def load_rumoureval(data: Path) -> list[Pair]:
    """RumourEval 2017 task A: every annotated tweet against its thread's source tweet (train/dev/test)."""
    folder = data / RUMOUREVAL
    labels = {
        split: json.loads((folder / f"{split}-annotations" / "subtaskA.json").read_text(encoding="utf-8"))
        for split in ("train", "dev", "test")
    }
    tweets: dict[str, tuple[str, str, str]] = {}  # id -> (text, source id, event)
    with tarfile.open(folder / "rumoureval2017_threads.tar.gz") as archive:
        for member in archive.getmembers():
            if not member.isfile() or not member.name.endswith(".json") or "/structure" in member.name:
                continue
            parts = member.name.split("/")
            if parts[-2] not in ("replies", "source-tweet"):
                continue
            handle = archive.extractfile(member)
            assert handle is not None
            tweet = json.loads(handle.read())
            tweets[str(tweet["id"])] = (tweet["text"], parts[-3], parts[-4] if parts[1] != "test" else "test")
    pairs = []
    for split, annotated in labels.items():
        for tweet_id, label in sorted(annotated.items()):
            text, source_id, event = tweets[tweet_id]
            source_text = strip_reply_handles(tweets[source_id][0])
            pairs.append(Pair(strip_reply_handles(text), (source_text,), label, split, event, tweet_id == source_id))
    return pairs


def load_fnc1(data: Path, unrelated_per_body: int = 3) -> list[Pair]:
    """FNC-1 competition set as headline-vs-body pairs, split 80/20 by body id (train/test).

    Only the competition test set is public here, so we split it by body; unrelated pairs (72 %) are
    subsampled to a few per body because they teach little about support/deny."""
    folder = data / FNC1
    with gzip.open(folder / "competition_test_bodies.csv.gz", "rt", encoding="utf-8") as handle:
        bodies = {row["Body ID"]: _paragraphs(row["articleBody"]) for row in csv.DictReader(handle)}
    with gzip.open(folder / "competition_test_stances.csv.gz", "rt", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    kept: dict[str, int] = {}
    pairs = []
    for row in sorted(rows, key=lambda r: _stable(r["Headline"] + r["Body ID"])):
        body_id, stance = row["Body ID"], row["Stance"]
        if stance == "unrelated":
            kept[body_id] = kept.get(body_id, 0) + 1
            if kept[body_id] > unrelated_per_body:
                continue
        split = "test" if _stable(body_id) % 5 == 0 else "train"
        pairs.append(Pair(row["Headline"], bodies[body_id], FNC_TO_OURS[stance], split, body_id, fnc=stance))
    return pairs


def load_semeval2016(data: Path) -> list[Pair]:
    """SemEval-2016 task 6A: tweet against its target phrase (official train/test; test gold from gold.txt)."""
    folder = data / SEMEVAL
    train = _read_semeval(folder / "semeval2016-task6-trainingdata.txt", "latin-1")
    test_text = _read_semeval(folder / "SemEval2016-Task6-subtaskA-testdata.txt", "latin-1")
    gold = _read_semeval(folder / "gold.txt", "utf-8")
    assert len(gold) == len(test_text)
    pairs = [Pair(_clean_semst(t), (target,), SEMEVAL_TO_OURS[s], "train", target) for target, t, s in train]
    for (target, text, _), (_, _, stance) in zip(test_text, gold, strict=True):
        pairs.append(Pair(_clean_semst(text), (target,), SEMEVAL_TO_OURS[stance], "test", target))
    return pairs


def _read_semeval(path: Path, encoding: str) -> list[tuple[str, str, str]]:
    raw = path.read_bytes().decode(encoding).replace("\r\n", "\n")
    reader = csv.DictReader(io.StringIO(raw), delimiter="\t")
    return [(row["Target"], row["Tweet"], row["Stance"]) for row in reader]


def _clean_semst(text: str) -> str:
    return text.replace("#SemST", "").strip()


def _paragraphs(body: str, limit: int = 12) -> tuple[str, ...]:
    paragraphs = [p.strip() for p in body.split("\n") if len(p.strip()) > 20]
    return tuple(paragraphs[:limit]) or (body.strip()[:2000],)


def _stable(text: str) -> int:
    """A hash that is the same in every process (Python's ``hash`` is salted)."""
    return zlib.crc32(text.encode("utf-8"))

