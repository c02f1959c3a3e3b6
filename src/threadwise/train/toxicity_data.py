"""Loaders for the toxicity training sets in ``shared/data`` (read in place, never copied).

Every loader is deterministic: fixed order, fixed seeded subsamples. ``Example.label`` is a
probability of toxic (0/1 for hard labels, an annotator share where the set gives one);
``severe`` is None where a set says nothing about severity.
"""

from __future__ import annotations

import ast
import csv
import gzip
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from threadwise.train import SEED, assert_trainable

CIVIL = "toxic_spans_civil_comments"
WIKI = "wikipedia_talk_toxicity_with_parent_context"
# Span types of the full annotations → our category labels ("Other Toxicity" has no category of its own).
TYPE_LABELS = {
    "Insult": "insult",
    "Insu": "insult",
    "Profane/Obscene": "profanity",
    "Identity based Attack": "identity_attack",
    "Identity based ": "identity_attack",
    "Threat": "threat",
    "Other Toxicity": "other",
}
CATEGORIES = ("insult", "identity_attack", "profanity", "threat")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: float
    source: str
    severe: float | None = None


def _rows(path: Path, delimiter: str = ",") -> Iterator[dict[str, str]]:
    with _open(path) as handle:
        if delimiter == "\t":  # the TSVs are unquoted: a stray quote must not swallow lines
            yield from csv.DictReader(handle, delimiter=delimiter, quoting=csv.QUOTE_NONE)
        else:
            yield from csv.DictReader(handle, delimiter=delimiter)


def _open(path: Path) -> IO[str]:
    assert_trainable(path)
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")  # the caller closes it


def _lines(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip()]


def _sample(items: list, n: int, salt: int) -> list:
    """A seeded subsample of at most ``n`` items, in their original order."""
    if len(items) <= n:
        return items
    keep = np.sort(np.random.RandomState(SEED + salt).choice(len(items), n, replace=False))
    return [items[i] for i in keep]


def wikipedia_split(data: Path) -> tuple[list[Example], list[Example]]:
    """(train, test): CAT-LARGE gc (labelled with the parent shown) and gn (without), a seeded stratified
    80/20 split of each; CAT-SMALL (out-of-context label) joins train, minus any text in test."""
    train: list[Example] = []
    test: list[Example] = []
    for part in ("gc", "gn"):
        rows = list(_rows(data / WIKI / "CAT_LARGE" / f"{part}.csv.gz"))
        labels = np.array([int(r["label"]) for r in rows])
        test_idx = set(_stratified_test(labels, 0.2, salt=1 if part == "gc" else 2))
        for i, r in enumerate(rows):
            example = Example(r["text"], float(labels[i]), f"wiki_{part}")
            (test if i in test_idx else train).append(example)
    held_out = {e.text for e in test}
    small = [
        Example(r["text"], float(r["label_oc"]), "wiki_small")
        for r in _rows(data / WIKI / "CAT_SMALL" / "cat_small.csv.gz")
        if r["text"] not in held_out
    ]
    return [e for e in train if e.text not in {t.text for t in test}] + small, test


def wikipedia_fast_subset(wiki: list[Example]) -> list[Example]:
    """The CI subset of the wikipedia test rows: every toxic row and a seeded 600 of the others."""
    negatives = [e for e in wiki if e.label < 0.5]
    keep = set(np.random.RandomState(SEED + 12).choice(len(negatives), 600, replace=False).tolist())
    return [e for e in wiki if e.label >= 0.5] + [e for i, e in enumerate(negatives) if i in keep]


def wikipedia_api(data: Path) -> dict[str, float]:
    """The ``api`` column (probably Perspective's score) by (part, text), for the baseline on the same rows."""
    scores: dict[str, float] = {}
    for part in ("gc", "gn"):
        for r in _rows(data / WIKI / "CAT_LARGE" / f"{part}.csv.gz"):
            scores[f"wiki_{part}\x1f{r['text']}"] = float(r["api"])
    return scores


def _stratified_test(labels: np.ndarray, share: float, salt: int) -> list[int]:
    rng = np.random.RandomState(SEED + salt)
    picked: list[int] = []
    for value in np.unique(labels):
        idx = np.flatnonzero(labels == value)
        picked.extend(rng.choice(idx, round(len(idx) * share), replace=False).tolist())
    return sorted(picked)


