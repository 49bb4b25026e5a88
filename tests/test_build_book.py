"""The book builder's bookkeeping: output names and the execution-cache fingerprint."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import build_book


def test_slug_makes_a_safe_folder_name() -> None:
    assert build_book.slug(Path("/data/My Study (2025)")) == "My-Study-2025"
    assert build_book.slug(Path("/x/html")) == "data-html"  # never clobber _build/html


def test_fingerprint_follows_the_data(tmp_path: Path) -> None:
    (tmp_path / "nodes.csv").write_text("node_id\nN1\n")
    before = build_book.fingerprint(tmp_path)
    assert build_book.fingerprint(tmp_path) == before
    (tmp_path / "nodes.csv").write_text("node_id\nN2\n")
    assert build_book.fingerprint(tmp_path) != before


def test_cache_is_dropped_when_the_fingerprint_changes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("1\n")
    build = tmp_path / "_build"
    build_book.refresh_cache(build, data)
    cached = build / ".jupyter_cache" / "entry"
    cached.parent.mkdir(parents=True)
    cached.write_text("executed output")
    build_book.refresh_cache(build, data)
    assert cached.exists(), "unchanged inputs keep the cache"
    (data / "a.csv").write_text("2\n")
    build_book.refresh_cache(build, data)
    assert not cached.exists(), "changed data must drop the cache"
