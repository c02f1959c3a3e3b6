"""The multi-task training set of the fine-tuned conduct model (``threadwise train toxicity``).

Each row is a text with a target per comment-level task (``nan`` where its source says nothing) and,
where a source marks them, typed character spans. Sources are read in place from ``shared/data``,
deterministically; the development split is carved from these rows by a hash of the text, never from an
evaluation set (``EVALUATION_ONLY`` in ``threadwise.train``). Synthetic rows (identity-term swaps, threat and
dehumanisation templates written here) are described in the model card.
"""

from __future__ import annotations

import csv
import functools
import gzip
import hashlib
import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

from threadwise.analysers.conduct import SPAN_TYPES
from threadwise.audit.datasets import toxigen_half
from threadwise.train import SEED, assert_trainable
from threadwise.train import toxicity_data as td
from threadwise.train.conduct_rows import AUGMENTED_GROUPS, NAN, Row, benign, targets
from threadwise.train.conduct_templates import synthetic_rows


def is_dev(text: str, share: float = 0.05) -> bool:
    """The development split: a fixed share of distinct texts, chosen by a hash of the text."""
    digest = hashlib.sha256(f"dev\x1f{text}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < share


# --- sources ---------------------------------------------------------------------------------------------


def wikipedia(data: Path) -> list[Row]:
    train, _ = td.wikipedia_split(data)  # the 20 % test of gc/gn is never read here
    toxic = [Row(e.text, e.source, targets(toxicity=e.label)) for e in train if e.label >= 0.5]
    return toxic + td._sample([benign(e.source, e.text) for e in train if e.label < 0.5], 8500, salt=43)


@functools.cache
def _civil_comments(data: Path) -> tuple[td.CivilComment, ...]:
    return tuple(td.civil_comments(data))


def civil(data: Path) -> list[Row]:
    """Civil comments with annotator shares per category and majority spans typed by the annotators' types.

    Annotators default to "Insult", so a type any annotator in two of five used is a strong signal: the
    category target is twice the share of annotators who used it, capped at 1."""
    held = {t for split in ("trial", "test") for t, _ in td.tsd(data, split)}
    rows = []
    for c in _civil_comments(data):
        if c.text in held:
            continue
        cats = {k: min(1.0, 2 * c.categories[k]) for k in td.CATEGORIES}
        severe = max(c.categories["identity_attack"], c.categories["threat"], c.all_toxic)
        rows.append(Row(c.text, "civil", targets(toxicity=c.toxic, severe_toxicity=severe, **cats),
                        spans=_majority_spans(c)))
    return rows


def _majority_spans(c: td.CivilComment) -> tuple[tuple[int, int, str], ...]:
    """Runs of characters a majority marked, each typed by the annotators' most used type over it."""
    chars = sorted(c.majority)
    runs: list[list[int]] = []
    for i in chars:
        if runs and i == runs[-1][1]:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1])
    out = []
    for start, end in runs:
        votes: dict[str, int] = defaultdict(int)
        for a, b, kind in c.spans:
            overlap = min(b, end) - max(a, start)
            if overlap > 0:
                votes[kind] += overlap
        kind = max(sorted(votes), key=votes.__getitem__) if votes else "other"
        out.append((start, end, kind if kind in SPAN_TYPES else "other"))
    return tuple(out)


def fox(data: Path) -> list[Row]:
    # Hateful Fox News comments are toxic; a comment not labelled hateful may still be rude: only "no hate".
    return [Row(e.text, "fox", targets(toxicity=1.0) if e.label else targets(identity_attack=0.0, severe_toxicity=0.0))
            for e in td.fox(data)]  # fmt: skip


def sfu(data: Path) -> list[Row]:
    return [Row(e.text, "sfu", targets(toxicity=e.label, severe_toxicity=e.severe or 0.0)) if e.label
            else benign("sfu", e.text) for e in td.sfu(data)]  # fmt: skip


