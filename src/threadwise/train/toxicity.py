"""Train and evaluate the toxicity heads: overall score (``toxicity``), categories
(``toxicity_categories``) and spans (``toxicity_spans``, see ``toxicity_spans.py``).

Overall: a logistic regression over hashed char/word n-grams of the normalised text (every training
row) and one over the MiniLM embedding (a per-source quota of rows, since embedding is the slow part
on CPU), stacked by a third logistic regression fitted on 3-fold out-of-fold logits, which is also what
calibrates the final probability. Held-out: a seeded stratified 20 % of CAT-LARGE gc and gn.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from threadwise.analysers.heads import heads_dir, load_head, save_head
from threadwise.analysers.normalise import normalise
from threadwise.analysers.toxicity import CATEGORIES, TEXT_LIMIT, ToxicityAnalyser, category_features, doc_features
from threadwise.train import SEED, cached_embeddings
from threadwise.train import toxicity_data as td
from threadwise.train import toxicity_spans as ts
from threadwise.train.toxicity_card import write_card

TEXT_C = 2.0
EMB_C = 1.0


def _threads() -> None:
    import torch

    torch.set_num_threads(1)  # the machine is shared: training stays on one core


def _texts(examples: list[td.Example]) -> list[str]:
    return [normalise(e.text, TEXT_LIMIT).text for e in examples]


def _fit_text(x: Any, y: np.ndarray) -> LogisticRegression:
    return LogisticRegression(C=TEXT_C, solver="liblinear", max_iter=300, random_state=SEED).fit(x, y)


def _fit_emb(e: np.ndarray, y: np.ndarray) -> LogisticRegression:
    return LogisticRegression(C=EMB_C, max_iter=1000, random_state=SEED).fit(e, y)


def train_overall(data: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Fit the text and embedding models and the stacker; returns (arrays, meta) for the ``toxicity`` head."""
    train, _ = td.overall_training_set(data)
    y = np.array([e.label >= 0.5 for e in train], dtype=int)
    x = doc_features(_texts(train))
    mask = td.embedding_mask(train)
    emb = cached_embeddings("toxicity_train", [e.text[:2000] for e, m in zip(train, mask, strict=True) if m])
    rows = np.flatnonzero(mask)
    oof = np.zeros((len(rows), 2))
    for fit_idx, out_idx in StratifiedKFold(3, shuffle=True, random_state=SEED).split(rows, y[rows]):
        outside = np.ones(len(train), dtype=bool)
        outside[rows[out_idx]] = False  # the text model sees every row except this fold's embedded ones
        text_model = _fit_text(x[outside], y[outside])
        emb_model = _fit_emb(emb[fit_idx], y[rows[fit_idx]])
        oof[out_idx, 0] = text_model.decision_function(x[rows[out_idx]])
        oof[out_idx, 1] = emb_model.decision_function(emb[out_idx])
    stack = LogisticRegression(C=100.0).fit(oof, y[rows])
    text_only = LogisticRegression(C=100.0).fit(oof[:, :1], y[rows])
    stacked = stack.predict_proba(oof)[:, 1]
    threshold = _best_threshold(stacked, y[rows])
    text_model, emb_model = _fit_text(x, y), _fit_emb(emb, y[rows])
    arrays = {
        "text_coef": text_model.coef_[0].astype(np.float16),
        "text_intercept": text_model.intercept_.astype(np.float32),
        "emb_coef": emb_model.coef_[0].astype(np.float32),
        "emb_intercept": emb_model.intercept_.astype(np.float32),
        "stack": np.array([*stack.coef_[0], stack.intercept_[0]], dtype=np.float32),
        "stack_text_only": np.array([text_only.coef_[0][0], text_only.intercept_[0]], dtype=np.float32),
    }
    wiki = np.array([train[i].source.startswith("wiki_g") for i in rows])
    meta = {
        "threshold_hint": threshold, "span_gate": threshold, "train_rows": len(train), "embedded_rows": len(rows),
        "oof_auc": {"text": _auc(y[rows][wiki], oof[wiki, 0]), "embedding": _auc(y[rows][wiki], oof[wiki, 1]),
                    "stacked": _auc(y[rows][wiki], stacked[wiki])},
        "sources": {s: int(sum(e.source == s for e in train)) for s in sorted({e.source for e in train})},
    }  # fmt: skip
    return arrays, meta


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    return round(float(roc_auc_score(y, p)), 4)


