"""Train and evaluate the persuasion analyser on the Propaganda Techniques Corpus (SemEval-2020 Task 11).

Splits (``persuasion_data.split_ptc``): of the 371 train articles 20 % are held out for test (by article, seed
``train.SEED``), 15 % of the rest are validation — the dev articles: decoding, span calibration, C, the
per-technique calibration and thresholds (``persuasion_calibration``); no model is fitted on them — the rest
train. The meme texts of SemEval-2021 Task 6 (training and dev files) add technique-classification examples only.

SI metric: the official SemEval-2020 SI scorer (``task-SI_scorer.py``, ``compute_score_pr``): gold spans of
an article are merged where they overlap, predicted spans likewise; then over all articles
P = Σ_s Σ_t |s∩t|/|s| / #predicted, R = Σ_t Σ_s |s∩t|/|t| / #gold, F1 their harmonic mean.
TC metric: micro-F1 over gold spans; a span carrying n gold techniques gets the model's top-n labels and
the matches are counted as a multiset (the official scorer aligns labels to maximise the match).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from threadwise.analysers import persuasion as P
from threadwise.analysers.heads import heads_dir, save_head
from threadwise.analysers.persuasion_rules import trim_span
from threadwise.train import SEED, cache_dir
from threadwise.train import persuasion_calibration as cal
from threadwise.train.persuasion_data import Doc, load_memes, split_ptc

CACHE_NAME = "persuasion_minilm"
FAST_ARTICLES = 12


def _keys(texts: list[str]) -> list[str]:
    return [hashlib.blake2b(t.encode("utf-8"), digest_size=12).hexdigest() for t in texts]


def embed_cached(texts: list[str]) -> np.ndarray:
    """MiniLM vectors of ``texts``, read from / added to ``persuasion_minilm-<runtime>.npy`` in the cache folder
    (one thread)."""
    import torch

    from threadwise.analysers.embed import shared_embedder

    torch.set_num_threads(1)  # the machine's cores are shared: one thread is also faster under contention
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    name = f"{CACHE_NAME}-{shared_embedder().runtime_name}"
    npy, index_file = cache / f"{name}.npy", cache / f"{name}.keys.json"
    known: list[str] = json.loads(index_file.read_text()) if index_file.is_file() else []
    vectors = np.load(npy) if npy.is_file() and known else np.zeros((0, 384), np.float32)
    where = {k: i for i, k in enumerate(known)}
    keys = _keys(texts)
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in where}.items())
    if missing:
        new = shared_embedder().encode([t for _, t in missing])
        vectors = np.vstack([vectors, new]).astype(np.float32)
        known += [k for k, _ in missing]
        where = {k: i for i, k in enumerate(known)}
        np.save(npy, vectors)
        index_file.write_text(json.dumps(known))
    if not texts:
        return np.zeros((0, 384), np.float32)
    return vectors[[where[k] for k in keys]]


# ---------------------------------------------------------------- span identification


def sentence_of(sentences: list[tuple[int, int]], start: int) -> int:
    """Index of the sentence holding ``start`` (else the nearest one before it)."""
    best = 0
    for i, (s, _) in enumerate(sentences):
        if s <= start:
            best = i
    return best


def _overlaps(a: tuple[int, int], spans: tuple[tuple[int, int], ...]) -> bool:
    return any(s < a[1] and a[0] < e for s, e in spans)


def doc_contexts(docs: list[Doc]) -> list[np.ndarray]:
    """Per doc, (n_sentences, 384): the cached MiniLM vector of each sentence's context chunk (one embed call)."""
    per_doc = [P.sentence_spans(d.text) for d in docs]
    chunks = [P.chunk_of(sents) for sents in per_doc]
    texts = [P.chunk_texts(d.text, sents, c) for d, sents, c in zip(docs, per_doc, chunks, strict=True)]
    vectors = embed_cached([t for ts in texts for t in ts])
    starts = np.cumsum([0] + [len(ts) for ts in texts])
    return [vectors[a:b][c] if c else np.zeros((0, 384), np.float32)
            for a, b, c in zip(starts[:-1], starts[1:], chunks, strict=True)]


