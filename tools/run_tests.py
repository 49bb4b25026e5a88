"""The whole test suite, in the order ``make test`` runs it.

1. ``unit``: pytest on ``tests/`` and the doctests of ``ceuslib``, one worker per core.
2. ``chapters``: every chapter listed in ``_toc.yml`` executed cell by cell
   (``tools/execute_chapters.py``) on the shipped cohort (into ``_build/lab``, with every
   ``{eval}`` value stored for JupyterLab) and on the generated cohorts of
   ``tools/cohorts.QUICK``; a cell that raises or an ``{eval}`` that cannot be computed
   fails, and so does a table a chapter shares with ``ceuslib report`` that differs from
   the report's on the same data.
3. ``book``: a clean build (``_build`` removed first) with warnings as errors; when the
   chapters step runs too, the build starts first and runs beside it (its log is printed
   when it is waited for).
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
LAB = BUILD / "lab"
BIN = Path(sys.executable).parent
STEPS = ("unit", "chapters", "book", "site", "browser")


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
    # One worker per core (pytest-xdist): the tests are independent and the step is CPU-bound.
    return pytest(["-n", "auto"], "unit.xml")


def step_chapters() -> int:
    """Execute every chapter on the shipped cohort and on the quick generated cohorts."""
    import json
    import time

    import cohorts
    import execute_chapters

    REPORTS.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(LAB, ignore_errors=True)
    chapters = toc_chapters(ROOT)
    jobs = [(c, LAB / f"{c.stem}.ipynb", None) for c in chapters]
    folders = {"shipped": (cohorts.SHIPPED, LAB)}
    for spec in cohorts.QUICK:
        data, lab = cohorts.prepare(spec)
        folders[spec.name] = (data, lab)
        jobs += [(c, lab / f"{c.stem}.ipynb", data) for c in cohorts.reads_data(chapters)]
    start = time.perf_counter()
    runs = execute_chapters.run_all(jobs, workers=min(2, os.cpu_count() or 1))
    print(f"{len(runs)} chapter runs in {time.perf_counter() - start:.0f} s", flush=True)
    glue = {run.chapter: run.glue for run in runs if run.data == "the shipped cohort" and run.glue}
    (REPORTS / "glue-executed.json").write_text(json.dumps(glue, indent=1, sort_keys=True))
    cases = []
    for run in runs:
        name = "shipped" if run.data == "the shipped cohort" else Path(run.data).parent.name
        cases.append((f"{run.chapter}[{name}]", run.seconds, run.failures))
    for name, (data, lab) in folders.items():
        differences = cohorts.compare_with_report(data, lab)
        cases.append((f"shared tables[{name}]", 0.0, differences))
        for difference in differences:
            print(f"FAILED {name}: {difference}", flush=True)
    write_junit(REPORTS / "chapters.xml", "chapters", cases)
    return 1 if any(failures for _, _, failures in cases) else 0


def write_junit(path: Path, suite: str, cases: list[tuple[str, float, list[str]]]) -> None:
    """A JUnit report with one test case per ``(name, seconds, failures)``."""
    root = ET.Element(
        "testsuites",
    )
    element = ET.SubElement(
        root,
        "testsuite",
        name=suite,
        tests=str(len(cases)),
        failures=str(sum(1 for _, _, failures in cases if failures)),
        errors="0",
        skipped="0",
    )
    for name, seconds, failures in cases:
        case = ET.SubElement(element, "testcase", classname=suite, name=name, time=f"{seconds:.1f}")
        if failures:
            ET.SubElement(case, "failure", message=failures[0]).text = "\n".join(failures)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def start_book() -> subprocess.Popen:
    """Start the clean, strict book build; its output goes to ``_build/reports/book.log``.

    The build folders it removes first are its own; the chapters step writes elsewhere
    (``_build/lab``, ``_build/cohorts``), so the two can run side by side.
    """
    for name in ("html", ".doctrees", "jupyter_execute", ".jupyter_cache"):
        shutil.rmtree(BUILD / name, ignore_errors=True)
    REPORTS.mkdir(parents=True, exist_ok=True)
    cmd = [str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going"]
    print("+", " ".join(cmd), f"> {(REPORTS / 'book.log').relative_to(ROOT)}", flush=True)
    with (REPORTS / "book.log").open("w", encoding="utf-8") as log:
        return subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def finish_book(build: subprocess.Popen) -> int:
    """Wait for the book build, print its log, return its exit code."""
    code = build.wait()
    print((REPORTS / "book.log").read_text(encoding="utf-8"), end="", flush=True)
    return code


def step_book() -> int:
    return finish_book(start_book())


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
    # The book build runs one process; beside the chapters step it uses the second core.
    build = start_book() if {"chapters", "book"} <= set(steps) else None
    for step in steps:
        print(f"\n=== {step} ===", flush=True)
        if step == "book" and build is not None:
            status[step] = finish_book(build)
        else:
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
