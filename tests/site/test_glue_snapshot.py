"""Every number the chapters glue on the shipped cohort is the recorded one.

Compares the values of the last execution of the chapters
(``_build/reports/glue-executed.json``) with
``tests/reference/snapshot/glue.json``; a deliberate change is recorded again with
``python tools/snapshot.py`` and explained in the commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "_build" / "reports" / "glue-executed.json"
SNAPSHOT = ROOT / "tests" / "reference" / "snapshot" / "glue.json"


def test_glued_values_are_the_recorded_ones() -> None:
    if not RUN.is_file():
        pytest.fail(f"{RUN} is missing: the chapters step writes it")
    run, recorded = json.loads(RUN.read_text()), json.loads(SNAPSHOT.read_text())
    assert sorted(run) == sorted(recorded), "the chapters glued in the run differ"
    changed = [
        f"{chapter}:{name}: {recorded[chapter].get(name)!r} -> {value!r}"
        for chapter in sorted(run)
        for name, value in sorted(run[chapter].items())
        if recorded[chapter].get(name) != value
    ]
    missing = [
        f"{chapter}:{name}"
        for chapter in sorted(recorded)
        for name in sorted(recorded[chapter])
        if name not in run[chapter]
    ]
    assert not changed and not missing, "\n".join(changed + missing)
