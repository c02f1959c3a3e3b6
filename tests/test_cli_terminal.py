"""Comment text shown in a terminal is made safe: ESC sequences and other controls in a stored page
are printed as visible symbols by `show` and `analyze`, never sent to the terminal."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from threadwise.cli import app
from threadwise.cli_render import terminal_safe

RETITLE, CLEAR, HIDE = "\x1b]0;pwned\x07", "\x1b[2J", "\x1b[8m"
PAGE = f"""A title{RETITLE}

By Ann Lee / The Paper

A first paragraph of the article, long enough to be the body.{CLEAR}

Comments

  1. You are an idiot{HIDE} and everyone knows it.{CLEAR}

  2. A reply \u202eevil\u202c here.
"""


def test_terminal_safe_replaces_each_control_by_one_visible_symbol() -> None:
    assert terminal_safe(f"a{RETITLE}b") == "a␛]0;pwned␇b"
    assert terminal_safe("tab\tand\nnewline stay") == "tab\tand\nnewline stay"
    assert terminal_safe("\x9b31m\u202e") == "\ufffd31m\ufffd"
    assert len(terminal_safe(CLEAR + HIDE)) == len(CLEAR + HIDE)  # evidence span offsets still hold


def test_show_and_analyze_never_print_escape_sequences(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(PAGE, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 't.db'}"
    for command in (["show", str(page)], ["analyze", str(page), "-a", "toxicity"], ["ingest", str(page)],
                    ["threads"]):  # fmt: skip
        result = CliRunner().invoke(app, [*command, "--db", db], color=True)
        assert result.exit_code == 0, result.output
        shown = result.output
        for sequence in (RETITLE, CLEAR, HIDE, "\x07", "\u202e"):
            assert sequence not in shown, (command, sequence)
    assert "␛[8m" in CliRunner().invoke(app, ["show", str(page), "--db", db]).output
