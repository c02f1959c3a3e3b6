"""The fine-tuning trainers' run folders: a run resumes only the checkpoints of its own rows, labels and settings."""

from __future__ import annotations

from dataclasses import replace

from threadwise.train.conduct import meta_digest
from threadwise.train.conduct_rows import Row, benign, targets
from threadwise.train.stance import run_folder
from threadwise.train.stance_data import Pair


def test_a_relabelled_row_starts_a_new_run_and_the_same_rows_resume_theirs() -> None:
    rows = [Row("You are an idiot.", "test", targets(toxicity=1.0, insult=1.0)), benign("test", "Thanks for this.")]
    relabelled = [replace(rows[0], targets=targets(toxicity=1.0, insult=0.0)), rows[1]]
    respanned = [replace(rows[0], spans=((10, 15, "insult"),)), rows[1]]
    assert meta_digest(list(rows)) == meta_digest(rows)
    assert meta_digest(relabelled)["label_digest"] != meta_digest(rows)["label_digest"]
    assert meta_digest(respanned)["label_digest"] != meta_digest(rows)["label_digest"]
    assert meta_digest(relabelled)["text_digest"] == meta_digest(rows)["text_digest"]  # the texts are the same


def test_a_stance_pair_with_another_label_gets_another_run_folder() -> None:
    pairs = [Pair("Yes it is.", ("It is not appeasement.",), "deny", "train"),
             Pair("Agreed.", ("A ceasefire saves lives.",), "support", "train")]
    relabelled = [replace(pairs[0], label="comment"), pairs[1]]
    assert run_folder(pairs) == run_folder(list(pairs))
    assert run_folder(relabelled) != run_folder(pairs)
