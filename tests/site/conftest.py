"""Fixtures for the checks on the built HTML book (run after ``jupyter-book build``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def site() -> Path:
    """The built HTML folder: ``$CEUSLIB_SITE`` or ``_build/html``; it must exist."""
    folder = Path(os.environ.get("CEUSLIB_SITE", ROOT / "_build" / "html"))
    if not (folder / "index.html").is_file():
        pytest.fail(f"no built book in {folder}: run `make book` (or `make test`) first")
    return folder


@pytest.fixture(scope="session")
def pages(site: Path) -> dict[Path, BeautifulSoup]:
    """Every HTML page of the built book, parsed."""
    return {
        path: BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for path in sorted(site.rglob("*.html"))
        if "_static" not in path.parts
    }
