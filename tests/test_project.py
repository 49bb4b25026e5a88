"""The project's set-up: pins, book configuration, chapter shape, what git may hold."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import lock
import run_tests
import toc


def test_environment_yml_installs_the_lock_pins(root: Path) -> None:
    pins = lock.read_pins((root / "requirements" / "lock.txt").read_text())
    environment = yaml.safe_load((root / "environment.yml").read_text())
    pip_section = [item for item in environment["dependencies"] if isinstance(item, dict)]
    assert len(pip_section) == 1
    assert pip_section[0]["pip"] == pins
    assert "python=3.11" in environment["dependencies"]
    assert (root / "environment.yml").read_text() == lock.environment_yml(pins)


def test_every_lock_line_is_an_exact_pin(root: Path) -> None:
    pins = lock.read_pins((root / "requirements" / "lock.txt").read_text())
    assert pins, "empty lock file"
    bad = [pin for pin in pins if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[^=\s]+", pin)]
    assert bad == []


def test_every_requirement_is_locked(root: Path) -> None:
    locked = {
        pin.split("==")[0].lower().replace("_", "-")
        for pin in lock.read_pins((root / "requirements" / "lock.txt").read_text())
    }
    wanted = [
        re.split(r"[=<>~\[ ]", line)[0].lower().replace("_", "-")
        for line in lock.read_pins((root / "requirements" / "requirements.in").read_text())
    ]
    assert [name for name in wanted if name not in locked] == []
    assert "jupyter-book==1.0.4.post1" in (root / "requirements" / "lock.txt").read_text()


def test_book_configuration(root: Path) -> None:
    config = yaml.safe_load((root / "_config.yml").read_text())
    assert config["only_build_toc_files"] is True
    assert config["execute"]["execute_notebooks"] in {"cache", "force"}
    assert config["execute"]["allow_errors"] is False
    sphinx = config["sphinx"]["config"]
    assert sphinx["nb_execution_raise_on_error"] is True
    assert "2026" in config["copyright"]
    assert config["repository"]["url"].startswith("https://")
    for excluded in (".venv", "_build", "tests", "data", "ceuslib"):
        assert excluded in config["exclude_patterns"]
    static = [root / folder for folder in sphinx["html_static_path"]]
    assert (static[0] / sphinx["mathjax_path"]).is_file(), "MathJax must be served locally"
    assert not re.match(r"https?://", sphinx["mathjax_path"])
    for bib in config["bibtex_bibfiles"]:
        assert (root / bib).is_file()


def test_toc_entries_exist_and_every_chapter_is_listed(root: Path) -> None:
    entries = toc.toc_files(root)
    assert entries[0] == "book/intro"
    assert len(entries) == len(set(entries)), "a page is listed twice"
    for entry in entries:
        assert (root / f"{entry}.md").is_file(), entry
    sources = {f"book/{path.stem}" for path in (root / "book").glob("*.md")}
    assert sources - set(entries) == set(), "a chapter in book/ is not in _toc.yml"


def test_toc_chapters_raises_for_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\n")
    with pytest.raises(FileNotFoundError, match="book/intro"):
        toc.toc_chapters(tmp_path)


def test_chapters_are_jupytext_myst_notebooks(root: Path) -> None:
    chapters = toc.toc_chapters(root)
    assert root / "book" / "intro.md" in chapters
    for chapter in chapters:
        head = yaml.safe_load(chapter.read_text().split("---\n")[1])
        assert head["jupytext"]["text_representation"]["format_name"] == "myst", chapter
        assert head["kernelspec"]["name"] == "python3", chapter


def test_chapters_have_the_house_shape(root: Path) -> None:
    for chapter in toc.toc_chapters(root):
        text = chapter.read_text()
        for needed in (
            "Learning objectives",
            "Prerequisites",
            "Time to read",
            "## Key points",
            "## Exercises",
            ":class: dropdown",
        ):
            assert needed in text, f"{chapter.name}: missing {needed!r}"


def test_every_figure_cell_declares_alt_text(root: Path) -> None:
    for chapter in toc.toc_chapters(root):
        for cell in re.findall(r"```\{code-cell\}.*?\n```", chapter.read_text(), re.S):
            if re.search(r"plt\.show\(\)|\.savefig\(|glue\([^)]*fig", cell):
                assert re.search(r"\balt:\s*\S", cell), f"{chapter.name}: figure without alt"


def test_chapter_runs_are_reported_as_junit(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    report = tmp_path / "chapters.xml"
    run_tests.write_junit(
        report,
        "chapters",
        [("intro[shipped]", 1.5, []), ("data[pilot]", 2.0, ["data.md, cell 3: x"])],
    )
    suite = ET.parse(report).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    failed = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failed == ["data[pilot]"]
    assert run_tests.summary(["chapters"]) is not None


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_holds_no_notebooks_and_no_real_data(root: Path) -> None:
    if not (root / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert [path for path in tracked if path.endswith(".ipynb")] == []
    assert [path for path in tracked if path.startswith("data/real/")] == []
    ignored = subprocess.run(["git", "check-ignore", "-q", "data/real/patients.csv"], cwd=root)
    assert ignored.returncode == 0, "data/real/ must be ignored by git"


def test_synthetic_data_says_it_is_synthetic(root: Path) -> None:
    readme = (root / "data" / "synthetic" / "README.md").read_text()
    assert "synthetic" in readme.lower() and "not patient data" in readme.lower()


def test_licences_and_citation_exist(root: Path) -> None:
    assert "BSD 3-Clause License" in (root / "LICENSE").read_text()
    assert "Attribution 4.0 International" in (root / "LICENSE-content").read_text()
    citation = yaml.safe_load((root / "CITATION.cff").read_text())
    assert citation["cff-version"].startswith("1.2")
    assert citation["license"] == "BSD-3-Clause"


def test_footer_shows_the_package_version(root: Path) -> None:
    config = yaml.safe_load((root / "_config.yml").read_text())
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    version = pyproject["project"]["version"]
    assert f"Version {version}." in config["html"]["extra_footer"]
    assert f"<code>ceuslib</code> {version}" in config["html"]["extra_footer"]


def _glossary_terms(root: Path) -> set[str]:
    body = (root / "book" / "glossary.md").read_text().split("```{glossary}")[1].split("```")[0]
    return {line.strip() for line in body.splitlines() if line and not line.startswith(" ")}


def test_glossary_has_at_least_forty_terms(root: Path) -> None:
    assert len(_glossary_terms(root)) >= 40


def test_chapters_link_the_glossary_and_warn_of_pitfalls(root: Path) -> None:
    terms = {term.lower() for term in _glossary_terms(root)}
    for chapter in toc.toc_chapters(root):
        text = chapter.read_text()
        links = re.findall(r"\{term\}`(?:[^`<]*<)?([^`>]+)>?`", text)
        assert len(links) >= 2, f"{chapter.name}: link first uses of terms to the glossary"
        unknown = {link for link in links if link.lower() not in terms}
        assert unknown == set(), f"{chapter.name}: not in the glossary: {unknown}"
        assert ":class: warning" in text, f"{chapter.name}: no pitfall admonition"
