"""Readable on any screen: nothing clipped at 1280 px, figures fit a 390 px phone.

At a laptop width (1280 px) no table, code block or cell output may need a horizontal
scroll bar, and no figure may be wider than the text column.  At a phone width (390 px)
every figure is scaled to the screen (its text is SVG text of at least 10 pt at print size,
checked in ``tests/site/test_figures.py``, so zooming keeps it sharp).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_browser import _open, _pages

# Containers that scroll sideways when their content is too wide.
OVERFLOW_JS = """
() => {
  const out = [];
  const selectors = ['table', 'div.cell_output pre', 'div.highlight pre', 'div.output pre',
                     '.pst-scrollable-table-container', 'div.cell_output .output',
                     'figure img', 'img'];
  const seen = new Set();
  for (const sel of selectors) {
    for (const el of document.querySelectorAll('article ' + sel)) {
      if (seen.has(el)) continue;
      seen.add(el);
      const box = el.getBoundingClientRect();
      if (box.width === 0) continue;
      const article = document.querySelector('article').getBoundingClientRect();
      const wide = el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0;
      const outside = box.right > article.right + 1;
      if (wide || outside) {
        const text = (el.innerText || el.getAttribute('alt') || el.getAttribute('src') || '');
        out.push(`${sel}: ${Math.round(el.scrollWidth)} px in ${Math.round(el.clientWidth)} px`
                 + ` ("${text.slice(0, 60).replace(/\\s+/g, ' ')}")`);
      }
    }
  }
  return out;
}
"""


def _chapter_pages(site: Path) -> list[str]:
    return [p for p in _pages(site) if p.startswith("book/")]


@pytest.mark.parametrize("width", [1280])
def test_nothing_is_clipped_at_laptop_width(browser, base_url, site, width) -> None:
    problems = []
    for path in _chapter_pages(site):
        page, _ = _open(browser, f"{base_url}/{path}")
        page.set_viewport_size({"width": width, "height": 900})
        problems += [f"{path}: {item}" for item in page.evaluate(OVERFLOW_JS)]
        page.context.close()
    assert problems == [], "\n".join(problems[:40])


def test_figures_fit_a_phone_screen(browser, base_url, site) -> None:
    problems = []
    for path in _chapter_pages(site):
        page, _ = _open(browser, f"{base_url}/{path}")
        page.set_viewport_size({"width": 390, "height": 844})
        wide = page.evaluate(
            """() => [...document.querySelectorAll('article img')]
                 .filter(img => img.getBoundingClientRect().right > window.innerWidth + 1)
                 .map(img => img.getAttribute('src'))"""
        )
        problems += [f"{path}: {src} wider than the screen" for src in wide]
        page.context.close()
    assert problems == [], "\n".join(problems)
