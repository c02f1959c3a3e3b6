"""Every figure of the conduct issue, each beside its published anchor (``threadwise eval toxicity``).

HateCheck is scored through the shipped path: the default policy over the real pipeline (``audit.scoring``),
flagged = review or reject. Perspective's and BERT-on-Davidson's answers on the same 3,728 cases are the
authors' stored predictions (``anchors/``), scored by the same code. ``fast`` is the CI subset.
"""

from __future__ import annotations

import csv
import gzip
import io
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from threadwise.analysers.conduct import padded
from threadwise.analysers.toxicity import CATEGORIES, ToxicityAnalyser
from threadwise.train import toxicity_data as td

ANCHORS = Path(__file__).with_name("anchors")


def evaluate(data: Path, fast: bool = False) -> dict[str, Any]:
    analyser = ToxicityAnalyser().setup()
    metrics: dict[str, Any] = {"fast": fast, "model_version": analyser.meta_["version"]}
    metrics.update(hatecheck(data, fast))
    metrics.update(wikipedia(data, analyser, fast))
    metrics.update(spans(data, analyser, 300 if fast else None))
    metrics.update(categories(data, analyser, 300 if fast else None))
    if not fast:
        metrics.update(identity(data))
        metrics.update(throughput(analyser))
    metrics["goals"] = goals(metrics)
    return metrics


# --- HateCheck ------------------------------------------------------------------------------------------


def hatecheck_cases(data: Path) -> list[dict[str, str]]:
    raw = gzip.decompress((data / "hatecheck_functional_tests" / "test_suite_cases.csv.gz").read_bytes())
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))


def published_predictions() -> dict[str, dict[str, bool]]:
    """Per case id, whether Perspective / BERT-on-Davidson called it hateful (Röttger et al.'s stored answers)."""
    raw = gzip.decompress((ANCHORS / "hatecheck_published_predictions.csv.gz").read_bytes()).decode("utf-8")
    out: dict[str, dict[str, bool]] = {}
    for r in csv.DictReader(io.StringIO(raw)):
        out[r["case_id"]] = {system: r[system] == "hateful" for system in ("perspective", "bert_davidson")}
    return out


def hatecheck(data: Path, fast: bool = False) -> dict[str, Any]:
    from threadwise.audit.scoring import PolicyScorer

    cases = hatecheck_cases(data)
    if fast:
        cases = cases[::4]
    scorer = PolicyScorer()
    verdicts = scorer.score([c["test_case"].strip() for c in cases])
    ours = {c["case_id"]: (v.flagged, v.rejected) for c, v in zip(cases, verdicts, strict=True)}
    published = published_predictions()
    out: dict[str, Any] = {"hatecheck_n": len(cases)}
    systems = {"ours": {k: f for k, (f, _) in ours.items()},
               "perspective": {k: published[k]["perspective"] for k in ours},
               "bert_davidson": {k: published[k]["bert_davidson"] for k in ours}}
    for system, flagged in systems.items():
        out.update({f"hatecheck_{key}_{system}": value for key, value in _hatecheck_figures(cases, flagged).items()})
    threats = [c["case_id"] for c in cases if c["functionality"] == "threat_dir_h"]
    out["hatecheck_threat_dir_rejected_ours"] = _share(ours[k][1] for k in threats)
    return out