def _best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The F1-best threshold on out-of-fold training predictions (never on a test split)."""
    grid = np.arange(0.2, 0.8, 0.05)
    scores = [f1_score(y, p >= t) for t in grid]
    return round(float(grid[int(np.argmax(scores))]), 2)


def category_training_set(data: Path) -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """Toxic comments with P(category | toxic) targets: civil (annotator shares) for the four span
    categories; severe from civil (identity attack or threat by a majority), Davidson (hate by a
    majority), OLID (offence at a group), SFU (level 3+), Fox (hateful). Returns civil + severe sets."""
    held = {t for split in ("trial", "test") for t, _ in td.tsd(data, split)}
    civil = [c for c in td.civil_comments(data) if c.text not in held and c.toxic >= 0.5]
    civil_y = np.array([[c.categories[k] for k in CATEGORIES[:4]] for c in civil])
    severe = [(c.text, float(max(c.categories["identity_attack"], c.categories["threat"]) >= 0.5)) for c in civil]
    others = td.fox(data) + td.olid(data) + td.sfu(data) + td.davidson(data, 25000)
    severe += [(e.text, float(e.severe or 0.0)) for e in others if e.label >= 0.5]
    return [c.text for c in civil], civil_y, [t for t, _ in severe], np.array([s for _, s in severe])


def _fit_soft(x: Any, share: np.ndarray) -> LogisticRegression:
    """Logistic regression on soft targets: each row twice, as 1 weighted by the share and as 0 by the rest."""
    import scipy.sparse as sp

    both = sp.vstack([x, x]).tocsr()
    target = np.r_[np.ones(len(share)), np.zeros(len(share))]
    weight = np.r_[share, 1.0 - share] + 1e-6
    return LogisticRegression(C=1.0, solver="liblinear", random_state=SEED).fit(both, target, sample_weight=weight)


def train_categories(data: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """P(category | toxic) for the four span categories and severe toxicity.

    A span category counts as present when any annotator used it: annotators default to "Insult", so the
    majority share of the other types is tiny even on plainly profane or threatening comments."""
    civil_texts, civil_y, severe_texts, severe_y = category_training_set(data)
    xc = category_features([normalise(t, TEXT_LIMIT).text for t in civil_texts])
    models = [_fit_soft(xc, (civil_y[:, k] > 0).astype(float)) for k in range(4)]
    train_idx, _ = _severe_split(len(severe_texts))
    xs = category_features([normalise(severe_texts[i], TEXT_LIMIT).text for i in train_idx])
    models.append(_fit_soft(xs, severe_y[train_idx]))
    arrays: dict[str, np.ndarray] = {
        "coef": np.stack([m.coef_[0] for m in models]).astype(np.float16),
        "intercept": np.array([m.intercept_[0] for m in models], dtype=np.float32),
    }
    meta: dict[str, Any] = {"labels": list(CATEGORIES), "civil_rows": len(civil_texts), "severe_rows": len(train_idx),
            "severe_positive_share": round(float(severe_y[train_idx].mean()), 4)}
    return arrays, meta


def _severe_split(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded 80/20 split of the severe set: the 20 % is held out for evaluation."""
    order = np.random.RandomState(SEED + 11).permutation(n)
    cut = int(n * 0.8)
    return np.sort(order[:cut]), np.sort(order[cut:])


def train(data: Path) -> dict:
    """Fit all three heads, write them with their model card; returns the held-out metrics."""
    _threads()
    arrays, meta = train_overall(data)
    save_head("toxicity", arrays, {**meta, "version": ToxicityAnalyser.version})
    arrays, meta = train_categories(data)
    save_head("toxicity_categories", arrays, {**meta, "version": ToxicityAnalyser.version})
    arrays, meta = ts.train_spans(data)
    save_head("toxicity_spans", arrays, {**meta, "version": ToxicityAnalyser.version})
    metrics = evaluate(data)
    write_card(heads_dir() / "toxicity" / "MODEL_CARD.md", metrics, load_head("toxicity")[1])
    return metrics