def fox(data: Path) -> list[Example]:
    with open(data / "fox_news_comments_hate" / "fox-news-comments.json", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [Example(r["text"], float(r["label"]), "fox", severe=float(r["label"])) for r in rows]


def olid(data: Path, split: str = "train") -> list[Example]:
    """OLID level A (offensive) tweets; severe = offensive and targeted at a group."""
    folder = data / "olid_offenseval2019" / "OLIDv1.0"
    if split == "test":
        labels = {r["id"]: r["label"] for r in _rows(folder / "labels-levela.csv")}
        return [
            Example(r["tweet"], float(labels[r["id"]] == "OFF"), "olid_test")
            for r in _rows(folder / "testset-levela.tsv", "\t")
        ]
    return [
        Example(r["tweet"], float(r["subtask_a"] == "OFF"), "olid", severe=float(r["subtask_c"] == "GRP"))
        for r in _rows(folder / "olid-training-v1.0.tsv", "\t")
    ]


def sfu(data: Path) -> list[Example]:
    """Globe and Mail comments; toxicity level 1-4, 2+ counted toxic, 3+ severe."""
    out: list[Example] = []
    for r in _rows(data / "sfu_constructiveness_toxicity_corpus" / "SFU_constructiveness_toxicity.csv"):
        level = int(r["is_toxic_popular_answer_1"] or 1)
        out.append(Example(r["comment"], float(level >= 2), "sfu", severe=float(level >= 3)))
    return out


def davidson(data: Path, n: int = 6000) -> list[Example]:
    """Tweets: hate or offensive counted toxic; severe = at least half of the annotators said hate."""
    out = []
    for r in _rows(data / "davidson_hate_offensive_tweets" / "labeled_data.csv.gz"):
        hate = int(r["hate_speech"]) / max(1, int(r["count"]))
        out.append(Example(r["tweet"], float(r["class"] in ("0", "1")), "davidson", severe=float(hate >= 0.5)))
    return _sample(out, n, salt=3)


def detox(data: Path, n: int = 8000) -> list[Example]:
    """Skoltech Jigsaw sentences (silver labels), lower-cased and tokenised: the dev files only, since test_10k is
    the set's official test split (conduct model 2.0.0 was trained with it; docs/EVAL.md says so)."""
    folder = data / "jigsaw_detox_sentences_skoltech"
    out: list[Example] = []
    for name, label in (("dev_toxic", 1.0), ("dev_normal", 0.0)):
        out.extend(Example(t, label, "detox") for t in _lines(folder / f"{name}.txt.gz"))
    return _sample(out, n, salt=4)


def paradetox(data: Path, pairs: int = 4000, cannot: int = 2000) -> list[Example]:
    """Toxic sentences with their neutral paraphrases (counterfactual pairs kept together)."""
    folder = data / "paradetox_toxic_neutral_pairs"
    out: list[Example] = []
    for r in _sample(list(_rows(folder / "paradetox.tsv.gz", "\t")), pairs, salt=5):
        out.append(Example(r["toxic"], 1.0, "paradetox"))
        out.extend(Example(r[k], 0.0, "paradetox") for k in ("neutral1", "neutral2") if r.get(k))
    rest = []
    for r in _rows(folder / "paradetox_cannot_rewrite.tsv.gz", "\t"):
        reasons = r.get("OUTPUT:reasons", "").replace('""', '"').strip('"')
        text = r.get("INPUT:toxic_comment", "").strip('"')
        if '"toxic_content":true' in reasons and "not_toxic" not in reasons:
            rest.append(Example(text, 1.0, "paradetox"))
        elif '"not_toxic":true' in reasons and "toxic_content" not in reasons:
            rest.append(Example(text, 0.0, "paradetox"))
    return out + _sample(rest, cannot, salt=6)


@dataclass(frozen=True, slots=True)
class CivilComment:
    """One comment of the full toxic-spans annotations: annotator shares per category, typed spans."""

    text: str
    toxic: float
    categories: dict[str, float]
    all_toxic: float
    spans: tuple[tuple[int, int, str], ...]
    majority: frozenset[int]  # characters that at least half of the annotators marked toxic


def civil_comments(data: Path) -> list[CivilComment]:
    """The 16,100 annotated comments; ``toxic`` = share of annotators who marked a span or "all toxic"."""
    folder = data / CIVIL / "full_annotations"
    texts = {r["comment_id"]: r["comment_text"] for r in _rows(folder / "comments.csv.gz")}
    spans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for r in _rows(folder / "spans.csv.gz"):
        if r["type"] in TYPE_LABELS and r["start"] and r["end"]:
            spans[r["annotation"]].append((int(r["start"]), int(r["end"]), TYPE_LABELS[r["type"]]))
    per_comment: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in _rows(folder / "annotations.csv.gz"):
        per_comment[r["comment_id"]].append(r)
    out: list[CivilComment] = []
    for cid, rows in per_comment.items():
        if cid in texts:
            out.append(_civil_comment(texts[cid], rows, spans))
    return out


def _civil_comment(text: str, annotations: list[dict[str, str]], spans: dict[str, list]) -> CivilComment:
    k = len(annotations)
    marked = [spans.get(a["annotation"], []) for a in annotations]
    toxic = sum(1 for a, m in zip(annotations, marked, strict=True) if m or a["all toxic"] == "True") / k
    categories = {c: sum(1 for m in marked if any(s[2] == c for s in m)) / k for c in CATEGORIES}
    all_toxic = sum(1 for a in annotations if a["all toxic"] == "True") / k
    typed = tuple(sorted({s for m in marked for s in m}))
    votes: dict[int, int] = defaultdict(int)
    for m in marked:
        for char in {i for start, end, _ in m for i in range(start, end)}:
            votes[char] += 1
    majority = frozenset(i for i, v in votes.items() if v / k >= 0.5)
    return CivilComment(text, toxic, categories, all_toxic, typed, majority)


def tsd(data: Path, split: str) -> list[tuple[str, set[int]]]:
    """SemEval-2021 Task 5 (``train``, ``trial``, ``test``): (text, gold toxic character offsets)."""
    rows = _rows(data / CIVIL / "semeval2021" / f"tsd_{split}.csv.gz")
    return [(r["text"], set(ast.literal_eval(r["spans"]))) for r in rows]


def civil_examples(data: Path, exclude: set[str]) -> list[Example]:
    """Civil comments as overall-toxicity examples (soft label = annotator share), minus ``exclude``."""
    return [Example(c.text, c.toxic, "civil") for c in civil_comments(data) if c.text not in exclude]


def overall_training_set(data: Path) -> tuple[list[Example], list[Example]]:
    """(train, wikipedia held-out test) for the overall toxicity model."""
    wiki_train, wiki_test = wikipedia_split(data)
    exclude = {t for t, _ in tsd(data, "test")}  # the span test comments stay unseen by every model
    civil = _sample(civil_examples(data, exclude), 6000, salt=7)
    # Subsamples keep the MiniLM embedding of the whole set to ~15 minutes on one CPU thread.
    tweets = _sample(olid(data), 5000, salt=8) + davidson(data, 4000)
    others = fox(data) + sfu(data) + tweets + detox(data, 6000) + paradetox(data, 3000) + civil
    held_out = {e.text for e in wiki_test}
    return wiki_train + [e for e in others if e.text not in held_out], wiki_test



# How many rows of each source the MiniLM head sees (embedding is the slow part of training on CPU).
EMBED_QUOTA = {
    "wiki_gc": 3000, "wiki_gn": 3000, "wiki_small": 976, "fox": 1528, "sfu": 1121, "civil": 1000,
    "paradetox": 2000, "detox": 1000, "davidson": 600, "olid": 600,
}  # fmt: skip


def embedding_mask(examples: list[Example]) -> np.ndarray:
    """Rows whose embedding the MiniLM head trains on: every wikipedia positive plus a seeded quota per source."""
    mask = np.zeros(len(examples), dtype=bool)
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(examples):
        if e.source.startswith("wiki") and e.label >= 0.5:
            mask[i] = True
        else:
            by_source[e.source].append(i)
    for source, idx in sorted(by_source.items()):
        mask[_sample(idx, EMBED_QUOTA.get(source, 0), salt=9)] = True
    return mask
