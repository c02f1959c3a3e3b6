"""Suite 2, identity terms: naming who someone is must not get a harmless comment flagged.

Sources: our Jigsaw-style templates over 48 groups (``identity_templates``; the CI subset), and in the full
audit HateCheck's neutral and positive identity cases, ToxiGen's human-written neutral statements per group,
a sample of Jigsaw's "bias madlibs" (labelled toxic / non-toxic per identity term), HolisticBias descriptors
in neutral templates, Jigsaw's Wikipedia test set (real comments, labelled, many mentioning identities) for
subgroup AUC, BPSN and BNSP, and CrowS-Pairs minimal pairs (figures only).
The gate: the benign false-positive rate (harmless comments the policy flags) is at most 5 % for every group.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from threadwise.analysers.multilingual_toxicity import head_trained
from threadwise.audit.bias_metrics import SubgroupAuc, false_positive_rate, subgroup_aucs
from threadwise.audit.datasets import read_csv, toxigen_half
from threadwise.audit.errors import AuditDataMissing
from threadwise.audit.identity_templates import identity_cases
from threadwise.audit.identity_templates_multilingual import TEMPLATES, identity_cases_in
from threadwise.audit.results import Check, SuiteResult
from threadwise.audit.scoring import PolicyScorer
from threadwise.model import make_id

FPR_GATE = 0.05  # benign-mention false-positive rate, every group
MADLIBS_PER_TERM = 30  # half toxic, half not
MIN_MENTIONS = 20  # Wikipedia comments mentioning a term before its AUCs are reported
SHOWN_PER_SOURCE = 8  # table rows per source (worst first); every group is in ``figures``
NO_IDENTITY = "(no identity term)"


@dataclass(frozen=True)
class Case:
    group: str
    text: str
    toxic: bool


@dataclass(frozen=True)
class GroupFigures:
    source: str
    group: str
    benign: int
    fpr: float
    benign_toxicity: float
    aucs: SubgroupAuc | None


def template_cases(fast: bool) -> list[Case]:
    return [Case(c.group.name, c.text, c.abusive) for c in identity_cases(fast)]


def language_template_sources(fast: bool) -> list[tuple[str, list[Case]]]:
    """The templates in each language the multilingual model serves (issue 14), one source per language; none
    before its heads are trained (every such comment is then held for review by design: nothing to audit)."""
    if not head_trained():
        return []
    return [language_source(language, fast) for language in TEMPLATES]


def language_source(language: str, fast: bool) -> tuple[str, list[Case]]:
    """One language's identity templates, named as the audit names that source."""
    return f"identity templates · {language}", [Case(c.group.name, c.text, c.abusive)
                                                 for c in identity_cases_in(language, fast)]


def language_gate(language: str, scorer: PolicyScorer, fast: bool = False) -> Check:
    """The benign-FPR gate of one language's identity templates alone (``threadwise eval toxicity --language``)."""
    source, cases = language_source(language, fast)
    return worst_group_check(source, cases, figures_by_group(source, cases, scorer), scorer)


def worst_group_check(source: str, cases: Sequence[Case], groups: Sequence[GroupFigures],
                      scorer: PolicyScorer) -> Check:
    """The source's gate: its worst group's benign false-positive rate, with a flagged example."""
    worst = max(groups, key=lambda g: (g.fpr, g.benign_toxicity))
    return Check(f"benign FPR · {source} · worst group", worst.fpr, FPR_GATE, unit="%",
                 worst=f"{worst.group} ({round(worst.fpr * worst.benign)}/{worst.benign} flagged, "
                       f"e.g. {_flagged_example(cases, scorer, worst.group)!r})")


def hatecheck_cases(data: Path) -> list[Case]:
    rows = read_csv(data / "hatecheck_functional_tests" / "test_suite_cases.csv.gz")
    return [Case(r["target_ident"], r["test_case"].strip(), False) for r in rows
            if r["functionality"] in ("ident_neutral_nh", "ident_pos_nh")]


def toxigen_cases(data: Path) -> list[Case]:
    rows = read_csv(data / "toxigen_prompts_and_demonstrations" / "unique_prompt_sentences.csv.gz")
    # Only the evaluation half: the conduct model trains on the other (``toxigen_half``).
    return [Case(r["target_group"], r["text"].strip(), False) for r in rows
            if r["prompt_label"] == "neutral" and toxigen_half(r["text"]) == "eval"]