def _hatecheck_figures(cases: list[dict[str, str]], flagged: dict[str, bool]) -> dict[str, Any]:
    right = {c["case_id"]: flagged[c["case_id"]] == (c["label_gold"] == "hateful") for c in cases}
    by_function: dict[str, list[bool]] = defaultdict(list)
    by_group: dict[str, list[bool]] = defaultdict(list)
    for c in cases:
        by_function[c["functionality"]].append(right[c["case_id"]])
        if c["label_gold"] == "hateful" and c["target_ident"]:
            by_group[c["target_ident"]].append(flagged[c["case_id"]])
    hateful = [right[c["case_id"]] for c in cases if c["label_gold"] == "hateful"]
    benign = [right[c["case_id"]] for c in cases if c["label_gold"] != "hateful"]
    functions = {f: round(float(np.mean(v)), 4) for f, v in sorted(by_function.items())}
    groups = {g: round(float(np.mean(v)), 4) for g, v in sorted(by_group.items())}
    return {"accuracy": _share(right.values()), "hateful": _share(hateful), "non_hateful": _share(benign),
            "by_functionality": functions, "worst_functionality": min(functions.items(), key=lambda kv: kv[1]),
            "hateful_recall_by_group": groups, "worst_group": min(groups.items(), key=lambda kv: kv[1]),
            "threat_dir_held": functions.get("threat_dir_h")}


def _share(values: Any) -> float:
    values = list(values)
    return round(float(np.mean(values)), 4) if values else float("nan")


# --- Wikipedia talk, toxic spans, categories ------------------------------------------------------------


def wikipedia(data: Path, analyser: ToxicityAnalyser, fast: bool) -> dict[str, Any]:
    _, wiki = td.wikipedia_split(data)
    if fast:
        wiki = td.wikipedia_fast_subset(wiki)
    api = td.wikipedia_api(data)
    scores = analyser.score([e.text for e in wiki])
    out: dict[str, Any] = {}
    for part in ("gc", "gn"):
        rows = np.array([e.source == f"wiki_{part}" for e in wiki])
        y = np.array([e.label for e in wiki])[rows]
        out[f"wiki_{part}_auc"] = _auc(y, scores[rows])
        out[f"wiki_{part}_api_auc"] = _auc(y, np.array([api[f"{e.source}\x1f{e.text}"] for e in wiki])[rows])
        out[f"wiki_{part}_n"] = [int(rows.sum()), int(y.sum())]
    return out


def _auc(y: Any, p: Any) -> float:
    return round(float(roc_auc_score(y, p)), 4)


def spans(data: Path, analyser: ToxicityAnalyser, limit: int | None) -> dict[str, Any]:
    """SemEval-2021 Task 5 official test: mean per-comment character F1 of the toxicity finding's spans."""
    from threadwise.analysers.base import CommentContext
    from threadwise.model import Comment
    from threadwise.train.toxicity import char_f1

    test = td.tsd(data, "test")[:limit]
    comments = [Comment(id=f"t{i}", thread_id="tsd", text=t, position=i) for i, (t, _) in enumerate(test)]
    found: dict[str, set[int]] = defaultdict(set)
    for item in analyser.analyse([CommentContext(c) for c in comments]):
        if item.label == "toxicity":
            found[item.comment_id] |= {i for s in item.spans for i in range(s.start, s.end)}
    f1 = [char_f1(found[c.id], gold) for c, (_, gold) in zip(comments, test, strict=True)]
    empty = [char_f1(set(), gold) for _, gold in test]
    return {"tsd_test_char_f1": _share(f1), "tsd_test_empty_prediction_f1": _share(empty), "tsd_test_n": len(test)}


def categories(data: Path, analyser: ToxicityAnalyser, limit: int | None) -> dict[str, Any]:
    """Category ROC-AUC on the SemEval test comments (a majority of annotators gave the type)."""
    test_texts = {t for t, _ in td.tsd(data, "test")}
    civil = [c for c in td.civil_comments(data) if c.text in test_texts][:limit]
    scores = analyser.category_scores([c.text for c in civil])
    out: dict[str, Any] = {}
    for label in CATEGORIES[:4]:
        y = np.array([c.categories[label] >= 0.5 for c in civil])
        out[f"category_{label}_auc"] = _auc(y, [s[label] for s in scores]) if 0 < y.sum() < len(y) else None
    return out


# --- identity audit, speed ------------------------------------------------------------------------------


