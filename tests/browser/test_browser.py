"""The built book in a real browser: every page loads cleanly, formulas and figures render,
search works, and the pages stay readable in dark mode."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP_PAGES = {"genindex.html", "index.html"}  # index.html is a meta-refresh redirect


def _pages(site: Path) -> list[str]:
    return sorted(
        str(path.relative_to(site))
        for path in site.rglob("*.html")
        if "_static" not in path.parts and path.name not in SKIP_PAGES
    )


@dataclass
class Visit:
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)


def _open(browser: object, url: str, *, color_scheme: str = "light") -> tuple[object, Visit]:
    context = browser.new_context(
        color_scheme=color_scheme, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    visit = Visit()
    page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: visit.console_errors.append(str(error)))
    page.on("requestfailed", lambda request: visit.failed_requests.append(request.url))
    page.on(
        "response",
        lambda response: (
            visit.bad_responses.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    page.goto(url, wait_until="networkidle")
    if page.evaluate("() => typeof window.MathJax !== 'undefined' && !!MathJax.startup"):
        page.evaluate("() => MathJax.startup.promise")
    return page, visit


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "page_path" in metafunc.fixturenames:
        import os

        site = Path(os.environ.get("CEUSLIB_SITE", ROOT / "_build" / "html"))
        metafunc.parametrize("page_path", _pages(site) if site.is_dir() else ["book/intro.html"])


def test_page_loads_cleanly(browser: object, base_url: str, page_path: str) -> None:
    page, visit = _open(browser, f"{base_url}/{page_path}")
    try:
        assert visit.console_errors == []
        assert visit.failed_requests == []
        assert visit.bad_responses == []
        broken = page.evaluate(
            "() => Array.from(document.images)"
            ".filter(img => !img.complete || img.naturalWidth === 0).map(img => img.src)"
        )
        assert broken == [], "figures that did not load"
        # every inline or display formula was typeset by MathJax, without a TeX error
        sources = page.evaluate("() => document.querySelectorAll('.math').length")
        typeset = page.evaluate("() => document.querySelectorAll('mjx-container').length")
        errors = page.evaluate("() => document.querySelectorAll('mjx-merror').length")
        assert errors == 0
        assert typeset >= sources
        levels = page.evaluate(
            "() => Array.from(document.querySelectorAll('main h1, main h2, main h3, main h4,"
            " main h5, main h6')).map(h => Number(h.tagName[1]))"
        )
        assert levels and levels[0] == 1, "a page starts with its h1"
        jumps = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
        assert jumps == [], "headings skip a level"
    finally:
        page.context.close()


def test_formulas_render_on_the_first_chapter(browser: object, base_url: str) -> None:
    page, _ = _open(browser, f"{base_url}/book/intro.html")
    try:
        assert page.locator("mjx-container").count() > 0
    finally:
        page.context.close()


def test_search_finds_delong(browser: object, base_url: str, screenshots: Path) -> None:
    page, visit = _open(browser, f"{base_url}/search.html?q=DeLong")
    try:
        page.wait_for_selector("#search-results ul.search li", timeout=15000)
        results = page.locator("#search-results ul.search li").count()
        assert results >= 1
        assert visit.console_errors == []
        page.screenshot(path=str(screenshots / "search-delong.png"))
    finally:
        page.context.close()


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two CSS ``rgb(...)`` colours."""
    fg, bg = (
        tuple(float(v) for v in re.findall(r"[\d.]+", c)[:3]) for c in (foreground, background)
    )
    light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_and_screenshots(
    browser: object, base_url: str, screenshots: Path, scheme: str
) -> None:
    page, visit = _open(browser, f"{base_url}/book/intro.html", color_scheme=scheme)
    try:
        assert page.evaluate("() => document.documentElement.dataset.theme") == scheme
        colours = page.evaluate(
            "() => { const p = document.querySelector('main p');"
            " const s = getComputedStyle(p); const b = getComputedStyle(document.body);"
            " return [s.color, b.backgroundColor]; }"
        )
        assert _contrast(*colours) >= 4.5, f"body text contrast too low in {scheme} mode: {colours}"
        # figures keep an opaque white background, so they stay readable on a dark page
        assert page.evaluate(
            "() => Array.from(document.querySelectorAll('main img')).every(i => i.naturalWidth > 0)"
        )
        page.screenshot(path=str(screenshots / f"intro-{scheme}.png"), full_page=False)
        assert visit.console_errors == []
    finally:
        page.context.close()
