"""MODEL_CARD.md of the multilingual toxicity heads: what they read, each language's data and licence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from threadwise.train.multilingual_data import DATASETS


def write_card(folder: Path, meta: dict[str, Any]) -> Path:
    rows = meta["rows_per_set"]
    lines = [
        f"# multilingual_toxicity {meta['version']}",
        "",
        f"Logistic heads ({', '.join(meta['labels'])}) over {_features(meta)},",
        "each Platt-calibrated on a development split carved from the training data. No fine-tuning; no GPU.",
        "`severe_toxicity` = P(toxic) × max(P(identity_attack), P(threat)): no non-English set labels severity.",
        "The threat head learns from the English sample only (no staged non-English set labels threats).",
        "",
        f"Languages served: {', '.join(meta['languages'])} (nl has no staged training data: cross-lingual",
        "transfer only, measured on Multilingual HateCheck). Any other identified language is declined",
        "(`language_unsupported`) and the policy holds the comment for review.",
        "",
        "## Data (training split rows used; test parts never trained, tuned or selected on)",
        "",
        "| set | language | rows | licence | splits |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {d.name} | {d.language} | {_rows_of(rows, d.name)} | {d.licence} | {d.splits} |" for d in DATASETS]
    lines += [
        "",
        "Several sets are non-commercial (CC BY-NC / BY-NC-SA: HatEval, HaSpeeDe, HateBR) or share-alike",
        "(ToLD-Br); BAN-PL's authors ask for human oversight of any deployed model. A commercial deployment",
        "must retrain without the sets whose licence it cannot meet (`QUOTA` in train/multilingual_toxicity.py).",
        "Multilingual HateCheck (CC BY 4.0) is evaluation-only.",
        "",
        "## Heads",
        "",
        "| label | train rows | positives | dev rows | C | dev log-loss |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {k} | {v['train_rows']} | {v['positives']} | {v['dev_rows']} | {v['C']} | {v['dev_log_loss']} |"
              for k, v in meta["heads"].items()]
    lines += ["", f"Seed {meta['seed']}; training data digest {meta['data_digest']}. Reproduce:",
              "`threadwise train toxicity-multilingual`; figures: `threadwise eval toxicity --language de` (etc.)",
              "and docs/EVAL.md, \"Languages beyond English\".", ""]
    path = folder / "MODEL_CARD.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _features(meta: dict[str, Any]) -> str:
    if meta["features"] == "e5":
        return f"frozen {meta['encoder']} vectors (\"query: \" prefix)"
    return f"{meta['encoder']} of the evasion-normalised text (hashed, nothing learned but the heads)"


def _source(name: str) -> str:
    """The ``Labelled.source`` each set's loader writes."""
    return {"germeval2018_offensive_de": "germeval2018", "germeval2021_toxic_comments_de": "germeval2021",
            "hateval2019_hate_es": "hateval2019", "offendes_offensive_es": "offendes", "mlma_hate_speech_fr": "mlma",
            "haspeede2018_hate_it": "haspeede2018", "hatebr_offensive_pt": "hatebr",
            "offcombr_offensive_pt": "offcombr",
            "told_br_toxic_pt": "told_br", "ban_pl_harmful_pl": "ban_pl",
            "russian_distorted_toxicity_vk_ru": "russian_vk", "english_civil_wikipedia": "english"}.get(name, name)


def _rows_of(rows: dict[str, int], name: str) -> int:
    source = _source(name)
    if source == "english":
        return rows.get("civil_comments", 0) + rows.get("wikipedia_talk", 0)
    return rows.get(source, 0)
