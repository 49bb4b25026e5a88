"""The web page of the methods supplement: the report's tables and figures in one HTML file.

The page is the Jinja2 template ``ceuslib/templates/report.html.j2`` (shipped with the package),
rendered with autoescaping: the data's folder name and the alt texts are escaped, and the
tables are pandas' HTML, whose cells pandas escapes.  The page loads nothing from the network:
its style is inline and its figures are the PNG files written beside it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import jinja2
import pandas as pd
from markupsafe import Markup

from ceuslib import __version__

#: The template of the page, in ``ceuslib/templates``.
TEMPLATE = "report.html.j2"

#: The measures of the accuracy table that the page shows (``accuracy.csv`` has them all).
PAGE_MEASURES = ("sensitivity", "specificity", "ppv", "npv", "lr_positive", "lr_negative")

#: The columns of the accuracy table that the page shows.
PAGE_COLUMNS = ("level", "test", "measure", "estimate", "ci_low", "ci_high", "tp", "fp", "fn", "tn")


def report_page(report, *, source: str, figures: Mapping[str, str]) -> str:
    """The HTML page of a report.

    Parameters
    ----------
    report : ceuslib.report.Report
        The tables, from :func:`ceuslib.report.build_report`.
    source : str
        Where the data came from, for the page's heading.
    figures : mapping of str to str
        The alt text of each figure by file stem (``stard_flow``, ``roc``): the page shows
        ``<stem>.png`` with it, as :func:`ceuslib.plots.report.save_report_figures` returns.

    Returns
    -------
    str
        The page, one HTML document ending in a newline.  Numbers are shown with three
        decimals; the CSV files keep full precision.

    Examples
    --------
    >>> from ceuslib.cohort import simulate_cohort
    >>> from ceuslib.report import build_report
    >>> report = build_report(simulate_cohort(40, seed=7), n_boot=50, seed=1)
    >>> page = report_page(
    ...     report, source="<synthetic>", figures={"stard_flow": "Flow", "roc": "ROC curves"}
    ... )
    >>> '<img src="roc.png" alt="ROC curves"' in page, "<code>&lt;synthetic&gt;</code>" in page
    (True, True)
    >>> page.count("<table")
    6
    """
    accuracy = report.accuracy[report.accuracy["measure"].isin(PAGE_MEASURES)]
    tables = {
        "stard_flow": report.stard,
        "index_test_results": report.index_test,
        "exclusions": report.exclusions,
        "accuracy": accuracy[list(PAGE_COLUMNS)],
        "roc": report.roc.drop(columns=["descriptor"]),
        "decision": report.decision,
    }
    return _template().render(
        source=source,
        version=__version__,
        figures=dict(figures),
        tables={name: _html_table(frame) for name, frame in tables.items()},
        n_exclusions=len(report.exclusions),
        level=f"{report.level:.0%}",
        decision_patients=report.decision_patients,
        n_boot=report.n_boot,
        seed=report.seed,
    )


def _html_table(frame: pd.DataFrame) -> Markup:
    return Markup(frame.to_html(index=False, float_format=lambda x: f"{x:.3f}", border=0))


@functools.cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("ceuslib", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return environment.get_template(TEMPLATE)
