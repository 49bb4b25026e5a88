"""Figure text legible on a phone: every chapter figure's text is at least 10 pt at print size.

Matplotlib writes SVG in points (72 user units per inch), so a ``font: 9px ...`` style is
9 pt on paper.  With the text kept as text (``svg.fonttype = "none"``) and the figure scaled
to the screen, a phone reader zooms into sharp 10 pt text or larger.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup

from .test_figures import figures

FONT = re.compile(r"font(?:-size)?:\s*(?:[a-z-]+\s+)*([\d.]+)px")
MIN_PT = 10.0


def test_figure_text_is_at_least_10_pt(site: Path, pages: dict[Path, BeautifulSoup]) -> None:
    small = []
    for name, path in figures(site, pages).items():
        if path.suffix != ".svg":
            continue
        sizes = [float(size) for size in FONT.findall(path.read_text(encoding="utf-8"))]
        below = sorted({size for size in sizes if size < MIN_PT - 1e-6})
        if below:
            small.append(f"{name}: text at {', '.join(f'{s:g}' for s in below)} pt")
    assert small == [], "\n".join(small)