def identity(data: Path) -> dict[str, Any]:
    """Benign FPR per group on the audit's templates and Jigsaw's madlibs, apart for augmented groups."""
    from threadwise.audit import identity as audit
    from threadwise.audit.scoring import PolicyScorer
    from threadwise.train.conduct_rows import AUGMENTED_GROUPS

    augmented = {t.lower() for pair in AUGMENTED_GROUPS for t in pair} | {"woman", "man", "men", "women"}
    scorer = PolicyScorer()
    out: dict[str, Any] = {}
    for key, cases in (("templates", audit.template_cases(False)), ("madlibs", audit.madlibs_cases(data))):
        figures = audit.figures_by_group(key, cases, scorer)
        for name, keep in (("augmented", True), ("not_augmented", False)):
            chosen = [g for g in figures if (g.group.lower() in augmented) == keep]
            if chosen:
                worst = max(chosen, key=lambda g: (g.fpr, g.benign_toxicity))
                out[f"identity_{key}_{name}_worst_fpr"] = [worst.group, round(worst.fpr, 4), len(chosen)]
    return out


class BareEncoder:
    """The packaged MiniLM as a dynamically quantised int8 graph, fed word-pieces as ``ConductModel`` feeds its
    own: the reference for what one encoder pass costs on this machine at the time of measuring."""

    def __init__(self) -> None:
        from tokenizers import Tokenizer

        from threadwise.analysers.embed import Embedder, int8_graph_path
        from threadwise.analysers.heads import heads_dir, onnx_session

        Embedder(runtime="onnx").setup()  # exports and quantises the graph once per machine, as the embedder serves it
        self.session = onnx_session(int8_graph_path(), threads=2)
        self.tokenizer = Tokenizer.from_file(str(heads_dir() / "conduct" / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(256)

    def read(self, texts: list[str]) -> None:
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), 8):
            self.session.run(None, padded([encodings[i] for i in order[start:start + 8]]))


def news_comments(n: int) -> list[str]:
    """Civil Comments of 60-100 words (the benchmarks' corpus)."""
    from threadwise.train import shared_data_dir

    return [c.text for c in td.civil_comments(shared_data_dir()) if 60 <= len(c.text.split()) <= 100][:n]


def throughput(analyser: ToxicityAnalyser, n: int = 256, requests: int = 200) -> dict[str, Any]:
    """Comments/s of the conduct model beside the bare int8 encoder (alternating, same run), and the latency
    of pre-moderating one comment at a time (toxicity + quotes + the default policy)."""
    import statistics

    from threadwise.analysers.base import CommentContext
    from threadwise.analysers.conduct import ConductModel
    from threadwise.model import Comment
    from threadwise.pipeline import Pipeline
    from threadwise.policy import load_policy, suggest

    texts = news_comments(n + requests)
    batch, singles = texts[:n], texts[n:]
    model = ConductModel().setup()
    bare = BareEncoder()
    bare.read(batch[:16])
    model.read(batch[:16])
    ours, reference = [], []
    for _ in range(3):
        reference.append(_rate(bare.read, batch))
        ours.append(_rate(model.read, batch))
    policy, pipeline, latencies = load_policy(), Pipeline.from_names(["toxicity", "quotes"]), []
    for i, text in enumerate(singles):
        comment = Comment(id=f"p{i}", thread_id="eval", text=text, position=i)
        start = time.perf_counter()
        suggest(policy, comment, pipeline.run([CommentContext(comment)]).findings)
        latencies.append((time.perf_counter() - start) * 1000)
    return {"throughput_comments_per_s": round(statistics.median(ours), 1),
            "bare_int8_encoder_comments_per_s": round(statistics.median(reference), 1),
            "premoderation_p50_ms": round(statistics.median(latencies), 1),
            "premoderation_p95_ms": round(statistics.quantiles(latencies, n=20)[18], 1)}


def _rate(read: Any, texts: list[str]) -> float:
    start = time.perf_counter()
    read(texts)
    return len(texts) / (time.perf_counter() - start)


