"""The numbers of the prose: computed, stored for JupyterLab, and the same in the book.

The chapters step executes every chapter into ``_build/lab`` and stores each ``{eval}``
value in its Markdown cell's ``user_expressions`` (what ``jupyterlab-myst`` shows when a
reader opens the notebook with ``make lab``).  The book build executes the chapters again;
the inline values it prints must be those values, occurrence by occurrence.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from execute_chapters import eval_occurrences  # noqa: E402

LAB = ROOT / "_build" / "lab"


#: What Sphinx's smart quotes make of the characters of a value (docutils ``smartquotes``);
#: the page shows the typographic form, the notebook keeps the typed one.
SMART = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def _shown(result: dict) -> str:
    text = result.get("data", {}).get("text/plain", "")
    try:  # a plain str shows as its repr; MyST renders the text itself
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, str) else text


def _notebooks() -> list[Path]:
    return sorted(LAB.glob("*.ipynb"))


def test_the_chapters_step_stored_its_notebooks() -> None:
    assert _notebooks(), f"no executed chapters in {LAB}: the chapters step writes them"


@pytest.mark.parametrize("notebook", _notebooks(), ids=lambda p: p.stem)
def test_every_eval_value_is_stored_and_printed_by_the_book(notebook: Path, site: Path) -> None:
    occurrences = eval_occurrences(nbformat.read(notebook, as_version=4))
    if not occurrences:
        pytest.skip(f"{notebook.stem} has no {{eval}} role")
    missing = [expr for expr, result in occurrences if result.get("status") != "ok"]
    assert missing == [], f"{notebook.stem}: no value stored for {missing}"
    page = site / "book" / f"{notebook.stem}.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    printed = [
        span.get_text().translate(SMART)
        for span in soup.select("article span.output")
        if span.find_parent(["pre", "div"], class_="cell_output") is None
    ]
    stored = [_shown(result).translate(SMART) for _, result in occurrences]
    assert printed == stored, f"{notebook.stem}: the book prints other values than the run"
