"""Every number the built book prints inline on the shipped cohort is the recorded one.

Reads the ``{glue}`` and ``{eval}`` values of every chapter page of the build
(``tools/snapshot.printed_values``) and compares them with
``tests/reference/snapshot/printed.json``; a deliberate change is recorded again with
``python tools/snapshot.py`` and explained in the commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from snapshot import SNAPSHOT, printed_values  # noqa: E402


def test_printed_values_are_the_recorded_ones(site: Path) -> None:
    if "Built on the data in" in (site / "book" / "intro.html").read_text(encoding="utf-8"):
        return  # a build on a study's own files: nothing recorded to compare with
    built = printed_values(site)
    recorded = json.loads((SNAPSHOT / "printed.json").read_text())
    changed = [
        f"{page}: {len(recorded.get(page, []))} values recorded, {len(values)} printed"
        for page, values in built.items()
        if len(values) != len(recorded.get(page, []))
    ]
    changed += [
        f"{page}, value {i + 1}: {old!r} -> {new!r}"
        for page, values in built.items()
        for i, (old, new) in enumerate(zip(recorded.get(page, []), values, strict=False))
        if old != new
    ]
    changed += [f"{page}: no longer prints values" for page in recorded if page not in built]
    assert not changed, "\n".join(changed[:40])
