"""Record what the book and the report print on the shipped cohort, to catch silent changes.

``python tools/snapshot.py`` writes

- ``tests/reference/snapshot/report/*.csv``: the tables of ``ceuslib report data/synthetic``
  (default seed and resamples), compared byte for byte by ``tests/test_snapshot.py``;
- ``tests/reference/snapshot/glue.json``: every value the chapters glue, copied from the
  last execution of the chapters (``_build/reports/glue-executed.json``, written by
  ``make test``), compared by
  ``tests/site/test_glue_snapshot.py``;
- ``tests/reference/snapshot/printed.json``: every number the built book prints inline
  (``{glue}`` and ``{eval}`` values, in page order), read from the last book build
  (``_build/html``), compared by ``tests/site/test_printed_snapshot.py``.

A change to either is deliberate: rerun this script and say in the commit message which
numbers changed and why.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "tests" / "reference" / "snapshot"
GLUE_RUN = ROOT / "_build" / "reports" / "glue-executed.json"


def record_report() -> list[str]:
    from ceuslib.cohort import read_cohort
    from ceuslib.datasets import SYNTHETIC_DIR
    from ceuslib.report import build_report, write_report

    report = build_report(read_cohort(SYNTHETIC_DIR))
    target = SNAPSHOT / "report"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_report(report, Path(tmp) / "report")
        names = sorted(p.name for p in folder.glob("*.csv"))
        for name in names:
            shutil.copyfile(folder / name, target / name)
    return names


def record_glue() -> int:
    if not GLUE_RUN.is_file():
        print(f"no {GLUE_RUN.relative_to(ROOT)}: run `make test` first", file=sys.stderr)
        return 0
    glued = json.loads(GLUE_RUN.read_text())
    (SNAPSHOT / "glue.json").write_text(json.dumps(glued, indent=1, sort_keys=True) + "\n")
    return sum(len(values) for values in glued.values())


def printed_values(site: Path) -> dict[str, list[str]]:
    """The inline values of every chapter page of a built book, in order of appearance."""
    from bs4 import BeautifulSoup

    out = {}
    for page in sorted((site / "book").glob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        spans = soup.select("span.pasted-text, p span.output, li span.output, td span.output")
        values = [span.get_text() for span in spans]
        if values:
            out[page.stem] = values
    return out


def record_printed() -> int:
    site = ROOT / "_build" / "html"
    if not (site / "book").is_dir():
        print("no _build/html: run `make test` or `make book` first", file=sys.stderr)
        return 0
    values = printed_values(site)
    (SNAPSHOT / "printed.json").write_text(json.dumps(values, indent=1, sort_keys=True) + "\n")
    return sum(len(v) for v in values.values())


def main() -> int:
    names = record_report()
    print(f"report: {len(names)} tables in {(SNAPSHOT / 'report').relative_to(ROOT)}")
    print(f"glue: {record_glue()} values in {(SNAPSHOT / 'glue.json').relative_to(ROOT)}")
    printed = SNAPSHOT / "printed.json"
    print(f"printed: {record_printed()} values in {printed.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
