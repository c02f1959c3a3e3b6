"""Small inline SVG charts (no script, no external file): bars, columns and a stacked bar.

Each returns ``Markup`` ready for the template; labels are escaped here. Colours come from CSS classes
(``c-<name>``) so the page's stylesheet decides them and the charts stay readable in print.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from threadwise.report.model import Bucket

ROW = 24  # height of one horizontal bar row
LABEL_WIDTH = 260
VALUE_WIDTH = 170  # room right of the longest bar for its value text


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # what is written at the end of the bar
    css: str = "c-bar"
    marker: float | None = None  # a tick drawn across the bar (e.g. an expected rate)


def _svg(width: int, height: int, title: str, body: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{body}</svg>'
    )


def hbars(bars: Sequence[Bar], title: str, *, max_value: float | None = None, width: int = 700) -> Markup:
    """Horizontal bars, one row per item, value written at the bar's end."""
    top = max_value if max_value else max((b.value for b in bars), default=0.0) or 1.0
    span = width - LABEL_WIDTH - VALUE_WIDTH
    rows = []
    for i, bar in enumerate(bars):
        y = i * ROW
        length = max(0.0, min(1.0, bar.value / top)) * span
        row = (f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" class="lbl">{escape(bar.label)}</text>'
               f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" height="{ROW - 8}" rx="2" class="{bar.css}"/>'
               f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 16}" class="val">{escape(bar.text)}</text>')
        if bar.marker is not None:
            x = LABEL_WIDTH + max(0.0, min(1.0, bar.marker / top)) * span
            row += f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y + 1}" y2="{y + ROW - 1}" class="marker"/>'
        rows.append(row)
    return _svg(width, max(ROW, ROW * len(bars)), title, "".join(rows))


def columns(buckets: Sequence[Bucket], title: str, *, max_value: float = 1.0,
            threshold: float | None = None, width: int = 560, height: int = 170) -> Markup:
    """Vertical columns (one per bucket) over a 0…``max_value`` axis, with an optional threshold line."""
    values = [(b.label, b.value, b.count) for b in buckets]
    if not values:
        return _svg(width, 30, title, '<text x="0" y="20" class="lbl">no data</text>')
    left, bottom, top_pad = 34, 36, 10
    plot_h = height - bottom - top_pad
    step = (width - left) / len(values)
    label_every = 1 + int(max(len(label) for label, _, _ in values) * 6.5 // step)  # labels must not overlap
    parts = [f'<line x1="{left}" x2="{width}" y1="{top_pad + plot_h}" y2="{top_pad + plot_h}" class="axis"/>']
    for tick in (0.0, 0.5, 1.0):
        y = top_pad + plot_h * (1 - tick)
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" class="tick">'
                     f'{tick * max_value:.1f}</text>')
    for i, (label, value, count) in enumerate(values):
        h = max(0.0, min(1.0, value / max_value)) * plot_h
        x = left + i * step + step * 0.15
        parts.append(f'<rect x="{x:.1f}" y="{top_pad + plot_h - h:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
                     f'class="c-bar"><title>{escape(label)}: {value:.2f} over {count} comments</title></rect>')
        if i % label_every == 0:
            parts.append(f'<text x="{x + step * 0.35:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                         f'class="tick">{escape(label)}</text>')
    if threshold is not None:
        y = top_pad + plot_h * (1 - threshold / max_value)
        parts.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" class="threshold"/>')
    return _svg(width, height, title, "".join(parts))


def stacked(parts: Sequence[tuple[str, int, str]], title: str, *, width: int = 560, legend: bool = True) -> Markup:
    """One bar split by share (label, count, css class), with a legend underneath."""
    total = sum(count for _, count, _ in parts) or 1
    x, body = 0.0, []
    for label, count, css in parts:
        w = width * count / total
        if w > 0:
            body.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="26" class="{css}">'
                        f'<title>{escape(label)}: {count}</title></rect>')
        x += w
    if not legend:
        return _svg(width, 26, title, "".join(body))
    lx = 0
    for label, count, css in parts:
        text = f"{label} {count} ({100 * count / total:.0f}%)"
        body.append(f'<rect x="{lx}" y="36" width="12" height="12" class="{css}"/>'
                    f'<text x="{lx + 16}" y="47" class="lbl">{escape(text)}</text>')
        lx += 22 + 7 * len(text)
    return _svg(max(width, lx), 56, title, "".join(body))


def paired(rows: Sequence[tuple[str, int, int]], names: tuple[str, str], title: str, *, width: int = 700) -> Markup:
    """Two thin bars per row (label, first, second), e.g. quoted and disputed counts per paragraph."""
    top = max((max(a, b) for _, a, b in rows), default=0) or 1
    span = width - 60 - VALUE_WIDTH
    body = []
    for i, (label, first, second) in enumerate(rows):
        y = i * ROW
        body.append(f'<text x="52" y="{y + 16}" text-anchor="end" class="lbl">{escape(label)}</text>')
        for j, (value, css) in enumerate(((first, "c-quoted"), (second, "c-disputed"))):
            length = span * value / top
            body.append(f'<rect x="60" y="{y + 3 + j * 9}" width="{length:.1f}" height="8" class="{css}">'
                        f'<title>{escape(names[j])}: {value}</title></rect>')
        body.append(f'<text x="{66 + span * max(first, second) / top:.1f}" y="{y + 16}" class="val">'
                    f'{escape(names[0])} {first} · {escape(names[1])} {second}</text>')
    return _svg(width, max(ROW, ROW * len(rows)), title, "".join(body))
