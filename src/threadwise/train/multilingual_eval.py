"""``threadwise eval toxicity --language de`` (etc.): the figures of docs/EVAL.md, "Languages beyond English".

Per language: Multilingual HateCheck accuracy of the default policy over the whole route a comment takes
(language identification → English or multilingual model → policy, word lists included), on a fixed
subsample; the same with the heads alone (the policy's toxicity thresholds over the head scores), beside a
head trained on the English sample only (what the non-English data add); and each staged test split's
macro-F1 (toxicity ≥ 0.5) beside the published best where one was found. Evaluation-only data are read
here and nowhere in training.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from threadwise.analysers.base import CommentContext
from threadwise.analysers.language_routing import LanguageRoutedToxicity
from threadwise.analysers.multilingual_toxicity import HEAD_LABELS, MultilingualToxicityAnalyser
from threadwise.audit import PolicyScorer
from threadwise.audit.identity import language_gate
from threadwise.audit.identity_templates_multilingual import TEMPLATES
from threadwise.language import detect_language
from threadwise.model import Comment
from threadwise.policy import Policy, load_policy, suggest
from threadwise.train.multilingual_data import DATASETS, MHC_FILES, cap, hatecheck, held_out_rows
from threadwise.train.multilingual_toxicity import (
    C_GRID,
    KINDS,
    fit_heads,
    head_name,
    load_split,
    split_features,
)

# Cases per language and rows per test split (fixed by text hash): the CPU budget of one evaluation. The
# char-n-gram heads alone read whole test splits; heads that read e5 vectors a sample (embedding is slow here).
MHC_SAMPLE = 300
TEST_SAMPLE = 300
MHC_FAST = 60
TEST_FAST = 80
# The MHC paper (Röttger et al. 2022) reports its XLM-T models per language; the searched copies of the paper
# did not show the table, so no per-language figure is quoted here (docs/EVAL.md says so).
MHC_ANCHOR = "MHC paper XLM-T: per-language figures not found"
DEFAULT_LANGUAGES = (*MHC_FILES, "ru")  # ru: no MHC cases, its test split only


def evaluate(data: Path, fast: bool = False, language: str | None = None,
             kinds: Sequence[str] = KINDS) -> dict[str, Any]:
    """The figures per language; ``kinds`` picks the heads (both averaged, shipped, or one feature set's)."""
    languages = (language,) if language else DEFAULT_LANGUAGES
    policy = load_policy()
    head = MultilingualToxicityAnalyser(head=head_name(kinds)).setup()
    english_only = _english_only_heads(data, head.kinds) if not fast else None
    metrics: dict[str, Any] = {"features": "+".join(head.kinds)}
    scorer = PolicyScorer(tier="fast")  # the audit's: the neutrality gate as the audit reads it
    for code in languages:
        if code in MHC_FILES:
            metrics.update(_hatecheck(data, code, policy, fast, head, english_only))
        if code in TEMPLATES:
            metrics[f"{code} identity templates, benign FPR, worst group (gate ≤ 5 %)"] = language_gate(
                code, scorer, fast).describe()
        metrics.update(_test_splits(data, code, fast, head))
    return metrics


def _sample_mhc(data: Path, language: str, n: int) -> list[tuple[str, bool, str]]:
    """A fixed subsample of one language's cases (by text hash; the same on every run)."""
    cases = hatecheck(data, language)
    return sorted(cases, key=lambda c: hashlib.sha256(("mhc" + c[0]).encode("utf-8")).hexdigest())[:n]


def _features(head: MultilingualToxicityAnalyser, name: str, texts: list[str]) -> dict[str, Any]:
    """Each feature set's inputs; e5 vectors from the on-disk cache (the routed pass below embeds afresh, so its
    comments/s are what a server sees)."""
    return {kind: split_features(kind, name, texts) for kind in head.kinds}


def _hatecheck(data: Path, language: str, policy: Policy, fast: bool, head: MultilingualToxicityAnalyser,
               english_only: dict[str, dict[str, np.ndarray]] | None) -> dict[str, Any]:
    cases = _sample_mhc(data, language, MHC_FAST if fast else MHC_SAMPLE)
    texts = [c[0] for c in cases]
    gold = np.array([c[1] for c in cases])
    x = _features(head, f"mhc-{language}", texts)
    flagged, seconds = _route_and_police(texts, policy, head)
    head_flags = _policy_flags(head.score_features(x), policy)
    detected = [detect_language(t).code for t in texts]
    out = {
        f"{language} MHC cases": len(cases),
        f"{language} MHC accuracy, default policy (full route)": float(np.mean(flagged == gold)),
        f"{language} MHC hateful flagged": float(np.mean(flagged[gold])) if gold.any() else 0.0,
        f"{language} MHC non-hateful flagged": float(np.mean(flagged[~gold])) if (~gold).any() else 0.0,
        f"{language} MHC accuracy, heads alone (policy thresholds)": float(np.mean(head_flags == gold)),
        f"{language} language identified correctly": float(np.mean([d == language for d in detected])),
        f"{language} MHC anchor": MHC_ANCHOR,
        f"{language} route comments/s (one batch, encoders included)": len(texts) / seconds if seconds else 0.0,
    }
    if english_only is not None:
        saved = head.heads_
        head.heads_ = english_only
        out[f"{language} MHC accuracy, heads trained on English only"] = float(
            np.mean(_policy_flags(head.score_features(x), policy) == gold))
        head.heads_ = saved
    return out


def _route_and_police(texts: Sequence[str], policy: Policy, head: MultilingualToxicityAnalyser
                      ) -> tuple[np.ndarray, float]:
    """Flagged (review or reject) per text, through the route a pre-moderated comment takes (fast tier)."""
    from threadwise.analysers.toxicity import ToxicityAnalyser

    routed = LanguageRoutedToxicity(ToxicityAnalyser(), head).setup()
    comments = [Comment(id=f"c{i}", thread_id="eval", text=t, position=i) for i, t in enumerate(texts)]
    start = time.perf_counter()
    findings = list(routed.analyse([CommentContext(c) for c in comments]))
    by_comment: dict[str, list[Any]] = {}
    for f in findings:
        by_comment.setdefault(f.comment_id, []).append(f)
    flags = [suggest(policy, c, by_comment.get(c.id, [])).action != "approve" for c in comments]
    return np.array(flags), time.perf_counter() - start


def _policy_flags(scores: Sequence[dict[str, float]], policy: Policy) -> np.ndarray:
    rules = [r for r in policy.rules if r.analyser == "toxicity" and r.action != "approve"]
    return np.array([any(s.get(r.label, 0.0) >= r.min_score for r in rules) for s in scores])


def _english_only_heads(data: Path, kinds: Sequence[str]) -> dict[str, dict[str, np.ndarray]]:
    """The same heads fitted on the English training and dev rows only: what the other languages' data add
    (read through the shipped model's operating points)."""
    out = {}
    for kind in kinds:
        parts = []
        for split, name in (("train", "ml-train"), ("dev", "ml-dev")):
            rows = [r for r in load_split(data, split, kind) if r.language == "en"]
            parts.append((split_features(kind, name, [r.text for r in rows]), rows))  # e5: the training run's cache
        (x, rows), (dev_x, dev) = parts
        out[kind], _ = fit_heads(x, rows, dev_x, dev, C_GRID[kind])
        assert len(out[kind]["coef"]) == len(HEAD_LABELS)
    return out


def _test_splits(data: Path, language: str, fast: bool, head: MultilingualToxicityAnalyser) -> dict[str, Any]:
    out: dict[str, Any] = {}
    chars = "e5" not in head.kinds
    for dataset in (d for d in DATASETS if d.language == language):
        rows = held_out_rows(data, dataset)
        rows = rows if chars and not fast else cap(rows, TEST_FAST if fast else TEST_SAMPLE)  # e5: a subsample
        x = _features(head, f"test-{dataset.name}", [r.text for r in rows])
        predicted = np.array([s["toxicity"] >= 0.5 for s in head.score_features(x)])
        gold = np.array([r.toxicity >= 0.5 for r in rows])
        out[f"{dataset.name} test macro-F1 (n={len(rows)})"] = float(f1_score(gold, predicted, average="macro"))
        out[f"{dataset.name} split"] = dataset.splits
        out[f"{dataset.name} anchor"] = dataset.anchor or "no published figure for this split"
    return out
