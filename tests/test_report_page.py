"""The methods supplement's web page, rendered from its Jinja2 template."""

from __future__ import annotations

import dataclasses
import fnmatch
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from ceuslib.cohort import simulate_cohort
from ceuslib.plots.report import save_report_figures
from ceuslib.report import build_report, write_report
from ceuslib.report_page import PAGE_COLUMNS, PAGE_MEASURES, TEMPLATE, report_page

FIGURES = {
    "stard_flow": 'Flow diagram: "137" referred <all> & more',
    "roc": "ROC curves of two descriptors",
}


@pytest.fixture(scope="module")
def report():
    return build_report(simulate_cohort(40, seed=11), n_boot=50, seed=3)


@pytest.fixture(scope="module")
def page(report) -> BeautifulSoup:
    return BeautifulSoup(report_page(report, source="synthetic", figures=FIGURES), "html.parser")


def shown_tables(report) -> dict:
    """The tables the page shows, in its order, as the report holds them."""
    accuracy = report.accuracy[report.accuracy["measure"].isin(PAGE_MEASURES)]
    return {
        "stard_flow": report.stard,
        "index_test_results": report.index_test,
        "exclusions": report.exclusions,
        "accuracy": accuracy[list(PAGE_COLUMNS)],
        "roc": report.roc.drop(columns=["descriptor"]),
        "decision": report.decision,
    }


def test_the_page_holds_every_table_of_the_report_whole(report, page) -> None:
    expected = shown_tables(report)
    assert len(report.exclusions) > 0, "the excluded-nodes table is part of this check"
    assert list(expected) == list(report.tables())
    tables = page.find_all("table")
    assert len(tables) == len(expected)
    for table, (name, frame) in zip(tables, expected.items(), strict=True):
        header = [th.get_text() for th in table.find("thead").find_all("th")]
        rows = table.find("tbody").find_all("tr")
        assert header == list(frame.columns), name
        assert len(rows) == len(frame), name
        first = [td.get_text() for td in rows[0].find_all("td")]
        assert first[0] == str(frame.iloc[0, 0]), name


def test_the_excluded_nodes_are_counted_in_their_heading(report, page) -> None:
    headings = [h2.get_text() for h2 in page.find_all("h2")]
    assert f"Target nodes left out of an analysis ({len(report.exclusions)}), with the reason" in (
        headings
    )
    assert len(headings) == 6


def test_a_report_without_exclusions_says_so(report) -> None:
    none_left_out = dataclasses.replace(report, exclusions=report.exclusions.iloc[0:0])
    page = BeautifulSoup(
        report_page(none_left_out, source="synthetic", figures=FIGURES), "html.parser"
    )
    assert len(page.find_all("table")) == 5
    assert "None: every target node entered every analysis." in page.get_text()
    assert "Target nodes left out of an analysis (0), with the reason" in page.get_text()


def test_figures_carry_their_alt_text_escaped(page) -> None:
    images = {img["src"]: img["alt"] for img in page.find_all("img")}
    assert images == {f"{stem}.png": alt for stem, alt in FIGURES.items()}
    captions = [caption.get_text() for caption in page.find_all("figcaption")]
    assert captions == list(FIGURES.values())


def test_the_source_is_escaped() -> None:
    report = build_report(simulate_cohort(12, seed=2), n_boot=20, seed=1)
    html = report_page(report, source="<script>alert(1)</script>", figures=FIGURES)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_page_loads_nothing_from_the_network(page) -> None:
    assert page.find_all(["script", "link", "iframe"]) == []
    assert [img["src"] for img in page.find_all("img")] == ["stard_flow.png", "roc.png"]
    assert "url(" not in page.find("style").get_text()
    assert page.find("html")["lang"] == "en"


def test_the_written_page_is_the_rendered_one(report, tmp_path: Path) -> None:
    folder = write_report(report, tmp_path / "report", source="synthetic")
    (tmp_path / "figures").mkdir()
    alts = save_report_figures(report, tmp_path / "figures")
    written = (folder / "index.html").read_text(encoding="utf-8")
    assert written == report_page(report, source="synthetic", figures=alts)
    assert written.startswith("<!DOCTYPE html>") and written.endswith("</html>\n")


def test_the_template_ships_with_the_package(root: Path) -> None:
    template = files("ceuslib") / "templates" / TEMPLATE
    assert template.is_file()
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["ceuslib"]
    assert any(fnmatch.fnmatch(f"templates/{TEMPLATE}", pattern) for pattern in patterns)
