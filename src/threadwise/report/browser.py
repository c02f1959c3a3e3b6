"""Check and picture a report in headless Chromium (Playwright driving Debian's ``/usr/bin/chromium``).

Playwright is a development dependency: imported here only, when a check or screenshot is asked for.
``render_check`` opens the page from a ``file://`` URL and records console errors, page errors and every
request other than the file itself, so a test can prove the page is self-contained.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
SECTIONS = ("sec-head", "sec-glance", "sec-persuasion", "sec-claims", "sec-topics", "sec-neutrality", "sec-comments")


@dataclass
class PageCheck:
    """What the browser saw while loading the page."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # anything fetched besides the page itself
    sections: list[str] = field(default_factory=list)  # section ids found on the page
    screenshots: list[Path] = field(default_factory=list)


def render_check(html: Path, screenshots: Path | None = None, *, width: int = 1100) -> PageCheck:
    """Load ``html`` in headless Chromium; optionally save one PNG per section into ``screenshots``."""
    from playwright.sync_api import sync_playwright

    check = PageCheck()
    url = html.resolve().as_uri()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on("console", lambda m: check.console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: check.page_errors.append(str(e)))
            page.on("request", lambda r: check.requests.append(r.url) if r.url != url else None)
            page.goto(url, wait_until="load")
            check.sections = [s for s in SECTIONS if page.locator(f"#{s}").count()]
            if screenshots is not None:
                screenshots.mkdir(parents=True, exist_ok=True)
                page.add_style_tag(content=".toc { position: static; }")  # keep the bar out of the pictures
                for number, section in enumerate(check.sections, start=1):
                    path = screenshots / f"{number}-{section.removeprefix('sec-')}.png"
                    page.locator(f"#{section}").screenshot(path=str(path))
                    check.screenshots.append(path)
        finally:
            browser.close()
    return check


def main(argv: list[str] | None = None) -> None:
    """``python -m threadwise.report.browser REPORT.html OUT_DIR``: check the page, save section PNGs."""
    import sys

    html, out = (argv if argv is not None else sys.argv[1:])[:2]
    check = render_check(Path(html), Path(out))
    problems = check.console_errors + check.page_errors + check.requests
    for path in check.screenshots:
        print(path)
    if problems:
        raise SystemExit(f"the page is not clean: {problems}")


if __name__ == "__main__":
    main()
