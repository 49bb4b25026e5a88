"""The book builder's bookkeeping: output names, the execution-cache fingerprint, and the
output contract of a build on a study's data (with a stand-in for jupyter-book)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

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


FAKE_JUPYTER_BOOK = """#!{python}
import os, sys
out = sys.argv[sys.argv.index("--path-output") + 1]
if os.environ.get("FAKE_BUILD_FAILS"):
    sys.exit(3)
page = os.path.join(out, "_build", "html", "book")
os.makedirs(page)
with open(os.path.join(page, "intro.html"), "w") as handle:
    handle.write(os.environ["CEUSLIB_DATA"] + os.environ.get("FAKE_BUILD_MARK", ""))
"""


@pytest.fixture
def fake_repository(tmp_path, monkeypatch):
    """A repository root with a config and a jupyter-book that writes one page."""
    root = tmp_path / "repo"
    (root / "_build").mkdir(parents=True)
    (root / "_config.yml").write_text("html: {}\nexecute: {}\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "jupyter-book"
    script.write_text(FAKE_JUPYTER_BOOK.format(python=sys.executable))
    script.chmod(0o755)
    monkeypatch.setattr(build_book, "ROOT", root)
    monkeypatch.setattr(build_book, "BIN", bin_dir)
    data = tmp_path / "study"
    data.mkdir()
    return root, data


def page(root: Path) -> str:
    return (root / "_build" / "study" / "_build" / "html" / "book" / "intro.html").read_text()


def test_a_data_build_replaces_only_its_own_earlier_build(
    fake_repository, monkeypatch, capsys
) -> None:
    root, data = fake_repository
    assert build_book.main(["--data", str(data)]) == 0
    assert page(root) == str(data)
    monkeypatch.setenv("FAKE_BUILD_MARK", " again")
    assert build_book.main(["--data", str(data)]) == 0
    assert page(root) == f"{data} again"
    assert sorted(p.name for p in (root / "_build").iterdir()) == ["study"]
    (root / "_build" / "study" / "mine.txt").write_text("mine")
    assert build_book.main(["--data", str(data)]) == 1
    assert "and other files (mine.txt); it is not replaced" in capsys.readouterr().err
    assert (root / "_build" / "study" / "mine.txt").read_text() == "mine"


def test_a_failed_data_build_leaves_the_previous_book(fake_repository, monkeypatch) -> None:
    root, data = fake_repository
    assert build_book.main(["--data", str(data)]) == 0
    monkeypatch.setenv("FAKE_BUILD_FAILS", "1")
    assert build_book.main(["--data", str(data)]) == 3
    assert page(root) == str(data)
    assert sorted(p.name for p in (root / "_build").iterdir()) == ["study"]


def test_a_data_build_never_replaces_a_folder_it_did_not_build(fake_repository, capsys) -> None:
    root, data = fake_repository
    (root / "_build" / "study").mkdir()
    (root / "_build" / "study" / "notes.txt").write_text("mine")
    assert build_book.main(["--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"error: {root / '_build' / 'study'}: is not empty and is not an earlier book built "
        "by make book (it holds notes.txt); nothing was changed\n"
    )
    inside = root / "_build" / "study" / "copy" / "study"  # built into _build/study
    inside.mkdir(parents=True)
    assert build_book.main(["--data", str(inside)]) == 1
    assert "holds the input" in capsys.readouterr().err