def _sentence_data(docs: list[Doc]) -> tuple[Any, np.ndarray, np.ndarray, list[list[tuple[int, int]]]]:
    """Sentence design matrix, labels (holds propaganda), doc index per sentence, sentence spans per doc."""
    per_doc = [P.sentence_spans(d.text) for d in docs]
    texts = [d.text[s:e] for d, sents in zip(docs, per_doc, strict=True) for s, e in sents]
    y = np.array([_overlaps(se, d.propaganda) for d, sents in zip(docs, per_doc, strict=True) for se in sents])
    groups = np.array([i for i, sents in enumerate(per_doc) for _ in sents])
    return P.sentence_matrix(texts, np.concatenate(doc_contexts(docs))), y.astype(int), groups, per_doc


def _token_data(docs: list[Doc], per_doc: list[list[tuple[int, int]]], logits: np.ndarray) -> tuple[Any, np.ndarray]:
    mats: list[Any] = []
    ys: list[bool] = []
    k = 0
    for doc, sents in zip(docs, per_doc, strict=True):
        for s, e in sents:
            toks = P.token_spans(doc.text, s, e)[:400]
            if toks:
                mats.append(P.token_matrix(P.token_features(doc.text, toks), np.full(len(toks), logits[k])))
                ys.extend(_overlaps(t, doc.propaganda) for t in toks)
            k += 1
    return sparse.vstack(mats, format="csr"), np.array(ys, dtype=int)


def fit_span_stage(train: list[Doc]) -> dict[str, np.ndarray]:
    """Sentence LR (context embedding + hashed words), then the token LR on out-of-fold sentence logits."""
    vectors, y, groups, per_doc = _sentence_data(train)
    oof = np.zeros(len(y))
    for fit_idx, out_idx in GroupKFold(n_splits=5).split(vectors, y, groups):
        model = LogisticRegression(C=1.0, max_iter=2000).fit(vectors[fit_idx], y[fit_idx])
        oof[out_idx] = model.decision_function(vectors[out_idx])
    sent = LogisticRegression(C=1.0, max_iter=2000).fit(vectors, y)
    x, yt = _token_data(train, per_doc, oof)
    tok = LogisticRegression(C=0.3, solver="liblinear", max_iter=500, class_weight={0: 1.0, 1: 1.3}).fit(x, yt)
    return {"sent_w": sent.coef_[0], "sent_b": sent.intercept_, "tok_w": tok.coef_[0], "tok_b": tok.intercept_}


def si_scores(pred: dict[str, list[tuple[int, int]]], gold: dict[str, list[tuple[int, int]]]) -> dict[str, float]:
    """Official SemEval-2020 SI precision/recall/F1 (see the module docstring)."""
    from threadwise.train.persuasion_data import merge_spans

    prec = rec = 0.0
    n_pred = n_gold = 0
    for doc_id in gold:
        g, p = merge_spans(gold[doc_id]), merge_spans(pred.get(doc_id, []))
        n_pred, n_gold = n_pred + len(p), n_gold + len(g)
        for s in p:
            for t in g:
                inter = max(0, min(s[1], t[1]) - max(s[0], t[0]))
                prec += inter / (s[1] - s[0])
                rec += inter / (t[1] - t[0])
    p_, r_ = (prec / n_pred if n_pred else 0.0), (rec / n_gold if n_gold else 0.0)
    f1 = 2 * p_ * r_ / (p_ + r_) if p_ > 0 and r_ > 0 else 0.0
    return {"precision": p_, "recall": r_, "f1": f1}


def doc_token_probs(analyser: P.PersuasionAnalyser, doc: Doc,
                    contexts: np.ndarray) -> list[tuple[list[tuple[int, int]], np.ndarray]]:
    return analyser.span_probabilities(doc.text, P.sentence_spans(doc.text), contexts)


