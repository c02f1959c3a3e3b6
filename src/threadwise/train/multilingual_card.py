"""MODEL_CARD.md of the multilingual toxicity heads: what they read, each language's data and licence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from threadwise.train.multilingual_data import DATASETS


def write_card(folder: Path, meta: dict[str, Any]) -> Path:
    kinds = meta["features"]
    lines = [
        f"# multilingual_toxicity {meta['version']}",
        "",
        f"Logistic heads ({', '.join(meta['labels'])}) over " + " and over ".join(
            _features(k, meta["encoders"][k]) for k in kinds) + ("; the two sets' probabilities are averaged." if
                                                                len(kinds) > 1 else "."),
        "Each head is Platt-calibrated on a development split carved from the training data. No fine-tuning; no GPU.",
        "`severe_toxicity` = P(toxic) × max(P(identity_attack), P(threat)): no non-English set labels severity.",
        "The threat head learns from English rows only (no staged non-English set labels threats).",
        "",
        f"One policy for both models: each label's score is its probability moved along `operating_points`"
        f" (aligned to {meta['aligned_to']}): this model's dev F1-best and precision-0.9 thresholds land where the",
        "English model's did, so a rule chosen at those points on the English dev split acts at the same points",
        "here. The probability before the mapping stays in each finding's detail (`toxicity_probability`).",
        "",
        f"Languages served: {', '.join(meta['languages'])} (nl has no staged training data: cross-lingual",
        "transfer only, measured on Multilingual HateCheck). Any other identified language is declined",
        "(`language_unsupported`) and the policy holds the comment for review.",
        "",
        "## Data (training split rows used per feature set; test parts never trained, tuned or selected on)",
        "",
        "| set | language | " + " | ".join(f"rows ({k})" for k in kinds) + " | licence | splits |",
        "|---|---|" + "---|" * len(kinds) + "---|---|",
    ]
    lines += [f"| {d.name} | {d.language} | " + " | ".join(str(meta["rows_per_set"][k].get(d.name, 0)) for k in kinds)
              + f" | {d.licence} | {d.splits} |" for d in DATASETS]
    lines += [
        "",
        "Several sets are non-commercial (CC BY-NC / BY-NC-SA: HatEval, HaSpeeDe, HateBR) or share-alike",
        "(ToLD-Br, Stormfront), ETHOS is GPL-3.0; BAN-PL's authors ask for human oversight of any deployed",
        "model. A commercial deployment must retrain without the sets whose licence it cannot meet (`QUOTA`",
        "in train/multilingual_toxicity.py). Multilingual HateCheck (CC BY 4.0) is evaluation-only.",
        "",
        "## Heads",
        "",
        "| features | label | train rows | positives | dev rows | C | dev log-loss |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [f"| {kind} | {k} | {v['train_rows']} | {v['positives']} | {v['dev_rows']} | {v['C']} | "
              f"{v['dev_log_loss']} |" for kind in kinds for k, v in meta["heads"][kind].items()]
    lines += ["", "## Averaged heads on the dev split", "", "| measure | ROC-AUC |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in meta["dev"].items()]
    lines += ["", "Operating points ([this model, English]): " + "; ".join(
        f"{label} {points}" for label, points in meta["operating_points"].items()) + ".",
              "", f"Seed {meta['seed']}; training data digest {meta['data_digest']}. Reproduce:",
              "`threadwise train toxicity-multilingual`; figures: `threadwise eval toxicity --language de` (etc.)",
              "and docs/EVAL.md, \"Languages beyond English\".", ""]
    path = folder / "MODEL_CARD.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _features(kind: str, encoder: str) -> str:
    if kind == "e5":
        return f"frozen {encoder} vectors (\"query: \" prefix)"
    return f"{encoder} of the evasion-normalised text (hashed, nothing learned but the heads)"
