"""Build the target analyser's identity-group lexicon and evaluate target typing on OLID subtask C.

``train`` rebuilds ``heads/target/lexicon.json`` from HolisticBias (MIT) and the Jigsaw identity word lists
(CC BY 4.0) plus a short curated supplement of political-camp words; the analyser itself is rule-based.
``evaluate`` maps our labels onto OLID's IND / GRP / OTH target types (every OLID level-C tweet is
offensive and targeted, so it is given a hostile toxicity finding) and reports macro-F1 on the test split.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from sklearn.metrics import accuracy_score, f1_score

from threadwise.analysers.base import CommentContext
from threadwise.analysers.heads import heads_dir
from threadwise.analysers.target import HEAD, LEXICON_FILE, TargetAnalyser
from threadwise.model import Comment, Finding
from threadwise.train.stance_data import strip_reply_handles

HOLISTIC = "holistic_bias_descriptors"
JIGSAW = "jigsaw_identity_bias_templates"
OLID = "olid_offenseval2019"
# Axes whose descriptors name identity groups people are attacked as; body type, age, ability and
# socioeconomic descriptors are mostly ordinary adjectives ("slow", "fit", "poor") and would misfire.
AXES = ("nationality", "race_ethnicity", "religion", "sexual_orientation", "political_ideologies", "gender_and_sex")
# Descriptors that are everyday words far more often than identity terms.
AMBIGUOUS = {"independent", "moderate", "radical", "native", "straight", "pan", "poly", "ace", "bi", "stud", "boi",
             "femme", "latin", "country", "urban", "rural", "white", "black", "religious", "secular",
             "professional", "employed", "fit", "female", "male", "progressive", "foreign", "alien", "elite"}
NO_PLURAL = {"blind", "deaf", "feminine", "masculine", "effeminate", "old", "older", "young", "younger", "teenage",
             "middle aged", "apolitical", "androgynous", "cisgender", "transgender", "nonbinary", "non-binary"}
# Curated by threadwise (not from a dataset): camp and group words common in news comment sections.
CURATED = ("westerners", "russians", "ukrainians", "israelis", "palestinians", "europeans", "americans", "brits",
           "the british", "the french", "germans", "arabs", "jews", "gays", "lefties", "leftists", "the left",
           "the right", "libtards", "snowflakes", "trumpers", "maga", "tories", "labourites", "globalists",
           "feminists", "immigrants", "migrants", "refugees", "foreigners", "boomers", "millennials", "zoomers",
           "women", "men", "white people", "black people", "whites", "blacks", "muslims", "christians", "atheists")
OLID_MAP = {"author": "IND", "commenter": "IND", "public_figure": "IND", "group": "GRP",
            "outlet": "OTH", "argument": "OTH"}


def _plural(term: str) -> str | None:
    if term in NO_PLURAL or term.endswith("y"):
        return None
    if term.endswith(("s", "sh", "ch", "x", "ese", "ish", "ed")):
        return None  # "chinese", "jewish": no -s plural; they still match as adjectives before a person noun
    return term + "s"


def build_lexicon(data: Path) -> dict[str, Any]:
    """Group terms (lower case) as {"nominal": plurals and nouns, "adjectival": need a person noun after them}."""
    descriptors = json.loads((data / HOLISTIC / "v1.1" / "descriptors.json").read_text(encoding="utf-8"))
    adjectival: set[str] = set()
    for axis in AXES:
        for bucket in descriptors[axis].values():
            for item in bucket:
                adjectival.add((item if isinstance(item, str) else item["descriptor"]).lower())
    words = (data / JIGSAW / "word_lists" / "adjectives_people.txt").read_text(encoding="utf-8").split("\n")
    adjectival |= {w.strip().lower() for w in words if w.strip()}
    nominal = {p for t in adjectival - AMBIGUOUS if (p := _plural(t))} | set(CURATED)
    return {"nominal": sorted(nominal), "adjectival": sorted(adjectival),
            "sources": {"holistic_bias_descriptors v1.1 (MIT)": list(AXES),
                        "jigsaw_identity_bias_templates word_lists/adjectives_people.txt (CC BY 4.0)": "all",
                        "curated by threadwise": list(CURATED)},
            "built": date.today().isoformat()}


def train(data: Path) -> dict[str, Any]:
    """Rebuild the lexicon JSON and the model card; returns the OLID evaluation."""
    lexicon = build_lexicon(data)
    folder = heads_dir() / HEAD
    folder.mkdir(parents=True, exist_ok=True)
    (folder / LEXICON_FILE).write_text(json.dumps(lexicon, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    metrics = evaluate(data)
    (folder / "MODEL_CARD.md").write_text(CARD.format(version=TargetAnalyser.version, n_nominal=len(lexicon["nominal"]),
                                                      n_adj=len(lexicon["adjectival"]), m=metrics), encoding="utf-8")
    return metrics


def olid_test(data: Path) -> list[tuple[str, str]]:
    """(tweet, IND/GRP/OTH) for the OLID level-C test set."""
    folder = data / OLID / "OLIDv1.0"
    with (folder / "labels-levelc.csv").open(encoding="utf-8") as handle:
        gold = {row["id"]: row["label"] for row in csv.DictReader(handle)}
    with (folder / "testset-levelc.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(row["tweet"], gold[row["id"]]) for row in rows]


def predict_olid(analyser: TargetAnalyser, tweets: list[str]) -> list[str]:
    """Our best-scoring target mapped to OLID's types; no target found -> OTH."""
    contexts = []
    for i, text in enumerate(tweets):
        comment = Comment(id=f"o{i}", thread_id="olid", text=strip_reply_handles(text), position=i)
        hostile = Finding(comment.id, "toxicity", "given", "toxic", 1.0)  # level C: offensive + targeted by design
        # a tweet opening with @USER is a reply to that user: give it a parent, as a threaded comment has
        parent = (Comment(id=f"p{i}", thread_id="olid", text="(parent tweet)", position=i, author="USER"),)
        contexts.append(CommentContext(comment=comment, findings=(hostile,),
                                       ancestors=parent if text.lstrip().startswith("@") else ()))
    best: dict[str, Finding] = {}
    for item in analyser.analyse(contexts):
        if item.comment_id not in best or item.score > best[item.comment_id].score:
            best[item.comment_id] = item
    return [OLID_MAP[best[c.comment.id].label] if c.comment.id in best else "OTH" for c in contexts]


