"""The public datasets that training, evaluation and the audit read: one table, so that ``threadwise data``,
docs/DATA.md and every "dataset missing" message say the same thing.

Nothing here is downloaded: the datasets are read in place from one folder (``THREADWISE_SHARED_DATA``,
see ``threadwise.locations.datasets_dir``), one sub-folder per dataset, named as in ``name`` below.
``uses`` names the commands that read a dataset: ``train NAME`` / ``eval NAME`` for a trainable analyser,
``audit`` for the neutrality audit, ``extraction benchmark`` for the HTML reader's benchmark
(``python -m threadwise.extraction_eval``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from threadwise.errors import ThreadwiseError


@dataclass(frozen=True)
class Dataset:
    """One public dataset: where it comes from, under which licence, which files the loaders read."""

    name: str
    title: str
    source: str
    licence: str
    uses: tuple[str, ...]
    files: tuple[str, ...]

    def missing_files(self, root: Path) -> list[str]:
        """The files of this dataset the loaders need that are not under ``root`` (all of them if the folder
        is absent)."""
        return [f for f in self.files if not (root / self.name / f).exists()]


def _both(*analysers: str) -> tuple[str, ...]:
    return tuple(f"{command} {a}" for a in analysers for command in ("train", "eval"))


DATASETS: tuple[Dataset, ...] = (
    Dataset("wikipedia_talk_toxicity_with_parent_context", "Wikipedia Talk toxicity with parent context (CAT)",
            "github.com/ipavlopoulos/context_toxicity @5df49c2", "Apache-2.0 (text: CC BY-SA)",
            (*_both("toxicity"), "train toxicity-multilingual"), ("CAT_LARGE", "CAT_SMALL")),
    Dataset("toxic_spans_civil_comments", "Toxic Spans (SemEval-2021 task 5) on Civil Comments",
            "github.com/ipavlopoulos/toxic_spans @beaf170", "CC0-1.0",
            (*_both("toxicity"), "train toxicity-multilingual", "audit"),
            ("full_annotations/comments.csv.gz", "semeval2021")),
    Dataset("fox_news_comments_hate", "Fox News comments, hateful or not", "github.com/sjtuprog/fox-news-comments "
            "@914b6bc", "MIT", (*_both("toxicity"), "audit"), ("fox-news-comments.json",)),
    Dataset("olid_offenseval2019", "OLID (OffensEval 2019)",
            "github.com/wenliangdai/multi-task-offensive-language-detection @6c2071a",
            "not stated (host repo CC BY 4.0)",
            (*_both("toxicity"), *_both("target")), ("OLIDv1.0",)),
    Dataset("sfu_constructiveness_toxicity_corpus", "SFU Constructiveness and Toxicity Corpus",
            "github.com/sfu-discourse-lab/Constructiveness_Toxicity_Corpus @bae732a", "CC BY-NC-SA 4.0",
            (*_both("toxicity", "constructive"), "audit"), ("SFU_constructiveness_toxicity.csv",)),
    Dataset("davidson_hate_offensive_tweets", "Hate speech and offensive language (Davidson et al.)",
            "github.com/t-davidson/hate-speech-and-offensive-language @cb50f7e", "MIT",
            _both("toxicity"), ("labeled_data.csv.gz",)),
    Dataset("jigsaw_detox_sentences_skoltech", "Jigsaw toxic / normal sentences (Skoltech detox)",
            "github.com/s-nlp/detox @0ebaeab", "not stated (Jigsaw: CC0 / CC BY-SA)", ("train toxicity",),
            ("dev_toxic.txt.gz", "dev_normal.txt.gz", "test_10k_toxic.txt.gz", "test_10k_normal.txt.gz")),
    Dataset("paradetox_toxic_neutral_pairs", "ParaDetox toxic / neutral paraphrases", "github.com/s-nlp/paradetox "
            "@d97b17d", "CC0-1.0", ("train toxicity",), ("paradetox.tsv.gz", "paradetox_cannot_rewrite.tsv.gz")),
    Dataset("stormfront_hate_speech_sentences", "Hate speech sentences from a white-supremacist forum (Stormfront)",
            "github.com/Vicomtech/hate-speech-dataset @b802137", "CC BY-SA 3.0 ES",
            ("train toxicity", "train toxicity-multilingual"),
            ("annotations_metadata.csv", "sentences.csv.gz")),
    Dataset("ethos_hate_speech", "ETHOS hate speech (YouTube and Reddit comments)",
            "github.com/intelligence-csd-auth-gr/Ethos-Hate-Speech-Dataset @705258e", "GPL-3.0",
            ("train toxicity", "train toxicity-multilingual"),
            ("Ethos_Dataset_Binary.csv", "Ethos_Dataset_Multi_Label.csv")),
    Dataset("germeval2018_offensive_de", "GermEval 2018 offensive German tweets",
            "github.com/uds-lsv/GermEval-2018-Data @9877472", "CC BY 4.0", _both("toxicity-multilingual"),
            ("germeval2018.training.txt", "germeval2018.test.txt")),
    Dataset("germeval2021_toxic_comments_de", "GermEval 2021 toxic German Facebook comments",
            "github.com/germeval2021toxic/SharedTask @fa5dca3", "not stated (organisers' public release)",
            _both("toxicity-multilingual"),
            ("GermEval21_TrainData.csv", "GermEval21_TestData.csv")),
    Dataset("hateval2019_hate_es", "HatEval 2019 Spanish hate speech",
            "github.com/MElkamhawy/PlaceboAffect @0aabc34", "CC BY-NC 4.0", _both("toxicity-multilingual"),
            ("hateval2019_es_train.csv", "hateval2019_es_dev.csv", "hateval2019_es_test.csv")),
    Dataset("offendes_offensive_es", "OffendES offensive Spanish comments (MeOffendEs split)",
            "github.com/fmplaza/OffendES @3a15cde", "not stated (authors' public release)",
            _both("toxicity-multilingual"),
            ("training_set.tsv.gz", "test_set.tsv.gz")),
    Dataset("mlma_hate_speech_fr", "MLMA hate speech, French tweets",
            "github.com/HKUST-KnowComp/MLMA_hate_speech @4798369", "MIT", _both("toxicity-multilingual"),
            ("fr_dataset.csv",)),
    Dataset("haspeede2018_hate_it", "HaSpeeDe 2018 Italian hate speech (training sets)",
            "github.com/msang/haspeede @4968f9e", "CC BY-NC-SA 4.0", _both("toxicity-multilingual"),
            ("haspeede_FB-train.tsv", "haspeede_TW-train.tsv")),
    Dataset("hatebr_offensive_pt", "HateBR 2.0 offensive Portuguese Instagram comments",
            "github.com/franciellevargas/HateBR @a130143", "CC BY-NC 4.0", _both("toxicity-multilingual"),
            ("HateBR.csv.gz",)),
    Dataset("offcombr_offensive_pt", "OffComBR offensive Portuguese news comments",
            "github.com/rogersdepelle/OffComBR @261c633", "not stated (authors' public release)",
            _both("toxicity-multilingual"),
            ("OffComBR2.csv",)),
    Dataset("told_br_toxic_pt", "ToLD-Br toxic Portuguese tweets",
            "github.com/JAugusto97/ToLD-Br @7804082", "CC BY-SA 4.0", _both("toxicity-multilingual"),
            ("ToLD-BR.csv.gz",)),
    Dataset("ban_pl_harmful_pl", "BAN-PL Polish posts banned by moderators",
            "github.com/ZILiAT-NASK/BAN-PL @2d4417f", "CC BY 4.0", _both("toxicity-multilingual"),
            ("BAN-PL_2.zip",)),
    Dataset("russian_distorted_toxicity_vk_ru", "Russian Distorted Toxicity (VK comments)",
            "github.com/alla-g/toxicity-detection-thesis @6511593", "MIT", _both("toxicity-multilingual"),
            ("russian_distorted_toxicity.tsv",)),
    Dataset("multilingual_hatecheck", "Multilingual HateCheck functional tests",
            "github.com/rewire-online/multilingual-hatecheck @a03f2ca", "CC BY 4.0", ("eval toxicity-multilingual",),
            ("hatecheck_cases_final_german.csv.gz", "hatecheck_cases_final_french.csv.gz")),
    Dataset("propaganda_ptc_semeval2020_task11", "Propaganda Techniques Corpus (SemEval-2020 task 11)",
            "github.com/aschern/semeval2020_task11 @84c384d", "not stated; research use", _both("persuasion"),
            ("train-articles", "train-task2-TC.labels")),
    Dataset("semeval2021_task6_persuasion_memes_text", "Persuasion techniques in memes (SemEval-2021 task 6)",
            "github.com/di-dimitrov/SEMEVAL-2021-task6-corpus @796b32f", "free for general research use",
            ("train persuasion",), ("data",)),
    Dataset("rumoureval2017_sdqc_stance", "RumourEval 2017 reply stance (SemEval-2017 task 8)",
            "github.com/autoreleasefool/rumoureval @042e2a0", "not stated; research use", _both("stance"),
            ("rumoureval2017_threads.tar.gz", "train-annotations", "dev-annotations", "test-annotations")),
    Dataset("fnc1_headline_body_stance", "Fake News Challenge FNC-1 (competition test set)",
            "github.com/FakeNewsChallenge/fnc-1 @29d473a", "not stated", _both("stance"),
            ("competition_test_bodies.csv.gz", "competition_test_stances.csv.gz")),
    Dataset("semeval2016_task6_stance", "SemEval-2016 task 6 tweet stance",
            "github.com/prrao87/tweet-stance-prediction @f12cf92", "not stated; research use",
            (*_both("stance"), "audit"),
            ("semeval2016-task6-trainingdata.txt", "SemEval2016-Task6-subtaskA-testdata.txt", "gold.txt")),
    Dataset("holistic_bias_descriptors", "HolisticBias descriptors", "github.com/facebookresearch/ResponsibleNLP "
            "@0ec714e", "MIT", ("audit",), ("v1.1/descriptors.json",)),
    Dataset("jigsaw_identity_bias_templates", "Jigsaw unintended-bias templates and word lists",
            "github.com/conversationai/unintended-ml-bias-analysis @9c7d91a", "CC BY 4.0",
            ("eval toxicity", "audit"),
            ("word_lists/adjectives_people.txt", "en_sentence_templates.csv.gz",
             "toxicity_nonfuzzed_testset.csv.gz")),
    Dataset("checkthat2024_task1_checkworthiness_en", "CheckThat! 2024 task 1 check-worthiness (English)",
            "github.com/kta86/Prompting @05d08df; test gold github.com/isyufeng/FactFinders @081c71a",
            "not stated; research use", _both("claims"),
            tuple(f"CT24_checkworthy_english_{s}.tsv" for s in ("train", "dev", "dev-test", "test_gold"))),
    Dataset("claimbuster_kfold25ncs", "ClaimBuster two-class k-fold subset",
            "github.com/utaresearch/claimbuster-spotter @332bba0", "GPL-3.0", ("train claims",), ("kfold_25ncs.csv",)),
    Dataset("hatecheck_functional_tests", "HateCheck functional tests", "github.com/paul-rottger/hatecheck-data "
            "@d843022", "CC BY 4.0", ("eval toxicity", "audit"), ("test_suite_cases.csv.gz",)),
    Dataset("toxigen_prompts_and_demonstrations", "ToxiGen seed statements", "github.com/microsoft/TOXIGEN @01517e8",
            "MIT", ("train toxicity", "train toxicity-multilingual", "audit"), ("unique_prompt_sentences.csv.gz",)),
    Dataset("crows_pairs_counterfactual", "CrowS-Pairs minimal pairs", "github.com/nyu-mll/crows-pairs @8aaac11",
            "CC BY-SA 4.0", ("audit",), ("crows_pairs_anonymized.csv.gz",)),
    Dataset("article_extraction_benchmark_zyte", "Article extraction benchmark (Zyte)",
            "github.com/scrapinghub/article-extraction-benchmark @4a3bc97", "MIT (pages: third-party)",
            ("extraction benchmark",), ("ground-truth.json", "html")),
    Dataset("trafilatura_eval_pages_with_comments", "trafilatura evaluation pages with comments",
            "github.com/adbar/trafilatura @e90b0ef", "Apache-2.0 (pages: third-party)", ("extraction benchmark",),
            ("evaldata_comments_subset.json", "html")),
)
BY_NAME = {d.name: d for d in DATASETS}


class MissingDataset(ThreadwiseError):
    code = "TW-E051"
    fix = ("`threadwise data` lists every dataset with its source and licence; put them in one folder and point "
           "THREADWISE_SHARED_DATA at it")


@dataclass(frozen=True)
class DatasetStatus:
    dataset: Dataset
    location: Path
    missing: tuple[str, ...]

    @property
    def present(self) -> bool:
        return not self.missing


def get_dataset(name: str) -> Dataset:
    if name not in BY_NAME:
        raise ThreadwiseError(f"no dataset named {name!r}", fix=f"known datasets: {', '.join(BY_NAME)}")
    return BY_NAME[name]


def needed_by(use: str) -> tuple[Dataset, ...]:
    """The datasets one command reads, e.g. ``needed_by("train stance")``."""
    return tuple(d for d in DATASETS if use in d.uses)


def dataset_status(datasets: Iterable[Dataset] = DATASETS, root: Path | None = None) -> list[DatasetStatus]:
    """Each dataset's expected folder and the files of it that are missing there."""
    from threadwise.locations import datasets_dir

    root = root if root is not None else datasets_dir()
    return [DatasetStatus(d, root / d.name, tuple(d.missing_files(root))) for d in datasets]


def describe_missing(status: DatasetStatus) -> str:
    """One line for an absent dataset: its name, title, source, licence, where it is expected, what is missing."""
    d = status.dataset
    what = "the whole folder" if not status.location.is_dir() else ", ".join(status.missing)
    return f"{d.name} ({d.title}; from {d.source}; licence {d.licence}): expected at {status.location}, missing {what}"


def missing_message(statuses: Iterable[DatasetStatus]) -> str | None:
    """One line per absent dataset, or None when every one is in place."""
    lines = [f"- {describe_missing(s)}" for s in statuses if not s.present]
    return "\n".join(lines) or None
