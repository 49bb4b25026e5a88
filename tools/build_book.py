"""Build the HTML book, on the shipped synthetic data or on a study's own files.

``python tools/build_book.py``                 -> ``_build/html`` (the shipped synthetic cohort)
``python tools/build_book.py --data DIR``      -> ``_build/<name>/_build/html``, every chapter
                                                 executed on the files in DIR
                                                 (``CEUSLIB_DATA=DIR``), with a banner on every
                                                 page naming the data.

``_build/<name>`` follows the output contract of ``ceuslib.outputs``: it is built whole under
``_build/<name>.ceuslib-partial`` and then put in place, so a failed or killed build leaves the
previous one as it was.  A rebuild replaces an earlier build of the book there (no flag is
needed: rebuilding is what ``make book`` is for), never a folder holding anything else, and
never the data folder.

Chapters are executed through Jupyter Book's execution cache, which is keyed on the chapter's
code only. The cache is therefore wiped whenever the library, the pinned dependencies or the
data change (a fingerprint of them is kept beside the cache), and builds on other data always
execute afresh.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from ceuslib.outputs import OutputError, folder_target, shown, staged_folder

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def fingerprint(data_dir: Path) -> str:
    """A hash of everything chapter outputs depend on besides the chapters' own code.

    The library's files (code, templates, data dictionary), the pinned dependencies and the
    data.
    """
    digest = hashlib.sha256()
    package = (p for p in (ROOT / "ceuslib").rglob("*") if p.is_file() and p.suffix != ".pyc")
    files = [*sorted(package), ROOT / "requirements" / "lock.txt"]
    files += sorted(p for p in data_dir.rglob("*") if p.is_file())
    for path in files:
        digest.update(str(path.relative_to(path.anchor)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def refresh_cache(build_dir: Path, data_dir: Path) -> None:
    """Drop the execution cache of ``build_dir`` when its fingerprint changed."""
    cache = build_dir / ".jupyter_cache"
    stamp = build_dir / ".jupyter_cache.fingerprint"
    current = fingerprint(data_dir)
    if not stamp.is_file() or stamp.read_text() != current:
        shutil.rmtree(cache, ignore_errors=True)
        build_dir.mkdir(parents=True, exist_ok=True)
        stamp.write_text(current)


class BuildFailed(Exception):
    """jupyter-book exited with a non-zero code (the staged build is discarded)."""

    def __init__(self, code: int) -> None:
        super().__init__(f"jupyter-book exited with code {code}")
        self.code = code


def slug(path: Path) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.name).strip("-.")
    if not name or name in {"html", "singlehtml", "reports", "lab", "cohorts", "jupyter_execute"}:
        name = f"data-{name or 'root'}"
    return name


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="a folder of study files in the book's format")
    parser.add_argument("--builder", default="html", help="Sphinx builder (html, singlehtml)")
    args = parser.parse_args(argv)
    jupyter_book = str(BIN / "jupyter-book")
    if args.data is None:
        refresh_cache(ROOT / "_build", ROOT / "data" / "synthetic")
        code = subprocess.run(
            [jupyter_book, "build", ".", "--builder", args.builder], cwd=ROOT
        ).returncode
        page = ROOT / "_build" / args.builder / "book" / "intro.html"
    else:
        data = args.data.expanduser().resolve()
        if not data.is_dir():
            print(f"--data {args.data}: not a folder", file=sys.stderr)
            return 2
        name = slug(data)
        try:
            target = folder_target(
                ROOT / "_build" / name, kind="book", inputs=[data], force=True, hint="make book"
            )
        except OutputError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        out = target.path
        config = yaml.safe_load((ROOT / "_config.yml").read_text())
        config["html"]["announcement"] = (
            f"Built on the data in <code>{html.escape(shown(data))}</code> ({name}), not on the "
            "shipped synthetic cohort."
        )
        config["execute"]["execute_notebooks"] = "force"
        try:
            with tempfile.TemporaryDirectory() as tmp, staged_folder(target) as staged:
                config_file = Path(tmp) / "_config.yml"
                config_file.write_text(yaml.safe_dump(config, sort_keys=False))
                env = dict(os.environ, CEUSLIB_DATA=str(data))
                code = subprocess.run(
                    [
                        jupyter_book,
                        "build",
                        ".",
                        "--config",
                        str(config_file),
                        "--path-output",
                        str(staged.path),
                    ],
                    cwd=ROOT,
                    env=env,
                ).returncode
                if code != 0:
                    raise BuildFailed(code)
        except BuildFailed:
            print(f"the build failed; {shown(out)} was left as it was", file=sys.stderr)
        except OutputError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        page = out / "_build" / args.builder / "book" / "intro.html"
    if code == 0:
        print(f"\nOpen the book: {page}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