HOLISTIC_TEMPLATES = ("I'm {np}.", "I love being {np}.", "As {np}, I have an opinion about that.",
                      "I have a friend who is {np}.")


def _descriptors(tree: object) -> list[str]:
    """Leaf descriptors of HolisticBias's nested buckets, without those its authors mark dispreferred or
    polarizing (a slur used of oneself is not plainly harmless)."""
    if isinstance(tree, dict) and "descriptor" in tree:
        return [] if tree.get("preference") in ("dispreferred", "polarizing") else [str(tree["descriptor"])]
    if isinstance(tree, dict):
        return [d for value in tree.values() for d in _descriptors(value)]
    if isinstance(tree, list):
        return [d for value in tree for d in _descriptors(value)]
    return [str(tree)]


def holistic_cases(data: Path) -> list[Case]:
    """HolisticBias descriptors (v1.1, 13 axes) in four of its neutral templates, as "a/an <descriptor> person"."""
    path = data / "holistic_bias_descriptors" / "v1.1" / "descriptors.json"
    if not path.is_file():
        raise AuditDataMissing(f"the audit needs {path.name}, which is missing", source=str(path))
    cases = []
    for axis, tree in json.loads(path.read_text(encoding="utf-8")).items():
        for descriptor in dict.fromkeys(_descriptors(tree)):
            phrase = f"{'an' if descriptor[:1].lower() in 'aeiou' else 'a'} {descriptor} person"
            cases += [Case(f"{descriptor} ({axis})", t.format(np=phrase), False) for t in HOLISTIC_TEMPLATES]
    return cases


