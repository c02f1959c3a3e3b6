"""Stance counterfactuals from real comments: the same words with the side swapped.

Real reader comments (Civil Comments and the Globe and Mail's SFU corpus from news sites, SemEval-2016 stance
tweets) that name one side of a contested issue are rewritten with every side term exchanged for its
counterpart (liberals ↔ conservatives, Obama ↔ Trump, Russia ↔ Ukraine, pro-life ↔ pro-choice…), all at
once, so "liberals are idiots, unlike conservatives" becomes "conservatives are idiots, unlike liberals".
Comments that name a side figure without a clean counterpart (Hillary, Biden…) are left out rather than
half-swapped. The conduct level comes from the dataset's own human labels, never from our model.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from threadwise.audit.datasets import read_csv

# (side A term, side B term); each term appears once, so swapping twice gives the text back.
SWAPS = (
    ("liberal", "conservative"), ("liberals", "conservatives"), ("democrat", "republican"),
    ("democrats", "republicans"), ("democratic", "gop"), ("leftist", "right-winger"),
    ("leftists", "right-wingers"), ("left-wing", "right-wing"), ("lefties", "righties"), ("obama", "trump"),
    ("trudeau", "harper"), ("russia", "ukraine"), ("russian", "ukrainian"),
    ("russians", "ukrainians"), ("putin", "zelensky"), ("israel", "palestine"), ("israeli", "palestinian"),
    ("israelis", "palestinians"), ("pro-life", "pro-choice"), ("prolife", "prochoice"),
    ("#prolife", "#prochoice"), ("alarmists", "deniers"), ("alarmist", "denier"),
)
# Side figures without a counterpart in SWAPS: a comment naming one cannot be swapped cleanly.
BLOCKERS = ("hillary", "clinton", "biden", "bernie", "sanders", "pence", "bush", "romney", "mccain", "cruz",
            "hamas", "netanyahu", "ndp", "tory", "tories", "palin", "kremlin", "kyiv", "kiev", "moscow")
_PARTNER = {a: b for a, b in SWAPS} | {b: a for a, b in SWAPS}
_SIDE_A = {a for a, _ in SWAPS}
_TERMS = re.compile(r"(?<![\w#])(" + "|".join(re.escape(t) for t in sorted(_PARTNER, key=len, reverse=True))
                    + r")(?!\w)", re.I)
_BLOCKED = re.compile(r"\b(?:" + "|".join(BLOCKERS) + r")\b", re.I)
MAX_CHARS = 400  # long comments dilute the swapped words and cost embedding time


@dataclass(frozen=True)
class SwappedPair:
    source: str
    level: str
    side_a: str  # the version naming side A's terms (liberal, Obama, Russia, Israel, pro-life…)
    side_b: str


def _cased(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like.istitle():  # "Pro-Choice" → "Pro-Life", so that swapping back restores the comment
        return word.title()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _regular_case(word: str) -> bool:
    return word in (word.lower(), word.upper(), word.title(), word[:1].upper() + word[1:].lower())


def swap_sides(text: str) -> str | None:
    """``text`` with every side term exchanged, or None when it names no side or a figure we cannot swap."""
    terms = [m.group() for m in _TERMS.finditer(text)]
    if _BLOCKED.search(text) or not terms or not all(map(_regular_case, terms)):
        return None  # "tRump", "OBummer"-style casing is mockery: conduct the swap would erase
    return _TERMS.sub(lambda m: _cased(_PARTNER[m.group().lower()], m.group()), text)


def oriented(source: str, level: str, text: str) -> SwappedPair | None:
    """The pair for ``text``, ordered so that ``side_a`` is the version naming more side-A terms."""
    swapped = swap_sides(text)
    if swapped is None or swapped == text:
        return None
    a_terms = sum(m.group().lower() in _SIDE_A for m in _TERMS.finditer(text))
    b_terms = sum(m.group().lower() not in _SIDE_A for m in _TERMS.finditer(text))
    return SwappedPair(source, level, *((text, swapped) if a_terms >= b_terms else (swapped, text)))


def civil_comments_pairs(data: Path) -> list[SwappedPair]:
    """Civil Comments (news-site comments) with their annotators' span types: a threat span named by two or more
    annotators makes the comment a threat, otherwise an insult span so named makes it an insult."""
    folder = data / "toxic_spans_civil_comments" / "full_annotations"
    annotations = {r["annotation"]: r["comment_id"] for r in read_csv(folder / "annotations.csv.gz")}
    votes: Counter[tuple[str, str]] = Counter()
    seen: set[tuple[str, str, str]] = set()
    for span in read_csv(folder / "spans.csv.gz"):
        comment = annotations.get(span["annotation"])
        if comment and (comment, span["type"], span["annotation"]) not in seen:
            seen.add((comment, span["type"], span["annotation"]))
            votes[(comment, span["type"])] += 1
    pairs = []
    for row in read_csv(folder / "comments.csv.gz"):
        cid, text = row["comment_id"], row["comment_text"]
        level = "threats" if votes[(cid, "Threat")] >= 2 else "insults" if votes[(cid, "Insult")] >= 2 else None
        pair = oriented("Civil Comments", level, text) if level and len(text) <= MAX_CHARS else None
        if pair:
            pairs.append(pair)
    return pairs


def sfu_pairs(data: Path) -> list[SwappedPair]:
    """Globe and Mail opinion comments the crowd rated not toxic (1 of 4): civil disagreement."""
    rows = read_csv(data / "sfu_constructiveness_toxicity_corpus" / "SFU_constructiveness_toxicity.csv")
    pairs = (oriented("SFU Globe and Mail", "civil disagreement", r["comment"].strip()) for r in rows
             if r["is_toxic_popular_answer_1"] == "1" and len(r["comment"]) <= MAX_CHARS)
    return [p for p in pairs if p]


def semeval_pairs(data: Path) -> list[SwappedPair]:
    """SemEval-2016 stance tweets (FAVOR/AGAINST a target; no conduct label, so a level of their own)."""
    path = data / "semeval2016_task6_stance" / "semeval2016-task6-trainingdata.txt"
    rows = read_csv(path, encoding="latin-1", delimiter="\t")
    pairs = (oriented("SemEval-2016 tweets", "tweets (no conduct label)", r["Tweet"].replace(" #SemST", "").strip())
             for r in rows if r["Stance"] in ("FAVOR", "AGAINST"))
    return [p for p in pairs if p]


def real_pairs(data: Path) -> list[SwappedPair]:
    return [*civil_comments_pairs(data), *sfu_pairs(data), *semeval_pairs(data)]
