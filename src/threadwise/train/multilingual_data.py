"""Loaders for the non-English conduct sets in ``shared/data`` (read in place, never copied), with their splits.

Every set yields ``Labelled`` rows in three splits: ``train`` and ``dev`` (carved from the training data
with a fixed hash, or the set's own dev file) and ``test`` (the official test file where the set has one,
else a fixed held-out part). ``toxicity`` is the moderation label; a category is ``None`` where the set
does not annotate it, so each category head trains only on the sets that say something about it.

Multilingual HateCheck and every ``test`` split are evaluation-only: ``training_rows`` refuses them.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from threadwise.analysers.conduct import TASKS
from threadwise.analysers.multilingual_toxicity import HEAD_LABELS
from threadwise.train import assert_trainable

MHC_FILES = {"de": "german", "es": "spanish", "fr": "french", "pt": "portuguese", "it": "italian", "nl": "dutch",
             "pl": "polish"}
csv.field_size_limit(10_000_000)


@dataclass(frozen=True, slots=True)
class Labelled:
    text: str
    language: str
    source: str
    toxicity: float
    insult: float | None = None
    identity_attack: float | None = None
    profanity: float | None = None
    threat: float | None = None

    def label(self, name: str) -> float | None:
        """The row's label for ``name``; a category of a non-toxic row is 0 even where the set names none."""
        value: float | None = getattr(self, name)
        if value is None and self.toxicity < 0.5:
            return 0.0
        return value


@dataclass(frozen=True, slots=True)
class DataSet:
    name: str  # the folder in shared/data
    language: str
    licence: str
    splits: str  # how train / dev / test were made
    load: Callable[[Path], dict[str, list[Labelled]]]
    anchor: str = ""  # the published figure its official test split is read against