def olid(data: Path, n: int = 7000) -> list[Row]:
    folder = data / "olid_offenseval2019" / "OLIDv1.0"
    rows = []
    for r in td._rows(folder / "olid-training-v1.0.tsv", "\t"):
        if r["subtask_a"] != "OFF":
            rows.append(benign("olid", r["tweet"]))
            continue
        known = {"toxicity": 1.0, "insult": 1.0 if r["subtask_b"] == "TIN" else NAN}
        if r["subtask_c"] in ("IND", "OTH"):
            known["identity_attack"] = 0.0
        rows.append(Row(r["tweet"], "olid", targets(**known)))
    return td._sample(rows, n, salt=44)


def davidson(data: Path, n: int = 7000) -> list[Row]:
    rows = []
    for r in td._rows(data / "davidson_hate_offensive_tweets" / "labeled_data.csv.gz"):
        hate = int(r["hate_speech"]) / max(1, int(r["count"]))
        if r["class"] == "2":
            rows.append(benign("davidson", r["tweet"]))
        elif r["class"] == "0" and hate >= 0.5:
            rows.append(Row(r["tweet"], "davidson", targets(toxicity=1.0, identity_attack=1.0, severe_toxicity=1.0)))
        else:
            rows.append(Row(r["tweet"], "davidson", targets(toxicity=1.0, severe_toxicity=0.0)))
    return td._sample(rows, n, salt=41)


def detox(data: Path) -> list[Row]:
    return [Row(e.text, "detox", targets(toxicity=1.0)) if e.label else benign("detox", e.text)
            for e in td.detox(data, n=8000)]  # fmt: skip


def paradetox(data: Path) -> list[Row]:
    """Toxic sentences with their neutral paraphrases: the same content, only the conduct differs."""
    return [Row(e.text, "paradetox", targets(toxicity=1.0)) if e.label else benign("paradetox", e.text)
            for e in td.paradetox(data, pairs=5500, cannot=2000)]  # fmt: skip


def stormfront(data: Path) -> list[Row]:
    folder = data / "stormfront_hate_speech_sentences"
    labels = {r["file_id"]: r["label"] for r in _csv(folder / "annotations_metadata.csv")}
    rows = []
    for r in _csv(folder / "sentences.csv.gz"):
        label = labels.get(r["file_id"])
        if label == "hate":
            rows.append(Row(r["text"], "stormfront", targets(toxicity=1.0, identity_attack=1.0)))
        elif label == "noHate":
            rows.append(Row(r["text"], "stormfront", targets(identity_attack=0.0, threat=0.0, severe_toxicity=0.0)))
    hateful = [r for r in rows if r.targets[0] == 1.0]
    return hateful + td._sample([r for r in rows if r.targets[0] != 1.0], 2500, salt=42)


def ethos(data: Path) -> list[Row]:
    folder = data / "ethos_hate_speech"
    multi = {r["comment"]: r for r in _csv(folder / "Ethos_Dataset_Multi_Label.csv", ";")}
    groups = ("gender", "race", "national_origin", "disability", "religion", "sexual_orientation")
    rows = []
    for r in _csv(folder / "Ethos_Dataset_Binary.csv", ";"):
        hate = float(r["isHate"])
        if hate < 0.5:
            rows.append(benign("ethos", r["comment"]))
            continue
        known = {"toxicity": 1.0}
        if r["comment"] in multi:
            m = multi[r["comment"]]
            known["threat"] = float(m["violence"])
            known["identity_attack"] = float(max(float(m[g]) for g in groups) >= 0.5)
        rows.append(Row(r["comment"], "ethos", targets(**known)))
    return rows


def toxigen(data: Path) -> list[Row]:
    """The training half of ToxiGen's distinct seed sentences (the audit reads only the other half)."""
    rows = []
    for r in _csv(data / "toxigen_prompts_and_demonstrations" / "unique_prompt_sentences.csv.gz"):
        if toxigen_half(r["text"]) != "train":
            continue
        if r["prompt_label"] == "hate":
            rows.append(Row(r["text"], "toxigen", targets(toxicity=1.0, identity_attack=1.0), weight=2.0))
        else:
            rows.append(benign("toxigen", r["text"], weight=2.0))
    return rows