def decode_doc(rows: list[tuple[list[tuple[int, int]], np.ndarray]], threshold: float,
               gap: int, width: int) -> list[tuple[int, int, float]]:
    """Character spans with their mean token probability."""
    return [(toks[i][0], toks[j - 1][1], float(probs[i:j].mean()))
            for toks, probs in rows for i, j in P.decode_runs(probs, threshold, gap, width)]


def tune_decoding(analyser: P.PersuasionAnalyser, valid: list[Doc]) -> dict[str, Any]:
    """Threshold, gap and smoothing maximising SI F1 on validation; Platt calibration of span probability."""
    rows = {d.id: doc_token_probs(analyser, d, c) for d, c in zip(valid, doc_contexts(valid), strict=True)}
    gold = {d.id: list(d.propaganda) for d in valid}
    best = (-1.0, 0.5, 0, 1)
    for threshold in np.arange(0.05, 0.6, 0.025):
        for gap in (0, 1, 2, 3, 4, 6):
            for width in (1, 3, 5):
                pred = {k: [(s, e) for s, e, _ in decode_doc(r, float(threshold), gap, width)] for k, r in rows.items()}
                f1 = si_scores(pred, gold)["f1"]
                if f1 > best[0]:
                    best = (f1, round(float(threshold), 3), gap, width)
    xs, ys = [], []
    for d in valid:
        for s, e, p in decode_doc(rows[d.id], best[1], best[2], best[3]):
            inside = sum(max(0, min(e, b) - max(s, a)) for a, b in d.propaganda)
            xs.append(p)
            ys.append(int(inside >= 0.5 * (e - s)))
    platt = LogisticRegression(C=100.0).fit(np.array(xs)[:, None], ys)
    return {"valid_si_f1": best[0], "token_threshold": best[1], "gap": best[2], "width": best[3],
            "span_calibration": [float(platt.coef_[0, 0]), float(platt.intercept_[0])]}


# ---------------------------------------------------------------- technique classification


def tc_examples(docs: list[Doc]) -> tuple[Any, np.ndarray, list[tuple[str, int, int]]]:
    """TC design matrix over every gold technique instance of ``docs``, labels, and (doc id, start, end)."""
    mats, labels, where = [], [], []
    docs = [d for d in docs if d.techniques and P.sentence_spans(d.text)]
    for doc, contexts in zip(docs, doc_contexts(docs), strict=True):
        sents = P.sentence_spans(doc.text)
        spans = [(s, e) for _, s, e in doc.techniques]
        k = [sentence_of(sents, s) for s, _ in spans]
        mats.append(P.span_matrix([doc.text] * len(spans), spans, [sents[i] for i in k], contexts[k]))
        labels += [P.LABELS.index(lab) for lab, _, _ in doc.techniques]
        where += [(doc.id, s, e) for s, e in spans]
    return sparse.vstack(mats, format="csr"), np.array(labels), where


def tc_micro_f1(probs: np.ndarray, labels: np.ndarray, where: list[tuple[str, int, int]]) -> float:
    """Micro-F1 (= accuracy) with top-n labels for a span that carries n gold techniques."""
    groups: dict[tuple[str, int, int], list[int]] = {}
    for i, key in enumerate(where):
        groups.setdefault(key, []).append(i)
    hits = 0
    for rows in groups.values():
        predicted = list(np.argsort(-probs[rows[0]], kind="stable")[: len(rows)])
        for i in rows:
            if labels[i] in predicted:
                predicted.remove(labels[i])
                hits += 1
    return hits / max(1, len(labels))


def fit_tc(x: Any, y: np.ndarray, c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=3000).fit(x, y)


