"""Checks on the built HTML: pages, links, images, alt text, nothing loaded from the network."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from toc import toc_files  # noqa: E402

# Attributes through which a page loads a resource (as opposed to linking to it).
LOADING = {
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
    "embed": "src",
    "object": "data",
    "track": "src",
}
REMOTE = re.compile(r"^(https?:)?//", re.I)


def _local_target(page: Path, url: str, site: Path) -> Path | None:
    """The file a relative URL points to, or ``None`` for external, anchor or data URLs."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    target = (page.parent / unquote(parts.path)).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target


def test_every_toc_entry_has_a_page(site: Path) -> None:
    missing = [entry for entry in toc_files(ROOT) if not (site / f"{entry}.html").is_file()]
    assert missing == []


def test_index_redirects_to_the_first_chapter(site: Path) -> None:
    index = (site / "index.html").read_text()
    assert "book/intro.html" in index


def test_no_broken_internal_links_images_or_static_files(
    site: Path, pages: dict[Path, BeautifulSoup]
) -> None:
    broken = []
    for page, soup in pages.items():
        for tag in soup.find_all(["a", "link", "script", "img", "source", "iframe"]):
            for attribute in ("href", "src"):
                url = tag.get(attribute)
                if not url:
                    continue
                target = _local_target(page, url, site)
                if target is not None and not target.exists():
                    broken.append(f"{page.relative_to(site)}: {tag.name} {attribute}={url}")
    assert broken == []


def test_internal_anchors_exist(site: Path, pages: dict[Path, BeautifulSoup]) -> None:
    ids = {
        page.resolve(): {tag["id"] for tag in soup.find_all(id=True)}
        for page, soup in pages.items()
    }
    broken = []
    for page, soup in pages.items():
        for tag in soup.find_all("a", href=True):
            parts = urlsplit(tag["href"])
            if parts.scheme or parts.netloc or not parts.fragment:
                continue
            target = _local_target(page, tag["href"], site) if parts.path else page.resolve()
            if target in ids and unquote(parts.fragment) not in ids[target]:
                broken.append(f"{page.relative_to(site)}: {tag['href']}")
    assert broken == []


def test_every_image_has_alt_text(site: Path, pages: dict[Path, BeautifulSoup]) -> None:
    without = [
        f"{page.relative_to(site)}: {img.get('src')}"
        for page, soup in pages.items()
        for img in soup.find_all("img")
        if not (img.get("alt") or "").strip()
    ]
    assert without == []


def test_chapters_have_figures(site: Path) -> None:
    soup = BeautifulSoup((site / "book" / "intro.html").read_text(), "html.parser")
    assert len(soup.find_all("img")) >= 1


def test_no_page_loads_anything_from_the_network(
    site: Path, pages: dict[Path, BeautifulSoup]
) -> None:
    remote = []
    for page, soup in pages.items():
        for name, attribute in LOADING.items():
            for tag in soup.find_all(name):
                url = tag.get(attribute) or ""
                if REMOTE.match(url):
                    remote.append(f"{page.relative_to(site)}: <{name} {attribute}={url}>")
        for tag in soup.find_all("link", href=True):
            rel = set(tag.get("rel") or [])
            if rel & {
                "stylesheet",
                "preload",
                "modulepreload",
                "icon",
                "manifest",
            } and REMOTE.match(tag["href"]):
                remote.append(f"{page.relative_to(site)}: <link {tag['href']}>")
        for style in soup.find_all("style"):
            remote += [
                f"{page.relative_to(site)}: style {url}"
                for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", style.text)
            ]
    assert remote == []


@pytest.mark.parametrize("suffix", [".css", ".js"])
def test_static_files_load_nothing_remote(site: Path, suffix: str) -> None:
    remote = []
    for path in (site / "_static").rglob(f"*{suffix}"):
        text = path.read_text(encoding="utf-8", errors="replace")
        if suffix == ".css":
            found = re.findall(r"(?:@import\s+|url\(\s*)['\"]?((?:https?:)?//[^)'\"\s;]+)", text)
        else:
            found = re.findall(r"importScripts\(\s*['\"](https?://[^'\"]+)", text)
        remote += [f"{path.relative_to(site)}: {url}" for url in found]
    assert remote == []


def test_mathjax_is_served_locally(site: Path) -> None:
    soup = BeautifulSoup((site / "book" / "intro.html").read_text(), "html.parser")
    sources = [tag.get("src", "") for tag in soup.find_all("script")]
    mathjax = [src for src in sources if "mathjax" in src.lower()]
    assert mathjax, "no MathJax script on a page with formulas"
    for src in mathjax:
        target = _local_target(site / "book" / "intro.html", src, site)
        assert target is not None and target.is_file(), src
    fonts = site / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert any(fonts.glob("*.woff")), "MathJax fonts are missing"


def test_footer_shows_this_year_and_licences(site: Path) -> None:
    text = (site / "book" / "intro.html").read_text()
    assert "2026" in text and "CC-BY-4.0" in text


def test_glued_numbers_are_rendered(site: Path) -> None:
    text = BeautifulSoup((site / "book" / "intro.html").read_text(), "html.parser").get_text()
    assert re.search(r"\b22\s+of\s+41\s+necks\s+clear\s+on\s+pathology", text)


def test_two_executions_glue_identical_numbers(site: Path) -> None:
    """The chapters step and the book build execute every chapter separately; same numbers."""
    executed_glue = json.loads((ROOT / "_build" / "reports" / "glue-executed.json").read_text())
    executed = ROOT / "_build" / "jupyter_execute"
    built = {}
    for glue_file in sorted(executed.rglob("*.glue.json")):
        chapter = glue_file.name.removesuffix(".glue.json")
        built[chapter] = {
            name: output["data"].get("text/plain", "")
            for name, output in json.loads(glue_file.read_text()).items()
        }
        assert chapter in executed_glue, f"{chapter}: glued in the book build, not in the run"
        assert executed_glue[chapter] == built[chapter], f"{chapter}: glued values differ"
    # Every chapter that glues in the chapters step glues in the book build too.  (The
    # chapters print their numbers with {eval}; tests/site/test_eval_values.py and
    # test_printed_snapshot.py check those.)
    assert sorted(c for c, values in executed_glue.items() if values) == sorted(
        c for c, values in built.items() if values
    )


def test_every_page_names_its_data(site: Path, pages: dict[Path, BeautifulSoup]) -> None:
    """A banner on every page says which data the book was built on."""
    unnamed = []
    for page, soup in pages.items():
        if page.name == "index.html":  # the meta-refresh redirect
            continue
        banner = soup.select_one(".bd-header-announcement")
        text = banner.get_text(" ") if banner else ""
        if "synthetic" not in text and "Built on the data in" not in text:
            unnamed.append(str(page.relative_to(site)))
    assert unnamed == []