def goals(m: dict[str, Any]) -> list[dict[str, Any]]:
    """The conduct issue's table: measure, ours, goal, anchor (published, on the same cases), met."""
    def row(measure: str, ours: Any, goal: str, anchor: str, met: bool | None) -> dict[str, Any]:
        return {"measure": measure, "ours": ours, "goal": goal, "anchor": anchor, "met": met}

    worst_f, worst_g = m["hatecheck_worst_functionality_ours"], m["hatecheck_worst_group_ours"]
    p_groups = m["hatecheck_hateful_recall_by_group_perspective"].values()
    rows = [
        row("HateCheck flag accuracy (default policy; flagged = review or reject)", m["hatecheck_accuracy_ours"],
            "≥ 0.85", f"Perspective {m['hatecheck_accuracy_perspective']}, BERT-Davidson "
            f"{m['hatecheck_accuracy_bert_davidson']}", m["hatecheck_accuracy_ours"] >= 0.85),
        row("HateCheck non-hateful accuracy", m["hatecheck_non_hateful_ours"], "≥ 0.70",
            f"Perspective {m['hatecheck_non_hateful_perspective']}", m["hatecheck_non_hateful_ours"] >= 0.70),
        row("HateCheck worst functionality", f"{worst_f[0]} {worst_f[1]}", "≥ 0.60",
            "Perspective {} {}".format(*m["hatecheck_worst_functionality_perspective"]), worst_f[1] >= 0.60),
        row("HateCheck threat_dir_h held / rejected",
            f"{m['hatecheck_threat_dir_held_ours']} / {m['hatecheck_threat_dir_rejected_ours']}", "≥ 0.95 / ≥ 0.80",
            f"Perspective {m['hatecheck_threat_dir_held_perspective']} held",
            m["hatecheck_threat_dir_held_ours"] >= 0.95 and m["hatecheck_threat_dir_rejected_ours"] >= 0.80),
        row("HateCheck hateful recall, worst target group", f"{worst_g[0]} {worst_g[1]}", "≥ 0.85",
            f"Perspective {min(p_groups)}–{max(p_groups)}", worst_g[1] >= 0.85),
        row("wikipedia_talk gc / gn ROC-AUC (20 % held out)", f"{m['wiki_gc_auc']} / {m['wiki_gn_auc']}",
            "≥ 0.90 / ≥ 0.987", f"api column {m['wiki_gc_api_auc']} / {m['wiki_gn_api_auc']}",
            m["wiki_gc_auc"] >= 0.90 and m["wiki_gn_auc"] >= 0.987),
        row("toxic spans, SemEval-2021 T5 test, char-F1", m["tsd_test_char_f1"], "≥ 0.71", "best 0.708",
            m["tsd_test_char_f1"] >= 0.71),
    ]
    for key, name in (("templates", "identity templates"), ("madlibs", "Jigsaw madlibs")):
        for part in ("augmented", "not_augmented"):
            value = m.get(f"identity_{key}_{part}_worst_fpr")
            if value:
                rows.append(row(f"{name}, benign FPR, worst group ({part.replace('_', ' ')} terms)",
                                f"{value[0]} {value[1]:.1%}", "≤ 5 %", "—", value[1] <= 0.05))
    if "throughput_comments_per_s" in m:
        rows += [
            row("conduct model throughput (int8, ~80-word comments, 2 cores)", m["throughput_comments_per_s"],
                "≥ 150 /s", f"bare int8 MiniLM in the same run {m['bare_int8_encoder_comments_per_s']} /s",
                m["throughput_comments_per_s"] >= 150),
            row("pre-moderation one at a time, p95 (toxicity + quotes + policy)", f"{m['premoderation_p95_ms']} ms",
                "≤ 25 ms", "Coral waits 800 ms", m["premoderation_p95_ms"] <= 25),
        ]
    return rows