def cheap_tc_baseline(train: list[Doc], test: list[Doc]) -> float:
    """Hashed word/char n-grams of the span text alone, logistic regression."""
    def feats(docs: list[Doc]) -> tuple[Any, np.ndarray, list[tuple[str, int, int]]]:
        texts = [d.text[s:e] for d in docs for _, s, e in d.techniques]
        word = HashingVectorizer(n_features=2**15, ngram_range=(1, 2), alternate_sign=False)
        char = HashingVectorizer(n_features=2**15, analyzer="char_wb", ngram_range=(2, 4), alternate_sign=False)
        x = sparse.hstack([word.transform(texts), char.transform(texts)], format="csr")
        y = np.array([P.LABELS.index(lab) for d in docs for lab, _, _ in d.techniques])
        return x, y, [(d.id, s, e) for d in docs for _, s, e in d.techniques]
    xa, ya, _ = feats(train)
    xb, yb, wb = feats(test)
    return tc_micro_f1(fit_tc(xa, ya, 3.0).predict_proba(xb), yb, wb)


def tc_with_patterns(analyser: P.PersuasionAnalyser, docs: list[Doc], probs: np.ndarray,
                     where: list[tuple[str, int, int]]) -> np.ndarray:
    """TC probabilities after the pattern layer: a pattern hit inside a span raises its label to the pattern score."""
    texts = {d.id: d.text for d in docs}
    out = probs.copy()
    for i, (doc_id, s, e) in enumerate(where):
        span_text = texts[doc_id][s:e]
        for label, _, _, score, *_ in analyser.pattern_items(span_text, [(0, len(span_text))]):
            k = P.LABELS.index(label)
            out[i, k] = max(out[i, k], score + 1.0)  # a hit outranks the model's own guess on that span
    return out


# ---------------------------------------------------------------- the public entry points


def pattern_scores(docs: list[Doc]) -> tuple[list[float], list[tuple[int, int]]]:
    """Smoothed precision (hits+1)/(matches+2) of each pattern: a hit is right as a finding is (``cal.is_correct``)."""
    scores, counts = [], []
    for label, pattern in P.PATTERNS:
        matches = hits = 0
        for doc in docs:
            for m in P.compiled(pattern).finditer(doc.text):
                matches += 1
                hits += cal.is_correct(label, m.start(), m.end(), doc.techniques)
        scores.append(round((hits + 1) / (matches + 2), 4))
        counts.append((hits, matches))
    return scores, counts


def train(data: Path) -> dict[str, Any]:
    """Fit both stages with fixed seeds, calibrate per technique on the dev articles, write the head and its
    model card, return held-out metrics. The dev (validation) articles choose the decoding, C, the calibration
    and the thresholds; no model is fitted on them, so the dev precision the thresholds rest on is honest."""
    np.random.seed(SEED)
    split, memes = split_ptc(data), load_memes(data)
    analyser = P.PersuasionAnalyser()
    analyser.arrays_ = {k: np.asarray(v, np.float32) for k, v in fit_span_stage(split.train).items()}
    analyser.meta_ = tune_decoding(analyser, split.valid)
    xt, yt, _ = tc_examples(split.train + memes)
    xv, yv, wv = tc_examples(split.valid)
    fits = {c: fit_tc(xt, yt, c) for c in (1.0, 3.0)}
    valid_tc = {c: tc_micro_f1(m.predict_proba(xv), yv, wv) for c, m in fits.items()}
    best_c = max(valid_tc, key=lambda c: valid_tc[c])
    analyser.arrays_.update(tc_w=fits[best_c].coef_.astype(np.float32), tc_b=fits[best_c].intercept_.astype(np.float32))
    # float16 as shipped, so the calibration sees the scores the analyser will compute
    analyser.arrays_ = {k: v.astype(np.float16).astype(np.float32) for k, v in analyser.arrays_.items()}
    scores, counts = pattern_scores(split.train + split.valid + memes)
    analyser.meta_.update(pattern_scores=scores, target_precision=cal.TARGET_PRECISION)
    dev = cal.candidates(analyser, split.valid, doc_contexts(split.valid))  # raw scores: no calibration yet
    analyser.meta_["calibration"] = cal.fit_calibration(dev, split.valid)
    dev = [(i, lab, s, e, analyser.calibrated(lab, raw) if src == "model" else raw, src)
           for i, lab, s, e, raw, src in dev]
    thresholds, evidence = cal.choose_thresholds(dev, split.valid)
    meta = {**analyser.meta_, "version": P.PersuasionAnalyser.version, "labels": list(P.LABELS), "tc_c": best_c,
            "valid_tc_micro_f1": valid_tc, "pattern_counts": counts, "seed": SEED, "thresholds": thresholds,
            "dev_evidence": evidence, "split": {"train": len(split.train), "valid": len(split.valid),
                                                 "test": len(split.test)}}
    save_head(P.HEAD_NAME, {k: v.astype(np.float16) for k, v in analyser.arrays_.items()}, meta)
    metrics = evaluate(data)
    metrics["cheap_tc_baseline"] = cheap_tc_baseline(split.train + memes, split.test)
    _write_card(meta, metrics)
    return metrics


