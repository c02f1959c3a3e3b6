"""Where threadwise writes: the user's data and cache folders by default, each setting an override."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, REPO
from threadwise import locations
from threadwise.analysers.embed import onnx_graph_path
from threadwise.analysers.heads import ReadOnlyHeads, writable_heads_dir
from threadwise.cli import app
from threadwise.settings import get_setting


@pytest.fixture
def xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The user's folders rooted in a temporary directory, with no threadwise setting in the way."""
    for name in ("DB", "DATA_DIR", "CACHE", "SHARED_DATA", "CONFIG", "HEADS"):
        monkeypatch.delenv(f"THREADWISE_{name}", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_are_the_users_data_and_cache_folders(xdg: Path) -> None:
    assert get_setting("db") == f"sqlite:///{xdg / 'data' / 'threadwise' / 'threadwise.db'}"
    assert locations.cache_dir() == xdg / "cache" / "threadwise"
    assert onnx_graph_path().parent == xdg / "cache" / "threadwise"
    assert locations.default_output("pages/op-ed.txt", "json") == xdg / "data" / "threadwise" / "exports" / "op-ed.json"


def test_settings_override_each_folder(xdg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THREADWISE_DATA_DIR", str(xdg / "mine"))
    monkeypatch.setenv("THREADWISE_CACHE", str(xdg / "scratch"))
    monkeypatch.setenv("THREADWISE_SHARED_DATA", str(xdg / "sets"))
    assert get_setting("db") == f"sqlite:///{xdg / 'mine' / 'threadwise.db'}"
    assert locations.cache_dir() == xdg / "scratch" and locations.datasets_dir() == xdg / "sets"
    monkeypatch.setenv("THREADWISE_DB", "sqlite:///elsewhere.db")
    assert get_setting("db") == "sqlite:///elsewhere.db" and get_setting("db", "sqlite:///flag.db") == "sqlite:///flag.db"


def test_threadwise_toml_sets_the_folders_too(xdg: Path) -> None:
    (xdg / "threadwise.toml").write_text(f'[threadwise]\ncache = "{xdg / "toml-cache"}"\n', encoding="utf-8")
    assert locations.cache_dir() == xdg / "toml-cache"


def test_a_checkout_finds_the_datasets_beside_it(xdg: Path) -> None:
    assert locations.source_checkout() == REPO
    assert locations.datasets_dir() == REPO.parent / "shared" / "data"


def test_ingest_and_export_without_paths_write_into_the_data_folder_only(xdg: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(EXAMPLE)]).exit_code == 0
    thread = runner.invoke(app, ["threads"], env={"COLUMNS": "200"}).output.split("│")[1].strip()
    exported = runner.invoke(app, ["export", thread], env={"COLUMNS": "400"})
    assert exported.exit_code == 0, exported.output
    data = xdg / "data" / "threadwise"
    assert (data / "threadwise.db").is_file() and (data / "exports" / f"{thread}.json").is_file()
    assert sorted(p.name for p in xdg.iterdir()) == ["data"]  # nothing in the working directory


def test_training_writes_heads_only_where_it_may(xdg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert writable_heads_dir() == REPO / "src" / "threadwise" / "heads"  # a checkout commits its heads
    monkeypatch.setattr(locations, "source_checkout", lambda: None)  # as an installed package is
    with pytest.raises(ReadOnlyHeads, match="THREADWISE_HEADS"):
        writable_heads_dir()
    monkeypatch.setenv("THREADWISE_HEADS", str(xdg / "heads"))
    assert writable_heads_dir() == xdg / "heads"
