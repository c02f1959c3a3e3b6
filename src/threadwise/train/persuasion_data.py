"""Loading the Propaganda Techniques Corpus (SemEval-2020 Task 11) and the SemEval-2021 Task 6 meme texts.

PTC dev/test gold is not public, so evaluation holds out 20 % of the *train articles* (by article, with
``train.SEED``); a further 15 % of the remaining articles is a validation part for thresholds and calibration.
Meme texts (training and dev files; the official test file is evaluation-only) only add technique-classification
examples (their labels mapped onto PTC's 14; Smears, Glittering
generalities and Obfuscation have no PTC counterpart and are dropped).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from threadwise.train import SEED

PTC_FOLDER = "propaganda_ptc_semeval2020_task11"
MEMES_FOLDER = "semeval2021_task6_persuasion_memes_text"

PTC_LABELS = {
    "Name_Calling,Labeling": "name_calling",
    "Loaded_Language": "loaded_language",
    "Doubt": "doubt",
    "Exaggeration,Minimisation": "exaggeration_minimisation",
    "Appeal_to_fear-prejudice": "appeal_to_fear",
    "Flag-Waving": "flag_waving",
    "Causal_Oversimplification": "causal_oversimplification",
    "Slogans": "slogans",
    "Appeal_to_Authority": "appeal_to_authority",
    "Black-and-White_Fallacy": "black_and_white_fallacy",
    "Thought-terminating_Cliches": "thought_terminating_cliche",
    "Whataboutism,Straw_Men,Red_Herring": "whataboutism_straw_man_red_herring",
    "Bandwagon,Reductio_ad_hitlerum": "bandwagon_reductio_ad_hitlerum",
    "Repetition": "repetition",
}
MEME_LABELS = {
    "Appeal to authority": "appeal_to_authority",
    "Appeal to fear/prejudice": "appeal_to_fear",
    "Black-and-white Fallacy/Dictatorship": "black_and_white_fallacy",
    "Causal Oversimplification": "causal_oversimplification",
    "Doubt": "doubt",
    "Exaggeration/Minimisation": "exaggeration_minimisation",
    "Flag-waving": "flag_waving",
    "Loaded Language": "loaded_language",
    "Misrepresentation of Someone's Position (Straw Man)": "whataboutism_straw_man_red_herring",
    "Name calling/Labeling": "name_calling",
    "Presenting Irrelevant Data (Red Herring)": "whataboutism_straw_man_red_herring",
    "Reductio ad hitlerum": "bandwagon_reductio_ad_hitlerum",
    "Repetition": "repetition",
    "Slogans": "slogans",
    "Thought-terminating cliché": "thought_terminating_cliche",
    "Whataboutism": "whataboutism_straw_man_red_herring",
    "Bandwagon": "bandwagon_reductio_ad_hitlerum",
}


@dataclass(frozen=True)
class Doc:
    """One text with its gold technique spans ``(label, start, end)`` and merged propaganda spans."""

    id: str
    text: str
    techniques: tuple[tuple[str, int, int], ...]
    propaganda: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Split:
    train: list[Doc]
    valid: list[Doc]
    test: list[Doc]


def merge_spans(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Overlapping spans merged into one (as the official SI scorer merges the gold)."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


def load_ptc(data: Path) -> list[Doc]:
    """The 371 PTC train articles with their TC labels, sorted by id."""
    folder = data / PTC_FOLDER
    by_article: dict[str, list[tuple[str, int, int]]] = {}
    for line in (folder / "train-task2-TC.labels").read_text(encoding="utf-8").splitlines():
        if line.strip():
            article_id, technique, start, end = line.split("\t")
            by_article.setdefault(article_id, []).append((PTC_LABELS[technique], int(start), int(end)))
    docs = []
    for path in sorted((folder / "train-articles").glob("article*.txt")):
        article_id = path.stem.removeprefix("article")
        text = path.read_text(encoding="utf-8")  # offsets are into the text as Python reads it (README)
        techniques = tuple(sorted(by_article.get(article_id, []), key=lambda t: (t[1], t[2], t[0])))
        docs.append(Doc(article_id, text, techniques, merge_spans([(s, e) for _, s, e in techniques])))
    return docs


def split_ptc(data: Path, seed: int = SEED) -> Split:
    """Articles shuffled with the fixed seed: 20 % test, then 15 % of the rest validation."""
    docs = load_ptc(data)
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)
    n_test = round(0.2 * len(docs))
    n_valid = round(0.15 * (len(docs) - n_test))
    test = [docs[i] for i in sorted(order[:n_test])]
    valid = [docs[i] for i in sorted(order[n_test : n_test + n_valid])]
    train = [docs[i] for i in sorted(order[n_test + n_valid :])]
    return Split(train, valid, test)


def load_memes(data: Path) -> list[Doc]:
    """Meme texts of the training and dev files, labels mapped (the official test file is evaluation-only)."""
    docs = []
    for part in ("training", "dev"):
        path = data / MEMES_FOLDER / "data" / f"{part}_set_task2.txt"
        for item in json.loads(path.read_text(encoding="utf-8")):
            techniques = tuple(
                (MEME_LABELS[x["technique"]], int(x["start"]), int(x["end"]))
                for x in item["labels"] if x["technique"] in MEME_LABELS and int(x["end"]) > int(x["start"])
            )
            docs.append(Doc(f"meme-{part}-{item['id']}", item["text"], techniques,
                            merge_spans([(s, e) for _, s, e in techniques])))
    return docs