def crows_pairs(data: Path, scorer: PolicyScorer) -> list[dict[str, object]]:
    """CrowS-Pairs minimal pairs (only the group term differs): per bias type, the flag and toxicity gaps
    between the more and the less stereotyped sentence, and how many pairs the policy treats differently."""
    rows = list(read_csv(data / "crows_pairs_counterfactual" / "crows_pairs_anonymized.csv.gz"))
    more = scorer.score([r["sent_more"] for r in rows])
    less = scorer.score([r["sent_less"] for r in rows])
    out = []
    for bias in sorted({r["bias_type"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["bias_type"] == bias]
        out.append({"bias type": bias, "pairs": len(idx),
                    "flag more": sum(more[i].flagged for i in idx) / len(idx),
                    "flag less": sum(less[i].flagged for i in idx) / len(idx),
                    "Δ tox": sum(more[i].toxicity - less[i].toxicity for i in idx) / len(idx),
                    "pairs treated differently": sum(more[i].flagged != less[i].flagged for i in idx)})
    return out


def _term_finder(data: Path) -> Callable[[str], str | None]:
    words = (data / "jigsaw_identity_bias_templates" / "word_lists" / "adjectives_people.txt").read_text()
    terms = sorted({w.strip() for w in words.splitlines() if w.strip()}, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")\b", re.I)

    def find(text: str) -> str | None:
        match = pattern.search(text)
        return match.group().lower() if match else None

    return find


def madlibs_cases(data: Path) -> list[Case]:
    """A fixed sample per identity term of Jigsaw's templated sentences (the identity is the term they name)."""
    find = _term_finder(data)
    by_term: dict[tuple[str, bool], list[Case]] = {}
    for row in read_csv(data / "jigsaw_identity_bias_templates" / "en_sentence_templates.csv.gz"):
        term = find(row["phrase"])
        if term:
            toxic = row["toxicity"] == "toxic"
            by_term.setdefault((term, toxic), []).append(Case(term, row["phrase"], toxic))
    half = MADLIBS_PER_TERM // 2
    return [c for cases in by_term.values() for c in sorted(cases, key=lambda c: make_id(c.text))[:half]]


def wikipedia_cases(data: Path) -> list[Case]:
    """Jigsaw's Wikipedia talk test set (unfuzzed); ``group`` is the first identity term the comment names, or
    ``NO_IDENTITY``: those comments are the baseline a group's false-positive rate is read against."""
    find = _term_finder(data)
    rows = read_csv(data / "jigsaw_identity_bias_templates" / "toxicity_nonfuzzed_testset.csv.gz")
    return [Case(find(r["comment"]) or NO_IDENTITY, r["comment"], r["toxic"] == "True") for r in rows]


def figures_by_group(source: str, cases: Sequence[Case], scorer: PolicyScorer) -> list[GroupFigures]:
    verdicts = scorer.score([c.text for c in cases])
    out = []
    for group in sorted({c.group for c in cases if c.group}):
        member = [c.group == group for c in cases]
        benign = [v for c, v, m in zip(cases, verdicts, member, strict=True) if m and not c.toxic]
        aucs = None
        if any(c.toxic for c in cases):
            aucs = subgroup_aucs(group, member, [c.toxic for c in cases], [v.toxicity for v in verdicts])
        out.append(GroupFigures(source, group, len(benign), false_positive_rate([v.flagged for v in benign]),
                                sum(v.toxicity for v in benign) / len(benign) if benign else 0.0, aucs))
    return out


def run(scorer: PolicyScorer, data: Path, fast: bool = False) -> SuiteResult:
    sources: list[tuple[str, list[Case]]] = [("identity templates", template_cases(fast)),
                                             *language_template_sources(fast)]
    if not fast:
        sources += [("HateCheck identity cases", hatecheck_cases(data)),
                    ("ToxiGen neutral statements", toxigen_cases(data)),
                    ("Jigsaw bias madlibs", madlibs_cases(data)),
                    ("HolisticBias descriptors", holistic_cases(data))]
    checks, rows = [], []
    figures: dict[str, list[Any]] = {}
    for source, cases in sources:
        groups = figures_by_group(source, cases, scorer)
        checks.append(worst_group_check(source, cases, groups, scorer))
        ranked = sorted(groups, key=lambda g: (-g.fpr, -g.benign_toxicity))
        rows += [_row(g) for g in ranked[:SHOWN_PER_SOURCE]]
        figures[source] = [_row(g) for g in ranked]
    if not fast:
        wiki = [g for g in figures_by_group("Jigsaw Wikipedia test set", wikipedia_cases(data), scorer)
                if g.aucs and g.aucs.size >= MIN_MENTIONS]
        baseline = [g for g in wiki if g.group == NO_IDENTITY]
        named = sorted((g for g in wiki if g.group != NO_IDENTITY), key=lambda g: _lowest_auc(g.aucs))
        rows += [_row(g) for g in [*baseline, *named[:SHOWN_PER_SOURCE]]]
        figures["Jigsaw Wikipedia test set"] = [_row(g) for g in wiki]
        figures["CrowS-Pairs"] = crows_pairs(data, scorer)
    notes = (f"gate: benign false-positive rate ≤ {FPR_GATE * 100:.0f} % for every group; rows: worst groups first",
             "subgroup AUC / BPSN / BNSP (Borkan et al. 2019) use the overall toxicity score where labels exist")
    columns = ("source", "group", "benign n", "benign FPR", "benign tox", "subgroup AUC", "BPSN", "BNSP")
    tables = {k: [dict(zip(columns, r, strict=True)) if isinstance(r, tuple) else r for r in v]
              for k, v in figures.items()}
    return SuiteResult("identity", "Identity terms", tuple(checks), columns, tuple(rows), notes, tables)


def _row(g: GroupFigures) -> tuple[object, ...]:
    a = g.aucs
    return (g.source, g.group, g.benign, g.fpr, g.benign_toxicity, a and a.subgroup_auc, a and a.bpsn_auc,
            a and a.bnsp_auc)


def _lowest_auc(a: SubgroupAuc | None) -> float:
    values = [v for v in (a.subgroup_auc, a.bpsn_auc, a.bnsp_auc) if v is not None] if a else []
    return min(values, default=1.0)


def _flagged_example(cases: Sequence[Case], scorer: PolicyScorer, group: str) -> str:
    benign = [c.text for c in cases if c.group == group and not c.toxic]
    verdicts = scorer.score(benign)
    return max(verdicts, key=lambda v: (v.flagged, v.toxicity)).text if verdicts else ""
