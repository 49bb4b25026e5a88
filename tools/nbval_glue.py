"""A pytest plugin for the nbval run: record every value a chapter glues.

Loaded with ``-p nbval_glue`` (``tools`` on ``sys.path``).  After the run it writes
``_build/reports/glue-nbval.json``: ``{chapter: {name: text/plain repr}}``.  The book build
writes the same values for its own, separate execution (``_build/jupyter_execute/book/
<chapter>.glue.json``), and ``tests/site`` checks that the two executions glued exactly the
same numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPORT = Path(__file__).resolve().parents[1] / "_build" / "reports" / "glue-nbval.json"
_GLUED: dict[str, dict[str, str]] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    yield
    outputs = getattr(item, "test_outputs", None)
    if call.when != "call" or not outputs:
        return
    chapter = Path(str(item.fspath)).stem
    for output in outputs:
        record = (output.get("metadata") or {}).get("scrapbook")
        if output.get("output_type") == "display_data" and record:
            # glue() publishes under a prefixed MIME type, e.g.
            # "application/papermill.record/text/plain"
            prefix = record.get("mime_prefix", "")
            text = (output.get("data") or {}).get(f"{prefix}text/plain", "")
            _GLUED.setdefault(chapter, {})[record["name"]] = text


def pytest_sessionfinish(session: pytest.Session) -> None:
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(_GLUED, indent=1, sort_keys=True))