def evaluate(data: Path, fast: bool = False) -> dict[str, Any]:
    """OLID 2019 subtask C test (213 tweets; fast and full are the same, it takes about a second)."""
    rows = olid_test(data)
    gold = [label for _, label in rows]
    predicted = predict_olid(TargetAnalyser().setup(), [text for text, _ in rows])
    majority = Counter(gold).most_common(1)[0][0]  # the test majority: an upper bound for the trivial baseline
    labels = ["IND", "GRP", "OTH"]

    def score(pred: list[str]) -> dict[str, float]:
        return {"macro_f1": round(float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0)), 4),
                "accuracy": round(float(accuracy_score(gold, pred)), 4)}

    per_class = f1_score(gold, predicted, labels=labels, average=None, zero_division=0)
    return {"olid_c_test": {**score(predicted), **{f"f1_{lab}": round(float(f), 4)
                                                   for lab, f in zip(labels, per_class, strict=True)}},
            "trivial_majority": score([majority] * len(gold)), "n": len(gold)}


CARD = """# target lexicon (TargetAnalyser {version})

Rule-based: the analyser finds mentions of the article's author and outlet, of other commenters ("you", @name,
the parent's author), of named public figures (capitalised names, titles), of identity groups (this lexicon) and
of the article's claims; a comment is hostile when its toxicity findings say so. No trained weights.

## Lexicon (`lexicon.json`)
{n_nominal} nominal group terms (plurals such as "muslims", "liberals") and {n_adj} adjectival descriptors (need a
person noun after them: "muslim men"), from HolisticBias v1.1 descriptors (axes nationality, race/ethnicity,
religion, sexual orientation, political ideologies, gender and sex; MIT) and the Jigsaw unintended-bias
`adjectives_people.txt` (CC BY 4.0), plus a short curated list of camp words (in `sources`).
Rebuild:
`.venv/bin/python -c "from threadwise.train import target, shared_data_dir; print(target.train(shared_data_dir()))"`

## Evaluation: OLID / OffensEval 2019 subtask C test (213 offensive, targeted tweets)
Our labels mapped to OLID: author/commenter/public_figure -> IND, group -> GRP, outlet/argument/none -> OTH.
Ours: {m[olid_c_test]}. Trivial (always the majority class): {m[trivial_majority]}.
Published best macro-F1 (OffensEval 2019 subtask C, fine-tuned transformers): 0.660.

## Known failure modes
- No named-entity recogniser: a capitalised place or organisation ("Kyiv", "Gazprom") can be taken for a public
  figure; names written in lower case are missed.
- Pronouns ("he", "she") are read as the author only in top-level comments on an article with an author.
- "you" in a top-level comment may address the author rather than a commenter.
- English only; the group lexicon is US/UK-centred.
"""
