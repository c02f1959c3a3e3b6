"""The public datasets' table: `threadwise data`, docs/DATA.md, and train/eval naming exactly what is missing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO, missing_datasets_reason
from threadwise.cli import app
from threadwise.datasets import BY_NAME, DATASETS, get_dataset, needed_by
from threadwise.train import TRAINERS

CLI = CliRunner()


def stage(root: Path, name: str) -> None:
    """Lay out the files a loader checks for, empty: presence is about files being there, not their content."""
    for relative in get_dataset(name).files:
        path = root / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()


def test_docs_data_lists_every_dataset_with_its_licence_source_and_readers() -> None:
    rows = {}
    for line in (REPO / "docs" / "DATA.md").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"\| `([a-z0-9_]+)` \|(.*)\|$", line):
            rows[match[1]] = [cell.strip() for cell in match[2].split("|")]
    assert set(rows) == set(BY_NAME)
    for d in DATASETS:
        assert rows[d.name] == [d.title, ", ".join(d.uses), d.licence, d.source], d.name


def test_every_trainer_has_its_train_and_eval_datasets_declared() -> None:
    for name in TRAINERS:
        assert needed_by(f"train {name}") and needed_by(f"eval {name}"), name
    assert needed_by("audit") and needed_by("extraction benchmark")


def test_data_command_says_which_datasets_are_here_and_what_is_missing(monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
    stage(tmp_path, "claimbuster_kfold25ncs")
    (tmp_path / "fnc1_headline_body_stance").mkdir()
    (tmp_path / "fnc1_headline_body_stance" / "competition_test_bodies.csv.gz").touch()
    monkeypatch.setenv("THREADWISE_SHARED_DATA", str(tmp_path))
    result = CLI.invoke(app, ["data", "--json"])
    assert result.exit_code == 0, result.output
    listed = {d["name"]: d for d in json.loads(result.output)}
    assert set(listed) == set(BY_NAME)
    assert listed["claimbuster_kfold25ncs"]["present"] and listed["claimbuster_kfold25ncs"]["missing"] == []
    assert listed["fnc1_headline_body_stance"]["missing"] == ["competition_test_stances.csv.gz"]
    assert listed["olid_offenseval2019"]["location"] == str(tmp_path / "olid_offenseval2019")
    table = CLI.invoke(app, ["data"], env={"COLUMNS": "250"})
    assert f"1 of {len(DATASETS)} in place under" in table.output and "GPL-3.0" in table.output


def test_train_names_each_missing_dataset_with_source_and_place_before_training(monkeypatch: pytest.MonkeyPatch,
                                                                                tmp_path: Path) -> None:
    stage(tmp_path, "checkthat2024_task1_checkworthiness_en")
    monkeypatch.setenv("THREADWISE_SHARED_DATA", str(tmp_path))
    result = CLI.invoke(app, ["train", "claims"], env={"COLUMNS": "400"})
    assert result.exit_code == 1 and result.exception is not None
    message = str(result.exception)
    assert message.startswith("[TW-E051]") and "`threadwise train claims`" in message
    assert "claimbuster_kfold25ncs (ClaimBuster two-class k-fold subset; from github.com/utaresearch" in message
    assert f"expected at {tmp_path / 'claimbuster_kfold25ncs'}, missing the whole folder" in message
    assert "checkthat2024" not in message  # the one in place is not named
    assert "THREADWISE_SHARED_DATA" in message and "threadwise data" in message


def test_eval_asks_only_for_what_evaluation_reads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("THREADWISE_SHARED_DATA", str(tmp_path))
    result = CLI.invoke(app, ["eval", "target"])
    names = re.findall(r"^- ([a-z0-9_]+) ", str(result.exception), flags=re.M)
    assert names == ["olid_offenseval2019"]  # the lexicon's sources are for training only


def test_an_unknown_trainer_is_refused_before_datasets_are_checked(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    monkeypatch.setenv("THREADWISE_SHARED_DATA", str(tmp_path))
    result = CLI.invoke(app, ["eval", "sentiment"])
    assert "no trainer for 'sentiment'" in str(result.exception) and "stance" in str(result.exception)


def test_the_skip_reason_of_a_dataset_test_names_the_dataset_and_its_place(monkeypatch: pytest.MonkeyPatch,
                                                                          tmp_path: Path) -> None:
    monkeypatch.setattr("conftest.SHARED_DATA", tmp_path)
    reason = missing_datasets_reason(("hatecheck_functional_tests",), None)
    assert reason is not None and "hatecheck_functional_tests (HateCheck functional tests" in reason
    assert str(tmp_path / "hatecheck_functional_tests") in reason and "threadwise data" in reason
    stage(tmp_path, "hatecheck_functional_tests")
    assert missing_datasets_reason(("hatecheck_functional_tests",), None) is None
    assert "semeval2016_task6_stance" in (missing_datasets_reason((), "eval stance") or "")
