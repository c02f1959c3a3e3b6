"""Optional, evaluated mitigations: mask identity terms, side terms or quoted passages before the toxicity
model reads a comment.

Not deployed: the analysers are unchanged. This module measures what masking would buy (the audit's failing
gates) and what it would cost (toxicity detection on held-out data), so the choice can be made on numbers.
Run ``python -m threadwise.audit.mitigation`` (a few minutes on a CPU); docs/EVAL.md reports the figures.
A deployed version would have to map evidence spans back to the original words, as ``normalise`` does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from sklearn.metrics import roc_auc_score

from threadwise.audit import counterfactual, identity, quoting
from threadwise.audit.datasets import data_dir, read_csv
from threadwise.audit.identity_templates import GROUPS
from threadwise.audit.scoring import PolicyScorer, Verdict
from threadwise.audit.side_swap import SWAPS
from threadwise.model import Article

PLACEHOLDER = "someone"


def masker(terms: Iterable[str], placeholder: str = PLACEHOLDER) -> Callable[[str], str]:
    """A function replacing every whole-word occurrence of ``terms`` (case-insensitive) with ``placeholder``."""
    pattern = re.compile(r"(?<![\w#])(" + "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True))
                         + r")(?!\w)", re.I)
    return lambda text: pattern.sub(placeholder, text)


_QUOTED = re.compile(r'"[^"\n]{1,300}"|“[^”\n]{1,300}”')


def mask_quoted(text: str) -> str:
    """The comment with every passage in double quotes blanked: the quoted words are not the commenter's."""
    return _QUOTED.sub('"…"', text)


IDENTITY_TERMS = [w for g in GROUPS for w in (g.name, g.name.lower())] + ["gays", "lesbians", "muslims", "jews"]
SIDE_TERMS = [t for pair in SWAPS for t in pair]


class MaskingScorer(PolicyScorer):
    """Scores each text as the policy would after ``rewrite``; verdicts still carry the original text."""

    def __init__(self, rewrite: Callable[[str], str], **options: Any) -> None:
        super().__init__(**options)
        self.rewrite = rewrite

    def _score_new(self, texts: Sequence[str], article: Article | None) -> Iterable[Verdict]:
        masked = [self.rewrite(t) for t in texts]
        for original, verdict in zip(texts, super()._score_new(masked, article), strict=True):
            yield Verdict(original, verdict.action, verdict.toxicity, verdict.reason, verdict.rejected_with_evidence)


def hateful_recall(scorer: PolicyScorer, data: Path, step: int = 4) -> float:
    """Share of HateCheck's hateful cases (every ``step``-th) the policy flags: what masking may cost."""
    rows = read_csv(data / "hatecheck_functional_tests" / "test_suite_cases.csv.gz")
    hateful = [r["test_case"].strip() for r in rows if r["label_gold"] == "hateful"][::step]
    return sum(v.flagged for v in scorer.score(hateful)) / len(hateful)


def wikipedia_text_only_auc(data: Path, rewrite: Callable[[str], str] | None) -> float:
    """ROC-AUC of the text-only toxicity tier on the Wikipedia rows of the toxicity floor's CI subset."""
    from threadwise.analysers.toxicity import ToxicityAnalyser
    from threadwise.train import toxicity_data

    _, wiki = toxicity_data.wikipedia_split(data)
    wiki = toxicity_data.wikipedia_fast_subset(wiki)
    texts = [rewrite(e.text) if rewrite else e.text for e in wiki]
    scores = ToxicityAnalyser().setup().score(texts, None)
    return float(roc_auc_score([e.label >= 0.5 for e in wiki], scores))


def evaluate(data: Path | None = None) -> list[tuple[str, dict[str, float]]]:
    """Per variant (none, identity terms masked, side terms masked): the failing gates' figures and the costs."""
    folder = data_dir(data)
    variants: list[tuple[str, Callable[[str], str] | None]] = [
        ("none", None), ("mask identity terms", masker(IDENTITY_TERMS)), ("mask side terms", masker(SIDE_TERMS)),
        ("mask quoted passages", mask_quoted)]
    out = []
    for name, rewrite in variants:
        scorer = MaskingScorer(rewrite) if rewrite else PolicyScorer()
        ident = identity.run(scorer, folder, fast=True).check("benign FPR · identity templates · worst group")
        cf = counterfactual.run(scorer, folder, fast=True)
        quotes = quoting.run(scorer, folder, fast=True)
        quoting_flagged = sum(r[1] * r[3] for r in quotes.rows) / sum(r[1] for r in quotes.rows)
        out.append((name, {
            "identity benign FPR, worst group": ident.value,
            "Δ flag, real insults": cf.check("Δ flag rate · real comments · insults").value,
            "Δ tox, template threats": cf.check("Δ mean toxicity · templates · threats").value,
            "civil quoting comments flagged": quoting_flagged,
            "HateCheck hateful flagged": hateful_recall(scorer, folder),
            "Wikipedia AUC, text-only tier": wikipedia_text_only_auc(folder, rewrite),
        }))
    return out


if __name__ == "__main__":
    for variant, figures in evaluate():
        print(variant, {k: round(v, 4) for k, v in figures.items()}, flush=True)