def evaluate(data: Path, fast: bool = False) -> dict[str, Any]:
    """Metrics on the held-out 20 % of PTC train articles (``fast``: every 6th of them, for CI)."""
    import torch

    torch.set_num_threads(1)
    analyser = P.PersuasionAnalyser().setup()
    test = split_ptc(data).test
    docs = test[::6] if fast else test
    x, y, where = tc_examples(docs)
    a = analyser.arrays_ or {}
    probs = P._softmax(np.asarray(x @ a["tc_w"].T) + a["tc_b"])
    gold = {d.id: list(d.propaganda) for d in docs}
    threshold, gap, width = (float(analyser.meta_[k]) for k in ("token_threshold", "gap", "width"))
    model, trimmed, with_patterns, sentence_base, all_sentences = {}, {}, {}, {}, {}
    all_contexts = doc_contexts(docs)
    for d, contexts in zip(docs, all_contexts, strict=True):
        rows = doc_token_probs(analyser, d, contexts)
        model[d.id] = [(s, e) for s, e, _ in decode_doc(rows, threshold, int(gap), int(width))]
        trimmed[d.id] = [span for s, e in model[d.id] if (span := trim_span(d.text, s, e))]
        sents = P.sentence_spans(d.text)
        with_patterns[d.id] = model[d.id] + [(s, e) for _, s, e, *_ in analyser.pattern_items(d.text, sents)]
        logits = analyser.sentence_logits([d.text[s:e] for s, e in sents], contexts)
        sentence_base[d.id] = [se for se, z in zip(sents, logits, strict=True) if z > 0]
        all_sentences[d.id] = sents
    majority = P.LABELS.index("loaded_language")
    si = si_scores(model, gold)
    shown = cal.shown_precision(analyser, docs, all_contexts)
    si_shown = si_scores(shown.pop("spans"), gold)
    metrics: dict[str, Any] = {
        "split": f"PTC train articles, 20 % held out by article (seed {SEED})" + (", fast subset" if fast else ""),
        "n_articles": len(docs), "n_technique_spans": len(y),
        "tc_micro_f1": tc_micro_f1(probs, y, where),
        "tc_micro_f1_with_patterns": tc_micro_f1(tc_with_patterns(analyser, docs, probs, where), y, where),
        "tc_majority_baseline": float(np.mean(y == majority)),
        "si_f1": si["f1"], "si_precision": si["precision"], "si_recall": si["recall"],
        "si_f1_with_patterns": si_scores(with_patterns, gold)["f1"],
        "si_sentence_classifier_baseline": si_scores(sentence_base, gold)["f1"],
        "si_all_sentences_baseline": si_scores(all_sentences, gold)["f1"],
        "si_f1_trimmed_spans": si_scores(trimmed, gold)["f1"],
        "si_f1_shown_findings": si_shown["f1"], "si_precision_shown_findings": si_shown["precision"],
        "si_recall_shown_findings": si_shown["recall"],
        "shown_precision": shown["overall"]["precision"],
        "shown_precision_strict": shown["overall"]["precision_strict"],
        "shown_findings": shown["overall"]["shown"],
    }
    thresholds = analyser.meta_.get("thresholds", {})
    for label, row in shown["per_technique"].items():
        metrics[f"shown {label}"] = (f"threshold {thresholds.get(label)}; {row['shown']} shown, precision "
                                     f"{row['precision']} (strict {row['precision_strict']})")
    metrics["goals"] = goals(metrics)
    return metrics