def _bucket(text: str) -> float:
    """A fixed pseudo-random number in [0, 1) per text: the same split on every run and machine."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) / 2**32


def _split(rows: list[Labelled], dev: float = 0.15, test: float = 0.0, key: Callable[[Labelled], str] | None = None
           ) -> dict[str, list[Labelled]]:
    """Hash split, de-duplicated on the text (a duplicate never straddles two splits)."""
    out: dict[str, list[Labelled]] = {"train": [], "dev": [], "test": []}
    seen: set[str] = set()
    for row in rows:
        if row.text in seen or not row.text.strip():
            continue
        seen.add(row.text)
        b = _bucket(key(row) if key else row.text)
        out["test" if b < test else "dev" if b < test + dev else "train"].append(row)
    return out


def _read(path: Path, delimiter: str = ",", header: bool = True, quoting: Any = csv.QUOTE_MINIMAL
          ) -> Iterator[list[str]]:
    with (gzip.open(path, "rt", encoding="utf-8", newline="") if path.suffix == ".gz"
          else open(path, encoding="utf-8", newline="")) as handle:
        reader = csv.reader(handle, delimiter=delimiter, quoting=quoting)
        if header:
            next(reader)
        yield from reader


def _dicts(path: Path, delimiter: str = ",") -> Iterator[dict[str, str]]:
    rows = _read(path, delimiter, header=False)
    head = next(rows)
    for row in rows:
        yield dict(zip(head, row, strict=False))


# --- German ---------------------------------------------------------------------------------------------


def germeval2018(data: Path) -> dict[str, list[Labelled]]:
    folder = data / "germeval2018_offensive_de"

    def rows(name: str) -> list[Labelled]:
        out = []
        for text, coarse, fine in _read(folder / name, "\t", header=False, quoting=csv.QUOTE_NONE):
            text = text.replace("|LBR|", "\n")
            out.append(Labelled(text, "de", "germeval2018", float(coarse == "OFFENSE"), float(fine == "INSULT"),
                                float(fine == "ABUSE"), float(fine == "PROFANITY")))
        return out

    return {**_split(rows("germeval2018.training.txt")), "test": rows("germeval2018.test.txt")}


def germeval2021(data: Path) -> dict[str, list[Labelled]]:
    folder = data / "germeval2021_toxic_comments_de"

    def rows(name: str) -> list[Labelled]:
        return [Labelled(r["comment_text"], "de", "germeval2021", float(r["Sub1_Toxic"] == "1"))
                for r in _dicts(folder / name)]

    return {**_split(rows("GermEval21_TrainData.csv")), "test": rows("GermEval21_TestData.csv")}


# --- Spanish --------------------------------------------------------------------------------------------


def hateval2019(data: Path) -> dict[str, list[Labelled]]:
    folder = data / "hateval2019_hate_es"

    def rows(split: str) -> list[Labelled]:
        # Hate against immigrants or women: an identity attack; HS = 0 says nothing of insults elsewhere.
        return [Labelled(r["text"], "es", "hateval2019", float(r["HS"] == "1"), identity_attack=float(r["HS"] == "1"))
                for r in _dicts(folder / f"hateval2019_es_{split}.csv")]

    train, dev = rows("train"), rows("dev")
    known = {r.text for r in train + dev}
    return {"train": train, "dev": dev, "test": [r for r in rows("test") if r.text not in known]}  # README: 5 shared


def offendes(data: Path) -> dict[str, list[Labelled]]:
    folder = data / "offendes_offensive_es"

    def rows(name: str) -> list[Labelled]:
        out = []
        for r in _dicts(folder / name, "\t"):
            label = r["label"]
            out.append(Labelled(r["comment"], "es", "offendes", float(label in ("OFP", "OFG")),
                                insult=float(label == "OFP"), identity_attack=float(label == "OFG"),
                                profanity=float(label in ("NOE", "OFP", "OFG"))))
        return out

    train = rows("training_set.tsv.gz")
    known = {r.text for r in train}
    test = [r for r in rows("test_set.tsv.gz") if r.text not in known]  # the README's 17 overlapping texts
    return {**_split(train), "test": test}


# --- French, Italian ------------------------------------------------------------------------------------

IDENTITY_TARGETS = {"origin", "gender", "sexual_orientation", "religion", "disability"}


def mlma(data: Path) -> dict[str, list[Labelled]]:
    rows = []
    for r in _dicts(data / "mlma_hate_speech_fr" / "fr_dataset.csv"):
        toxic = r["sentiment"] != "normal"
        rows.append(Labelled(r["tweet"], "fr", "mlma", float(toxic),
                             identity_attack=float(toxic and r["target"] in IDENTITY_TARGETS)))
    return _split(rows, dev=0.15, test=0.15)


def haspeede2018(data: Path) -> dict[str, list[Labelled]]:
    rows = []
    for name in ("haspeede_FB-train.tsv", "haspeede_TW-train.tsv"):
        for row in _read(data / "haspeede2018_hate_it" / name, "\t", header=False, quoting=csv.QUOTE_NONE):
            hate = float(row[2].strip() == "1")
            rows.append(Labelled(row[1], "it", "haspeede2018", hate, identity_attack=hate))
    return _split(rows, dev=0.15, test=0.15)


# --- Portuguese -----------------------------------------------------------------------------------------


def hatebr(data: Path) -> dict[str, list[Labelled]]:
    rows = [Labelled(r["comentario"], "pt", "hatebr", float(r["label_final"] == "1"))
            for r in _dicts(data / "hatebr_offensive_pt" / "HateBR.csv.gz")]
    posts = {r["comentario"]: r["links_post"] for r in _dicts(data / "hatebr_offensive_pt" / "HateBR.csv.gz")}
    return _split(rows, dev=0.15, test=0.15, key=lambda r: posts[r.text])  # grouped by post, as its README asks


def offcombr(data: Path) -> dict[str, list[Labelled]]:
    rows = [Labelled(r["text"], "pt", "offcombr", float(r["offensive"] == "yes"))
            for r in _dicts(data / "offcombr_offensive_pt" / "OffComBR2.csv")]
    return _split(rows, dev=0.15, test=0.3)


def told_br(data: Path) -> dict[str, list[Labelled]]:
    rows = []
    for r in _dicts(data / "told_br_toxic_pt" / "ToLD-BR.csv.gz"):
        votes = {k: float(v or 0) for k, v in r.items() if k != "text"}
        identity = max(votes["homophobia"], votes["racism"], votes["misogyny"], votes["xenophobia"])
        rows.append(Labelled(r["text"], "pt", "told_br", float(max(votes.values()) >= 2),  # most of the 3 annotators
                             insult=float(votes["insult"] >= 2), identity_attack=float(identity >= 2),
                             profanity=float(votes["obscene"] >= 2)))
    return _split(rows, dev=0.15, test=0.15)


# --- Polish, Russian ------------------------------------------------------------------------------------


def ban_pl(data: Path) -> dict[str, list[Labelled]]:
    # Read from the password-protected archive as the authors ship it; nothing decrypted is written.
    with zipfile.ZipFile(data / "ban_pl_harmful_pl" / "BAN-PL_2.zip") as archive:
        raw = archive.read("BAN-PL.csv", pwd=b"BAN-PL_2").decode("utf-8")
    reader = csv.reader(io.StringIO(raw))
    head = next(reader)
    text_at, class_at = head.index("Text"), head.index("Class")
    rows = [Labelled(r[text_at], "pl", "ban_pl", float(r[class_at] == "1")) for r in reader if len(r) > class_at]
    return _split(rows, dev=0.15, test=0.15)


def russian_vk(data: Path) -> dict[str, list[Labelled]]:
    rows = [Labelled(r["comments"], "ru", "russian_vk", float(r["toxicity"] == "1"))
            for r in _dicts(data / "russian_distorted_toxicity_vk_ru" / "russian_distorted_toxicity.tsv", "\t")]
    return _split(rows, dev=0.15, test=0.2)


# --- English (cross-lingual transfer; the only source of the threat category) -----------------------------


def english(data: Path) -> dict[str, list[Labelled]]:
    """Civil Comments with annotator shares per category (all of them toxic: the categories' source) and
    Wikipedia talk comments (toxic and not: the overall label's), with the English model's own held-out parts
    kept out: the span task's test comments and its Wikipedia test split."""
    from threadwise.train.toxicity_data import civil_comments, tsd, wikipedia_split

    held_out = {t for t, _ in tsd(data, "test")}
    kinds = ("insult", "identity_attack", "profanity", "threat")
    civil = [Labelled(c.text, "en", "civil_comments", float(c.toxic >= 0.5),
                      **{k: float(c.categories[k] >= 0.5) for k in kinds})
             for c in civil_comments(data) if c.text not in held_out]
    wiki_train, wiki_test = wikipedia_split(data)
    wiki = [Labelled(e.text, "en", "wikipedia_talk", float(e.label >= 0.5)) for e in wiki_train]
    split = _split(civil + wiki, dev=0.1)
    return {**split, "test": [Labelled(e.text, "en", "wikipedia_talk", float(e.label >= 0.5)) for e in wiki_test]}


def english_identity(data: Path) -> dict[str, list[Labelled]]:
    """The English conduct model's sources of group hate and threats (ToxiGen's training half, Stormfront,
    ETHOS, civil comments' typed threat sentences), split as that model splits them: none of the non-English
    sets holds much hate against groups or any threat, and a cross-lingual encoder can carry them over."""
    from threadwise.train import conduct_data as cd

    keep = ("toxicity", *HEAD_LABELS[1:])
    out: dict[str, list[Labelled]] = {"train": [], "dev": [], "test": []}
    for source in (cd.toxigen, cd.stormfront, cd.ethos, cd.threat_sentences):
        for row in source(data):
            known = {t: v for t, v in zip(TASKS, row.targets, strict=True) if t in keep and v == v}
            if "toxicity" not in known:  # Stormfront's non-hate sentences: their toxicity is not annotated
                continue
            labelled = Labelled(row.text, "en", row.source, **known)
            out["dev" if cd.is_dev(row.text) else "train"].append(labelled)
    return out


def group_mentions(data: Path) -> dict[str, list[Labelled]]:
    """Our own sentences naming a group in each served language, harmless and hateful in the same frames
    (``multilingual_templates``): training rows only, so dev keeps real comments alone."""
    from threadwise.train.multilingual_templates import group_sentences

    rows = [Labelled(text, language, "synthetic_group_mentions", float(hateful),
                     identity_attack=float(hateful), profanity=0.0 if hateful else None)
            for text, language, hateful in group_sentences()]
    return {"train": rows, "dev": [], "test": []}


OPEN_TEST = "fixed hash split of the only file (no official split); its test part held out"
DATASETS: tuple[DataSet, ...] = (
    DataSet("germeval2018_offensive_de", "de", "CC BY 4.0", "official train/test; dev carved from train (15 %)",
            germeval2018, "GermEval 2018 task 1 best macro-F1 0.768 (TUWienKBS; not re-verified here)"),
    DataSet("germeval2021_toxic_comments_de", "de", "not stated (organisers' public release)",
            "official train/test; dev carved from train (15 %)", germeval2021,
            "GermEval 2021 subtask 1 best macro-F1 0.718 (FHAC, public results listing)"),
    DataSet("hateval2019_hate_es", "es", "CC BY-NC 4.0", "official train/dev/test (5 texts also in train dropped)",
            hateval2019,
            "HatEval 2019 Spanish task A: Atalaya ranked first (its paper); 0.730 not re-verified"),
    DataSet("offendes_offensive_es", "es", "not stated (authors' public release)",
            "official MeOffendEs train/test (17 overlapping texts dropped); dev carved from train", offendes),
    DataSet("mlma_hate_speech_fr", "fr", "MIT", OPEN_TEST, mlma),
    DataSet("haspeede2018_hate_it", "it", "CC BY-NC-SA 4.0", OPEN_TEST + " (official test sets not staged)",
            haspeede2018),
    DataSet("hatebr_offensive_pt", "pt", "CC BY-NC 4.0", OPEN_TEST + ", grouped by post", hatebr),
    DataSet("offcombr_offensive_pt", "pt", "not stated (authors' public release)", OPEN_TEST, offcombr),
    DataSet("told_br_toxic_pt", "pt", "CC BY-SA 4.0", OPEN_TEST, told_br),
    DataSet("ban_pl_harmful_pl", "pl", "CC BY 4.0 (research use; keep human oversight)", OPEN_TEST, ban_pl),
    DataSet("russian_distorted_toxicity_vk_ru", "ru", "MIT", OPEN_TEST, russian_vk),
    DataSet("english_civil_wikipedia", "en", "toxic spans CC0 1.0; Wikipedia talk: Apache-2.0 repo, text CC BY-SA",
            "the English model's training parts only (its held-out test parts stay out)", english),
    DataSet("english_identity_threat", "en", "ToxiGen: MIT; Stormfront: CC BY-SA 3.0 ES; ETHOS: GPL-3.0; "
            "civil comments: CC0 1.0", "the English conduct model's own train/dev split (no test part)",
            english_identity),
    DataSet("synthetic_group_mentions", "de es fr it nl pt", "this project's own sentences (its licence)",
            "training rows only (no dev or test part)", group_mentions),
)


def get_dataset(name: str) -> DataSet:
    return next(d for d in DATASETS if d.name == name)


_loaded: dict[tuple[Path, str], dict[str, list[Labelled]]] = {}


def _splits(data: Path, dataset: DataSet) -> dict[str, list[Labelled]]:
    """A set's splits, read once per process (BAN-PL's encrypted archive alone takes seconds to read)."""
    key = (data, dataset.name)
    if key not in _loaded:
        _loaded[key] = dataset.load(data)
    return _loaded[key]


def training_rows(data: Path, dataset: DataSet, split: str) -> list[Labelled]:
    """The ``train`` or ``dev`` rows of a set; asking for its test split, or an evaluation-only set, fails."""
    assert split in ("train", "dev"), f"{split!r} is evaluation-only: never train or tune on it"
    assert_trainable(data / dataset.name)  # the project-wide list: Multilingual HateCheck and the rest
    return _splits(data, dataset)[split]


def held_out_rows(data: Path, dataset: DataSet) -> list[Labelled]:
    return _splits(data, dataset)["test"]


def hatecheck(data: Path, language: str) -> list[tuple[str, bool, str]]:
    """Multilingual HateCheck cases of one language: (text, hateful, functionality). Evaluation only."""
    path = data / "multilingual_hatecheck" / f"hatecheck_cases_final_{MHC_FILES[language]}.csv.gz"
    return [(r["test_case"].strip(), r["label_gold"] == "hateful", r["functionality"]) for r in _dicts(path)]


def cap(rows: list[Labelled], n: int) -> list[Labelled]:
    """A fixed subsample of ``n`` rows (by text hash), positives and negatives in their own proportion."""
    return sorted(rows, key=lambda r: _bucket("cap" + r.text))[:n]


assert set(HEAD_LABELS) >= {"toxicity", "insult", "identity_attack", "profanity", "threat"}
