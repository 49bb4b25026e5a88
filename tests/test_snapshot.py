"""The report's tables on the shipped cohort are the recorded ones (``tools/snapshot.py``).

A deliberate change to a number is recorded again with ``python tools/snapshot.py`` and
explained in the commit; an accidental one fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ceuslib.cohort import read_cohort
from ceuslib.datasets import SYNTHETIC_DIR
from ceuslib.report import build_report, write_report

SNAPSHOT = Path(__file__).parent / "reference" / "snapshot" / "report"


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    report = build_report(read_cohort(SYNTHETIC_DIR))
    return write_report(report, tmp_path_factory.mktemp("snap") / "report")


@pytest.mark.parametrize("name", sorted(p.name for p in SNAPSHOT.glob("*.csv")))
def test_report_table_is_unchanged(written: Path, name: str) -> None:
    assert (written / name).read_bytes() == (SNAPSHOT / name).read_bytes(), (
        f"{name} changed on the shipped cohort; if deliberate, run tools/snapshot.py"
    )


def test_every_report_table_is_recorded(written: Path) -> None:
    assert sorted(p.name for p in written.glob("*.csv")) == sorted(
        p.name for p in SNAPSHOT.glob("*.csv")
    )