def goals(m: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 10's PTC row; the anchors are official-test figures, ours are on held-out train articles."""
    def row(measure: str, ours: float | None, goal: float, anchor: str) -> dict[str, Any]:
        return {"measure": measure, "ours": None if ours is None else round(ours, 3), "goal": f"≥ {goal}",
                "anchor": anchor, "met": None if ours is None else ours >= goal}
    return [
        row("PTC SI char-F1 (tagger spans)", m["si_f1"], 0.45, "0.516 (official test; other split)"),
        row("PTC TC micro-F1 (gold spans)", m["tc_micro_f1"], 0.70, "0.621 (official test; other split)"),
        row("precision of shown findings, all techniques", m["shown_precision"], 0.6, "—"),
    ]


def _write_card(meta: dict[str, Any], metrics: dict[str, Any]) -> None:
    rows = "\n".join(f"| {k} | {v:.4f} |" for k, v in metrics.items() if isinstance(v, float))
    shown = "\n".join(f"| {k.removeprefix('shown ')} | {v} |" for k, v in metrics.items() if k.startswith("shown "))
    dev = "\n".join(f"| {lab} | {meta['thresholds'][lab]} | {ev['candidates']} | {ev['shown']} | {ev['precision']} |"
                    for lab, ev in meta["dev_evidence"].items())
    hidden = ", ".join(lab for lab, t in meta["thresholds"].items() if t is None) or "none"
    patterns = "\n".join(f"| {lab} | `{pat[:60]}` | {s} | {c[0]}/{c[1]} |" for (lab, pat), s, c in
                         zip(P.PATTERNS, meta["pattern_scores"], meta["pattern_counts"], strict=True))
    text = CARD.format(version=meta["version"], seed=SEED, split=meta["split"], rows=rows, patterns=patterns,
                       threshold=meta["token_threshold"], gap=meta["gap"], width=meta["width"], c=meta["tc_c"],
                       chunk=P.CHUNK_CHARS, dev=dev, shown=shown, hidden=hidden, target=cal.TARGET_PRECISION,
                       min_shown=cal.MIN_SHOWN, n=metrics["n_articles"], spans=metrics["n_technique_spans"],
                       held_out=metrics["shown_precision"] or 0.0, n_shown=metrics["shown_findings"],
                       verdict="meeting" if (metrics["shown_precision"] or 0) >= cal.TARGET_PRECISION else "short of")
    (heads_dir() / P.HEAD_NAME / "MODEL_CARD.md").write_text(text, encoding="utf-8")


CARD = """# persuasion head {version}

Propaganda techniques (the 14 of SemEval-2020 Task 11) with evidence spans. Two stages:
span identification (sentence LR over the MiniLM embedding of the sentence's context chunk — consecutive
sentences spanning ≤ {chunk} characters, so a comment is one chunk and its pipeline embedding is reused — and
hashed word 1-2-grams of the sentence → per-token LR over hashed features of the token and its ±3 window +
the sentence logit; runs of the {width}-token moving mean above threshold {threshold}, gaps ≤ {gap} tokens
bridged) and technique classification (multinomial LR, C={c}, over the context-chunk embedding, hashed
word/char n-grams of the span, hashed ±3 context words and shape/repetition features). Sentence and span
also get a lexical vector (mean of MiniLM's input word-piece embeddings). No encoder pass
per sentence or span: the analyser embeds nothing for a comment of ≤ {chunk} characters. Weights stored as
float16.

## What is shown, and how sure it is
Raw score = Platt-calibrated p(span) × p(technique | span). Spans are trimmed to their first and last content
word (a span of function words only, such as "by" or "the", is dropped), and a sentence that names a technique in
order to reject it ("Comparing him to Hitler is absurd", "Stop with the Nazi analogies", "That's a strawman")
gives no finding (`analysers/persuasion_rules.py`). The shown score is p(finding is right): a logistic map of
logit(raw) with one slope and an intercept per technique, fitted on the dev articles, where a finding is right
when a gold span of its technique overlaps it by ≥ half of the shorter span. Each technique's threshold is the
lowest score at which the dev findings at or above it have a Wilson lower bound (z = 1) on precision ≥ {target},
with ≥ {min_shown} findings; a finding also says `certainty` in words (≥ 0.8 very likely, ≥ 0.6 likely, else
possible). **Techniques the model never shows** (no threshold reaches the target on dev): {hidden}; a pattern
hit is shown when its pattern's score is ≥ {target} (the name-calling nouns, below). **Held out:** the shown
findings' precision on the test articles is {held_out:.3f} over {n_shown} findings, {verdict} the {target} target
(docs/EVAL.md, "Persuasion (issue 10)"): the dev articles hold few findings above any threshold (table below).
`PersuasionAnalyser(calibrated_only=False)` shows every candidate (for evaluation).

| technique | threshold | dev candidates | dev shown | dev precision |
|---|---|---|---|---|
{dev}

## Training data and licences
- Propaganda Techniques Corpus v2 (SemEval-2020 Task 11; Da San Martino et al. 2019/2020), train articles
  only — no licence stated, distributed for research use (treat as research-only). Dev/test gold is not
  public, so the 371 train articles are split by article with seed {seed}: {split}
  (train / dev for decoding threshold, span calibration, C, per-technique calibration and thresholds — no
  model is fitted on the dev articles / held-out test).
- SemEval-2021 Task 6 meme texts (subtask 2, training and dev files; the official test file is
  evaluation-only and not read; "free for general research use"), labels mapped onto the 14 (Straw Man, Red
  Herring, Whataboutism → whataboutism_straw_man_red_herring; Bandwagon, Reductio ad hitlerum →
  bandwagon_reductio_ad_hitlerum; Smears, Glittering generalities, Obfuscation dropped). Technique
  classification only.

## Metrics (held-out test articles: {n} articles, {spans} gold technique spans)
TC = micro-F1 classifying gold spans; SI = char-overlap F1 as the official SI scorer computes it (on the
tagger's spans before calibration, unless the name says "shown").

| metric | value |
|---|---|
{rows}

Published best on the official test set (not comparable: other split): TC 0.621 micro-F1, SI 0.516 F1.

### Findings shown on the held-out articles, per technique
Precision as defined above; strict: ≥ half of the finding's characters inside gold spans of its technique.

| technique | shown |
|---|---|
{shown}

## Pattern layer (comment idioms)
Score = smoothed precision (hits+1)/(matches+2) of the pattern on the training text (PTC train+dev articles and
memes), a hit being right as a finding is; a pattern is shown only when its score ≥ {target}.

| label | pattern | score | hits/matches |
|---|---|---|---|
{patterns}

## Known failure modes
- Trained on news articles and meme captions, not reader comments: sarcasm, quoting an opponent, and
  forum idioms are out of domain; recall on comments is lower than on news, and the thresholds were
  chosen on news articles.
- The meta-mention rule works per sentence: a rejection and a real use in one sentence ("I won't call him a
  hero, he is a thug") drops the real use too; a rejection without a cue word is not caught.
- Rare techniques have few dev findings, so their thresholds rest on little evidence or they are not shown.
- Span boundaries are token runs inside one sentence: spans crossing sentences are cut, and long
  spans (appeal to fear, causal oversimplification) are often found only in part.
- Repetition depends on the surrounding document; a single comment gives little evidence of it.
- English only; other scripts give few or no findings. Texts beyond 5,000 characters are not read.
"""
