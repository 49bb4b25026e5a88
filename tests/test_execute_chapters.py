"""The chapter executor: failing cells are reported, ``{eval}`` values are stored."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import execute_chapters

HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def test_eval_values_are_stored_for_jupyterlab_myst(tmp_path: Path) -> None:
    source = tmp_path / "demo.md"
    source.write_text(
        HEADER + "\n# Demo\n\n```{code-cell} ipython3\nfrom ceuslib.prose import percent\n"
        "share = percent(0.8095)\nn = 3\n```\n\nShare {eval}`share` of {eval}`n` nodes; "
        "{eval}`share` again.\n\n```{code-cell} ipython3\nn = 4\n```\n\nNow {eval}`n`.\n"
    )
    run = execute_chapters.execute_chapter(source, tmp_path / "demo.ipynb", data=None)
    assert run.failures == [] and run.expressions == 3
    notebook = nbformat.read(tmp_path / "demo.ipynb", as_version=4)
    markdown = [c for c in notebook.cells if c.metadata.get("user_expressions")]
    first, second = (c.metadata["user_expressions"] for c in markdown)
    assert [e["expression"] for e in first] == ["share", "n"]
    assert first[0]["result"] == {"status": "ok", "data": {"text/plain": "81.0%"}, "metadata": {}}
    assert first[1]["result"]["data"]["text/plain"] == "3"
    assert second[0]["result"]["data"]["text/plain"] == "4", "evaluated where the text stands"


def test_a_failing_cell_and_an_unknown_name_are_reported(tmp_path: Path) -> None:
    source = tmp_path / "broken.md"
    source.write_text(
        HEADER + "\n# Broken\n\nMissing {eval}`nowhere`.\n\n```{code-cell} ipython3\n"
        "raise ValueError('no curves in this study')\n```\n"
    )
    run = execute_chapters.execute_chapter(source, tmp_path / "broken.ipynb", data=None)
    assert len(run.failures) == 2
    assert "{eval}`nowhere`: NameError: name 'nowhere' is not defined" in run.failures[0]
    assert run.failures[1].endswith("ValueError: no curves in this study")
