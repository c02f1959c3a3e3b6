"""The report → one self-contained HTML page (inline CSS, JS and SVG; no request leaves the file) or JSON."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from threadwise import __version__
from threadwise.report import svg
from threadwise.report.model import Highlight, ParagraphStat, Report, Technique

STANCE_CSS = {"support": "c-support", "deny": "c-deny", "query": "c-query", "comment": "c-comment", "none": "c-none"}


def highlight(text: str, highlights: Sequence[Highlight]) -> Markup:
    """``text`` with each span wrapped in ``<mark>``; overlapping spans split the text where they begin or end."""
    cuts = sorted({0, len(text), *(h.start for h in highlights), *(h.end for h in highlights)})
    out = []
    for start, end in itertools.pairwise(cuts):
        covering = [h for h in highlights if h.start <= start and end <= h.end]
        piece = escape(text[start:end])
        if covering:
            kinds = " ".join(sorted({f"k-{h.analyser}" for h in covering}))
            title = ", ".join(dict.fromkeys(f"{h.analyser}: {h.label}" for h in covering))
            piece = Markup(f'<mark class="{kinds}" title="{escape(title)}">{piece}</mark>')
        out.append(piece)
    return Markup("").join(out)


def stance_parts(counts: dict[str, int]) -> list[tuple[str, int, str]]:
    return [(stance, counts.get(stance, 0), css) for stance, css in STANCE_CSS.items()]


def target_bars(targets: dict[str, int]) -> list[svg.Bar]:
    return [svg.Bar(label_name(t), n, str(n), "c-argument" if t == "argument" else "c-attack")
            for t, n in targets.items()]


def technique_bars(techniques: Sequence[Technique]) -> list[svg.Bar]:
    return [svg.Bar(t.name, t.comments, plural(t.comments, "comment") + (" · in the article" if t.in_article else ""),
                    "c-persuasion") for t in techniques]


def flag_bars(groups: Sequence[dict[str, Any]]) -> list[svg.Bar]:
    """Observed flag rate per non-empty stance group, with the conduct-expected rate as a tick."""
    return [svg.Bar(f"{g['stance']} ({g['comments']})", g["flag_rate"] or 0.0, percent(g["flag_rate"]),
                    STANCE_CSS[g["stance"]], g["expected_flag_rate"]) for g in groups if g["comments"]]


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def paragraph_rows(paragraphs: Sequence[ParagraphStat]) -> list[tuple[str, int, int]]:
    return [(f"¶{p.index + 1}", p.quoted, p.disputed) for p in paragraphs]


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def readable_date(value: str | None) -> str:
    """An ISO timestamp as a reader writes a date: "14 August 2020", with the time only when the page gave one."""
    if not value:
        return ""
    when = datetime.fromisoformat(value)
    day = f"{when.day} {when:%B %Y}"
    return day if (when.hour, when.minute) == (0, 0) else f"{day}, {when:%H:%M} UTC"


def label_name(label: str) -> str:
    return label.replace("_", " ")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("threadwise.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.filters.update(highlight=highlight, percent=percent, label_name=label_name, plural=plural,
                       readable_date=readable_date)
    env.globals.update(svg=svg, STANCE_CSS=STANCE_CSS, stance_parts=stance_parts, target_bars=target_bars,
                       technique_bars=technique_bars, flag_bars=flag_bars,
                       paragraph_rows=paragraph_rows)
    return env


def _asset(name: str) -> Markup:
    # Our own files, inlined verbatim: the page must open from disk with no second request.
    return Markup(files("threadwise.report").joinpath("templates", name).read_text(encoding="utf-8"))


def render_html(report: Report) -> str:
    """The report as one HTML document."""
    template = _environment().get_template("report.html.j2")
    return template.render(r=report, css=_asset("report.css"), js=_asset("report.js"), version=__version__)


def render_json(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=1)
