"""The whole test suite, in the order ``make test`` runs it.

1. ``unit``: pytest on ``tests/`` and the doctests of ``ceuslib``.
2. ``nbval``: every chapter listed in ``_toc.yml`` converted with jupytext to a temporary
   ``.ipynb`` and executed with ``pytest --nbval-lax``; a chapter that ran no cell fails.
3. ``book``: a clean build (``_build`` removed first) with warnings as errors.
4. ``site``: pytest checks on the built HTML (``tests/site``).
5. ``browser``: every page opened in headless Chromium (``tests/browser``); screenshots are
   kept in ``_build/reports/screenshots``.

Each step writes a JUnit report to ``_build/reports``; the last line printed is the sum of
them, ``N passed, N failed``.  ``python tools/run_tests.py STEP ...`` runs only those steps.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from toc import toc_chapters  # noqa: E402

BUILD = ROOT / "_build"
REPORTS = BUILD / "reports"
NBVAL_DIR = BUILD / "nbval"
BIN = Path(sys.executable).parent
STEPS = ("unit", "nbval", "book", "site", "browser")


def run(cmd: list[str]) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(ROOT / "tools"), os.environ.get("PYTHONPATH")])
        ),
    )
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


def pytest(args: list[str], report: str) -> int:
    REPORTS.mkdir(parents=True, exist_ok=True)
    return run([sys.executable, "-m", "pytest", f"--junitxml={REPORTS / report}", *args])


def step_unit() -> int:
    return pytest([], "unit.xml")


def step_nbval() -> int:
    shutil.rmtree(NBVAL_DIR, ignore_errors=True)
    NBVAL_DIR.mkdir(parents=True)
    notebooks = []
    for chapter in toc_chapters(ROOT):
        target = NBVAL_DIR / f"{chapter.stem}.ipynb"
        code = run(
            [str(BIN / "jupytext"), "--quiet", "--to", "ipynb", "-o", str(target), str(chapter)]
        )
        if code:
            return code
        notebooks.append(target)
    code = pytest(
        [
            "--nbval-lax",
            "-p",
            "no:cacheprovider",
            "-p",
            "nbval_glue",
            "-o",
            "addopts=",
            "-o",
            "doctest_optionflags=",
            *map(str, notebooks),
        ],
        "nbval.xml",
    )
    missing = chapters_without_cells(REPORTS / "nbval.xml", notebooks)
    for name in missing:
        print(f"FAILED {name}: listed in _toc.yml but no cell of it was executed", flush=True)
    return code or (1 if missing else 0)


def chapters_without_cells(report: Path, notebooks: list[Path]) -> list[str]:
    """Names of the notebooks that have no passing test case in a JUnit report."""
    if not report.exists():
        return [nb.name for nb in notebooks]
    executed = set()
    for case in ET.parse(report).getroot().iter("testcase"):
        if list(case):  # a failure, error or skipped child: this cell did not pass
            continue
        classname = case.get("classname", "")  # e.g. "_build.nbval.intro.ipynb"
        executed.add(classname.removesuffix(".ipynb").rsplit(".", 1)[-1])
    return [nb.name for nb in notebooks if nb.stem not in executed]


def step_book() -> int:
    for name in ("html", ".doctrees", "jupyter_execute", ".jupyter_cache"):
        shutil.rmtree(BUILD / name, ignore_errors=True)
    return run([str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going"])


def step_site() -> int:
    return pytest(
        ["-p", "no:cacheprovider", "-o", "addopts=--import-mode=importlib -ra", "tests/site"],
        "site.xml",
    )


def step_browser() -> int:
    code = pytest(
        ["-p", "no:cacheprovider", "-o", "addopts=--import-mode=importlib -ra", "tests/browser"],
        "browser.xml",
    )
    for shot in sorted((REPORTS / "screenshots").glob("*.png")):
        print(f"screenshot: {shot}")
    return code


def summary(steps: list[str]) -> tuple[int, int, int]:
    passed = failed = skipped = 0
    for report in REPORTS.glob("*.xml"):
        if report.stem not in steps:
            continue
        for suite in ET.parse(report).getroot().iter("testsuite"):
            total = int(suite.get("tests", 0))
            bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skip = int(suite.get("skipped", 0))
            passed += total - bad - skip
            failed += bad
            skipped += skip
    return passed, failed, skipped


def main(argv: list[str]) -> int:
    steps = argv or list(STEPS)
    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        print(f"unknown step(s) {unknown}; choose from {STEPS}", file=sys.stderr)
        return 2
    for report in REPORTS.glob("*.xml"):
        if report.stem in steps:
            report.unlink()
    status = {}
    for step in steps:
        print(f"\n=== {step} ===", flush=True)
        status[step] = globals()[f"step_{step}"]()
        if step == "book" and status[step]:
            print("the book build failed: skipping the checks on the HTML", flush=True)
            break
    print("\n=== summary ===")
    for step, code in status.items():
        print(f"{step:6s} {'ok' if code == 0 else f'FAILED (exit {code})'}")
    passed, failed, skipped = summary(steps)
    failed += sum(1 for step, code in status.items() if code and step == "book")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return (
        0
        if status and all(code == 0 for code in status.values()) and len(status) == len(steps)
        else 1
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
