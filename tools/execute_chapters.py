"""Execute the chapters as notebooks, with the numbers of their prose filled in.

``python tools/execute_chapters.py [--data DIR] [--out FOLDER] [CHAPTER ...]``

Each chapter listed in ``_toc.yml`` (or each one named) is converted from MyST Markdown with
jupytext and executed cell by cell in a fresh kernel, on the shipped cohort or on ``--data``
(``CEUSLIB_DATA``).  After the code cells before it have run, every ``{eval}`` role of a
Markdown cell is evaluated and its result stored in the cell's ``user_expressions``
metadata, the format ``jupyterlab-myst`` reads: opened in JupyterLab, the executed notebook
shows its prose with the numbers in place, before anything is run again.

The executed notebooks are written to ``--out`` (default ``_build/lab``).  Any cell that
raises, and any ``{eval}`` expression that cannot be evaluated, is a failure: the chapter and
cell are printed and the exit status is 1.  This is how ``make test`` runs every chapter on
generated cohorts, and how ``make lab`` prepares the notebooks it opens.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from toc import toc_chapters  # noqa: E402

#: An inline ``{eval}`` role: ``{eval}`expression` ``.
EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
USER_EXPRESSIONS = "user_expressions"
#: A chapter that shows a table the report also writes registers it in a dict of this name
#: (``{"accuracy": frame, ...}``, keyed by the report's file stem); the executor saves each as
#: CSV beside the notebook, in the report's number format, so a test can compare them.
SHARED = "SHARED_TABLES"
SHARED_CSV = (
    "__import__('json').dumps({name: frame.to_csv(index=False, lineterminator='\\n', "
    "float_format='%.10g') for name, frame in " + SHARED + ".items()}) "
    "if '" + SHARED + "' in globals() else '{}'"
)


@dataclass
class ChapterRun:
    """What happened when one chapter was executed."""

    chapter: str
    cells: int = 0
    expressions: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    data: str = ""
    glue: dict[str, str] = field(default_factory=dict)


def eval_expressions(source: str) -> list[str]:
    """The ``{eval}`` expressions of a Markdown cell, in order, each once.

    Examples
    --------
    >>> eval_expressions("Se {eval}`se_text` (CI {eval}`se_ci`), again {eval}`se_text`.")
    ['se_text', 'se_ci']
    """
    seen: dict[str, None] = {}
    for match in EVAL_ROLE.finditer(source):
        seen.setdefault(match.group(1).strip(), None)
    return list(seen)


def _evaluate(client, expression: str, timeout: int) -> dict:
    """Evaluate one expression in the kernel as a Jupyter ``user_expressions`` request.

    The reply's result is stored as it is: the format jupyterlab-myst reads and writes.
    """
    from nbclient.util import run_sync

    msg_id = client.kc.execute(
        "", silent=True, store_history=False, user_expressions={"value": expression}
    )
    while True:
        reply = run_sync(client.kc.get_shell_msg)(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    result = reply["content"].get("user_expressions", {}).get("value")
    if result is None:
        return {"status": "error", "ename": "NoResult", "evalue": f"{expression} gave no value"}
    if result.get("status") == "error":
        result = {**result, "evalue": ANSI.sub("", str(result.get("evalue", "")))}
    return result


def glued_values(cell) -> dict[str, str]:
    """The values a code cell glued (``myst_nb.glue``): name -> ``text/plain``."""
    out = {}
    for output in cell.get("outputs", []):
        record = (output.get("metadata") or {}).get("scrapbook")
        if output.get("output_type") == "display_data" and record:
            prefix = record.get("mime_prefix", "")
            out[record["name"]] = (output.get("data") or {}).get(f"{prefix}text/plain", "")
    return out


def eval_occurrences(notebook) -> list[tuple[str, dict]]:
    """Every ``{eval}`` of an executed notebook in reading order, with its stored result.

    Each occurrence (an expression used twice is listed twice) is paired with the result
    kept in its cell's ``user_expressions``; ``{}`` where none was stored.
    """
    out = []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        stored = {
            item["expression"]: item["result"]
            for item in cell.get("metadata", {}).get(USER_EXPRESSIONS, [])
        }
        for match in EVAL_ROLE.finditer(cell.source):
            expression = match.group(1).strip()
            out.append((expression, stored.get(expression, {})))
    return out


def shared_tables_folder(notebook: Path) -> Path:
    """Where the shared tables of an executed notebook are saved (``<stem>.tables``)."""
    return notebook.with_suffix(".tables")


def _save_shared_tables(client, out: Path, timeout: int, run: ChapterRun) -> None:
    import ast
    import json

    result = _evaluate(client, SHARED_CSV, timeout)
    if result.get("status") != "ok":
        run.failures.append(f"{out.stem}: {SHARED} cannot be saved: {result.get('evalue')}")
        return
    tables = json.loads(ast.literal_eval(result["data"]["text/plain"]))
    folder = shared_tables_folder(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")


def execute_chapter(source: Path, out: Path, data: Path | None, timeout: int = 600) -> ChapterRun:
    """Execute one chapter into ``out`` (an ``.ipynb``); never raises for a failing cell."""
    import time

    import jupytext
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    run = ChapterRun(source.stem)
    start = time.perf_counter()
    notebook = jupytext.read(source)
    if data is not None:
        os.environ["CEUSLIB_DATA"] = str(data)
    else:  # a pool worker may have run another cohort before
        os.environ.pop("CEUSLIB_DATA", None)
    with tempfile.TemporaryDirectory() as workdir:
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": workdir}},
        )
        with client.setup_kernel():
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type == "code":
                    run.cells += 1
                    try:
                        client.execute_cell(cell, index)
                        run.glue.update(glued_values(cell))
                    except CellExecutionError as error:
                        last = ANSI.sub("", str(error)).strip().splitlines()[-1:] or ["error"]
                        run.failures.append(f"{source.name}, cell {index}: {last[0]}")
                        break
                elif cell.cell_type == "markdown":
                    expressions = eval_expressions(cell.source)
                    if not expressions:
                        continue
                    results = []
                    for expression in expressions:
                        result = _evaluate(client, expression, timeout)
                        run.expressions += 1
                        if result["status"] != "ok":
                            run.failures.append(
                                f"{source.name}, cell {index}: {{eval}}`{expression}`: "
                                f"{result.get('ename')}: {result.get('evalue')}"
                            )
                        results.append({"expression": expression, "result": result})
                    cell.metadata[USER_EXPRESSIONS] = results
            if not run.failures:
                _save_shared_tables(client, out, timeout, run)
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, out)
    run.seconds = time.perf_counter() - start
    return run


def _job(args: tuple[str, str, str | None, int]) -> ChapterRun:
    source, out, data, timeout = args
    run = execute_chapter(Path(source), Path(out), Path(data) if data else None, timeout)
    run.data = data or "the shipped cohort"
    return run


def run_all(
    jobs: list[tuple[Path, Path, Path | None]], *, workers: int = 2, timeout: int = 600
) -> list[ChapterRun]:
    """Execute ``(chapter, output notebook, data folder)`` jobs in a pool; print each."""
    args = [(str(c), str(o), str(d) if d else None, timeout) for c, o, d in jobs]
    runs = []
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        for run in pool.map(_job, args):
            status = "FAILED" if run.failures else "ok"
            print(
                f"{run.chapter:10s} {status:6s} {run.cells:3d} cells, {run.expressions:3d} "
                f"{{eval}} values, {run.seconds:5.1f} s  ({run.data})",
                flush=True,
            )
            runs.append(run)
    for run in runs:
        for failure in run.failures:
            print(f"FAILED {failure} ({run.data})", flush=True)
    return runs


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter names (default: every chapter)")
    parser.add_argument("--data", type=Path, help="a folder of study files (CEUSLIB_DATA)")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "lab")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args(argv)
    chapters = toc_chapters(ROOT)
    if args.chapters:
        unknown = sorted(set(args.chapters) - {c.stem for c in chapters})
        if unknown:
            print(f"unknown chapter(s): {', '.join(unknown)}", file=sys.stderr)
            return 2
        chapters = [c for c in chapters if c.stem in args.chapters]
    data = args.data.resolve() if args.data else None
    runs = run_all(
        [(c, args.out / f"{c.stem}.ipynb", data) for c in chapters],
        workers=args.jobs,
        timeout=args.timeout,
    )
    return 1 if any(run.failures for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
