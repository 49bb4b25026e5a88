"""The book's figures: SVG files with their text kept as text, on a white opaque background."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup

# The figure's own background: matplotlib's first patch, filled white.
WHITE_FIGURE = re.compile(r'<g id="patch_1">\s*<path d="[^"]*"\s*style="fill: #ffffff"/>')


def figures(site: Path, pages: dict[Path, BeautifulSoup]) -> dict[str, Path]:
    """The chapter figures drawn by matplotlib (not inline data such as the animated loop)."""
    found = {}
    for page, soup in pages.items():
        if page.parent != site / "book":
            continue
        for img in soup.find_all("img"):
            src = img.get("src", "")
            if src.startswith("data:"):
                continue
            found[f"{page.name}: {src}"] = (page.parent / src).resolve()
    return found


def test_chapter_figures_are_svg_with_text_on_white(
    site: Path, pages: dict[Path, BeautifulSoup]
) -> None:
    shown = figures(site, pages)
    assert len(shown) >= 20
    not_svg = [name for name, path in shown.items() if path.suffix != ".svg"]
    assert not_svg == [], "book_style() in the chapter's setup cell shows figures as SVG"
    problems = []
    for name, path in shown.items():
        svg = path.read_text(encoding="utf-8")
        if "<text" not in svg:
            problems.append(f"{name}: text drawn as paths (svg.fonttype is not 'none')")
        if not WHITE_FIGURE.search(svg):
            problems.append(f"{name}: no white opaque figure background")
        if "<dc:date>" in svg:
            problems.append(f"{name}: dated, so not reproducible")
    assert problems == []