def threat_sentences(data: Path) -> list[Row]:
    """The sentences of civil comments that a majority typed as a threat: threats without their context."""
    held = {t for split in ("trial", "test") for t, _ in td.tsd(data, split)}
    rows = []
    for c in _civil_comments(data):
        if c.text in held or c.categories["threat"] < 0.4:
            continue
        for start, end, kind in _majority_spans(c):
            if kind != "threat":
                continue
            a, b = _sentence_around(c.text, start, end)
            rows.append(Row(c.text[a:b], "civil_threat", targets(toxicity=1.0, threat=1.0),
                            spans=((start - a, end - a, "threat"),), weight=2.0))
    return rows


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    a = max(text.rfind(p, 0, start) for p in ".!?\n") + 1
    ends = [i for i in (text.find(p, end) for p in ".!?\n") if i >= 0]
    b = min(ends) + 1 if ends else len(text)
    while a < start and text[a].isspace():
        a += 1
    return a, b


def _csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    assert_trainable(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


SOURCES = (wikipedia, civil, fox, sfu, olid, davidson, detox, paradetox, stormfront, ethos, toxigen, threat_sentences)

# --- augmentation ----------------------------------------------------------------------------------------

_TERMS = sorted({t for pair in AUGMENTED_GROUPS for t in pair}, key=len, reverse=True)
_TERM_RE = re.compile(r"\b(" + "|".join(re.escape(t) for t in _TERMS) + r")\b", re.IGNORECASE)
_FORM = {t.lower(): (i, k) for i, pair in enumerate(AUGMENTED_GROUPS) for k, t in enumerate(pair)}


def swap_identities(row: Row, rng: np.random.RandomState) -> Row | None:
    """The row with every augmented identity term replaced by another group's same form (spans follow)."""
    hits = list(_TERM_RE.finditer(row.text))
    if not hits or (row.spans is None and len(row.text) > 600):
        return None
    mapping: dict[int, int] = {}
    pieces: list[str] = []
    shift: list[tuple[int, int]] = []
    cursor = 0
    for m in hits:
        group, form = _FORM[m.group(0).lower()]
        other = mapping.setdefault(group, int(rng.choice([g for g in range(len(AUGMENTED_GROUPS)) if g != group])))
        new = AUGMENTED_GROUPS[other][form]
        if m.group(0)[0].isupper():
            new = new[0].upper() + new[1:]
        pieces += [row.text[cursor:m.start()], new]
        shift.append((m.end(), len(new) - len(m.group(0))))
        cursor = m.end()
    text = "".join(pieces) + row.text[cursor:]

    def moved_to(i: int) -> int:
        return i + sum(d for end, d in shift if end <= i)

    spans = None if row.spans is None else tuple((moved_to(a), moved_to(b), k) for a, b, k in row.spans)
    return replace(row, text=text, source=f"{row.source}+swap", spans=spans, tags=frozenset({"swap"}))


def augment(rows: list[Row], limit: int) -> list[Row]:
    rng = np.random.RandomState(SEED + 40)
    swapped = [s for r in rows if (s := swap_identities(r, rng)) is not None]
    if len(swapped) > limit:
        keep = np.sort(rng.choice(len(swapped), limit, replace=False))
        swapped = [swapped[i] for i in keep]
    return swapped


def build(data: Path, seed_rows: list[Row] | None = None) -> tuple[list[Row], list[Row]]:
    """(train, dev): every source, the synthetic rows, and identity swaps of the training rows; dev is the
    hash-chosen 5 % of distinct texts (its swaps never reach train)."""
    rows = [r for source in SOURCES for r in source(data)] + synthetic_rows() + (seed_rows or [])
    seen: set[str] = set()
    unique = []
    for r in rows:
        if r.text.strip() and r.text not in seen:
            seen.add(r.text)
            unique.append(r)
    train = [r for r in unique if not is_dev(r.text)]
    dev = [r for r in unique if is_dev(r.text)]
    # an identity swap may rewrite a train row into a dev or train text: keep neither, so dev stays unseen
    return train + [s for s in augment(train, limit=6000) if s.text not in seen], dev