def evaluate(data: Path, fast: bool = False) -> dict:
    """Held-out metrics: wikipedia ROC-AUC (ours vs the ``api`` column on the same rows), OLID test AUC,
    category AUCs on the SemEval test comments, severe AUC on its held-out 20 %, span char-F1 on tsd_test.
    ``fast``: all wikipedia positives with 600 negatives, 300 span/category comments — under a minute."""
    _threads()
    analyser = ToxicityAnalyser().setup()
    _, wiki = td.wikipedia_split(data)
    if fast:
        wiki = _fast_subset(wiki)
    metrics: dict[str, Any] = {"fast": fast, **_wiki_metrics(data, analyser, wiki, fast)}
    if not fast:
        olid = td.olid(data, "test")
        scores = analyser.score([e.text for e in olid], _embed("toxicity_olid_test", [e.text for e in olid], fast))
        metrics["olid_test_auc"] = _auc(np.array([e.label for e in olid]), scores)
    metrics.update(_category_metrics(data, analyser, 300 if fast else None))
    _, span_meta = load_head("toxicity_spans")
    metrics.update(ts.evaluate_spans(data, analyser.spans_, span_meta, limit=300 if fast else None))
    return metrics


def _fast_subset(wiki: list[td.Example]) -> list[td.Example]:
    negatives = [e for e in wiki if e.label < 0.5]
    keep = set(np.random.RandomState(SEED + 12).choice(len(negatives), 600, replace=False).tolist())
    return [e for e in wiki if e.label >= 0.5] + [e for i, e in enumerate(negatives) if i in keep]


def _embed(name: str, texts: list[str], fast: bool) -> np.ndarray:
    if fast:  # CI has no cache: embed the small subset directly
        from threadwise.analysers.embed import shared_embedder

        return shared_embedder().encode(texts)
    return cached_embeddings(name, [t[:2000] for t in texts])


def _wiki_metrics(data: Path, analyser: ToxicityAnalyser, wiki: list[td.Example], fast: bool) -> dict[str, Any]:
    api = td.wikipedia_api(data)
    texts = [e.text for e in wiki]
    scores = analyser.score(texts, _embed("toxicity_wiki_test_fast" if fast else "toxicity_wiki_test", texts, fast))
    text_only = analyser.score(texts, None)
    out: dict[str, Any] = {}
    for part in ("gc", "gn"):
        rows = np.array([e.source == f"wiki_{part}" for e in wiki])
        y = np.array([e.label for e in wiki])[rows]
        out[f"wiki_{part}_auc"] = _auc(y, scores[rows])
        out[f"wiki_{part}_auc_text_only"] = _auc(y, text_only[rows])
        out[f"wiki_{part}_api_auc"] = _auc(y, np.array([api[f"{e.source}\x1f{e.text}"] for e in wiki])[rows])
        out[f"wiki_{part}_n"] = [int(rows.sum()), int(y.sum())]
    return out


def _category_metrics(data: Path, analyser: ToxicityAnalyser, limit: int | None) -> dict[str, Any]:
    """Category AUC on the SemEval test comments (majority of annotators gave the type) and severe AUC."""
    test_texts = {t for t, _ in td.tsd(data, "test")}
    civil = [c for c in td.civil_comments(data) if c.text in test_texts][:limit]
    x = category_features([normalise(c.text, TEXT_LIMIT).text for c in civil])
    head = analyser.categories_
    logits = np.asarray(x @ head["coef"].astype(np.float32).T) + head["intercept"]
    out: dict[str, Any] = {}
    for k, label in enumerate(CATEGORIES[:4]):
        y = np.array([c.categories[label] >= 0.5 for c in civil])
        out[f"category_{label}_auc"] = _auc(y, logits[:, k]) if 0 < y.sum() < len(y) else None
    _, _, severe_texts, severe_y = category_training_set(data)
    _, test_idx = _severe_split(len(severe_texts))
    test_idx = test_idx[:limit]
    xs = category_features([normalise(severe_texts[i], TEXT_LIMIT).text for i in test_idx])
    out["severe_given_toxic_auc"] = _auc(severe_y[test_idx], np.asarray(xs @ head["coef"][4].astype(np.float32)))
    return out


if __name__ == "__main__":  # pragma: no cover
    from threadwise.train import shared_data_dir

    print(json.dumps(train(shared_data_dir()), indent=2))
