"""MODEL_CARD.md for the toxicity heads, written by ``threadwise.train.toxicity.train``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from threadwise.analysers.toxicity import ToxicityAnalyser

_TEMPLATE = """# Toxicity heads (`toxicity`, `toxicity_categories`, `toxicity_spans`) — version {version}

Written by `threadwise.train.toxicity.train` (seed `threadwise.train.SEED`). Reproduce:
`.venv/bin/python -c "from threadwise.train import toxicity, shared_data_dir as d; print(toxicity.train(d()))"`.

## What it does
* **toxicity** (always emitted for non-empty text with ≥50 % Latin letters): stacked logistic regressions over
  (a) hashed char 2–5-grams + word 1–2-grams (2^17 + 2^17) of the evasion-normalised text and (b) the MiniLM
  embedding; the stacker is fitted on 3-fold out-of-fold logits, which calibrates the score. Without an
  embedding a text-only stacker is used. `threshold_hint` = {threshold} (F1-best on out-of-fold training rows).
* **insult, identity_attack, profanity, threat, severe_toxicity** (emitted when score ≥ 0.2): P(toxic) ×
  P(category | toxic); the conditional heads are logistic regressions over hashed word 1–2-grams (2^16). For the
  four span categories "present" means at least one civil-comments annotator marked a span of that type.
* **spans**: per-token logistic regression (word, affixes, char 3-grams, ±2 window, capitals, evasion flag) with
  threshold {span_threshold}, fallback {fallback} (a toxic comment with no word over the threshold still points at
  its top word), run gap {gap}; tuned on `tsd_trial`. Each run is typed by a multinomial logistic regression
  (insult / identity_attack / profanity / threat / other). Spans are attached only when toxicity ≥ `span_gate`.
* **language_unsupported**: text whose letters are under 50 % Latin (no model score is given).

## Training data (read in place from `shared/data`, never copied)
| set | use | license |
|---|---|---|
| wikipedia_talk_toxicity_with_parent_context (CAT-LARGE gc/gn 80 %, CAT-SMALL) | overall | Apache-2.0 (text CC BY-SA) |
| toxic_spans_civil_comments (SemEval train, full annotations; not trial/test) | overall (6k), categories, spans | CC0 |
| fox_news_comments_hate | overall, severe | MIT |
| olid_offenseval2019 (train, 5k for overall) | overall, severe (offence at a group) | not stated (research) |
| sfu_constructiveness_toxicity_corpus (level ≥2 toxic, ≥3 severe) | overall, severe | CC BY-NC-SA 4.0 |
| davidson_hate_offensive_tweets (4k for overall) | overall, severe (hate majority) | MIT |
| jigsaw_detox_sentences_skoltech (6k, silver labels) | overall | not stated |
| paradetox_toxic_neutral_pairs (3k pairs + 2k cannot-rewrite) | overall (counterfactual pairs) | CC0 1.0 |

Training rows per source: {sources}. The SFU set is non-commercial (CC BY-NC-SA): a commercial deployment should
retrain without it.

## Held-out metrics
{metrics_table}

Baselines on the same rows: Perspective-like `api` column (above); cheap baseline reported by the project (0.82
wikipedia gc AUC, 0.637 span F1); published best span F1 0.708 (SemEval-2021 Task 5); trivial span baseline (predict
no span) is `tsd_test_empty_prediction_f1`. Categories: AUC on the 2,000 SemEval test comments against "at least
half of the annotators used this span type" (conditional heads, i.e. among comments pre-selected as likely toxic).

## Known failure modes
* Lexical: identity terms and swear words raise the score even in counter-speech, quotes or reclaimed use; implicit
  hate with no marked words scores low. Wikipedia labels with parent context are partly about the thread, which a
  comment-only model cannot see.
* Trained on English; other languages get `language_unsupported` or an unreliable score; tweets (OLID, Davidson)
  carry dialect bias (Davidson et al. 2019): African-American English is over-flagged.
* Normalisation maps leet inside words (`b4` → `ba`) and joins three or more spaced single letters; rare false joins.
* Only the first 5,000 characters are read; spans are found there only.
* Evidence for an identity attack often lands on the group word itself ("Muslims"), as in the SemEval gold, rather
  than on the dehumanising word; threats without violent verbs ("I know where you live") get little span evidence.
* Category scores are P(toxic) × P(category | toxic): a threat the overall model scores at 0.5 reports at most 0.5.
* Severe toxicity is a proxy built from hate / threat / identity-attack labels of several sets, not a native label.
"""


def _table(metrics: dict[str, Any]) -> str:
    rows = ["| metric | value |", "|---|---|"]
    rows += [f"| {k} | {v} |" for k, v in sorted(metrics.items())]
    return "\n".join(rows)


def write_card(path: Path, metrics: dict[str, Any], meta: dict[str, Any]) -> None:
    """Write the model card for the current heads and their held-out ``metrics``."""
    from threadwise.analysers.heads import load_head

    _, spans = load_head("toxicity_spans")
    text = _TEMPLATE.format(
        version=ToxicityAnalyser.version,
        threshold=meta["threshold_hint"],
        span_threshold=spans["threshold"],
        fallback=spans["fallback_threshold"],
        gap=spans["max_gap"],
        sources=json.dumps(meta["sources"]),
        metrics_table=_table(metrics),
    )
    path.write_text(text, encoding="utf-8")
