"""Print the book to PDF offline: a singlehtml build served on 127.0.0.1, printed by Chromium.

Usage: ``python tools/make_pdf.py [--chromium PATH] [--out FILE]`` (``make pdf`` builds the
singlehtml first).  Pages are served over HTTP rather than ``file://`` so that the local MathJax
can load its fonts.  Sphinx writes the single page to ``book/intro.html`` (the root document)
with links relative to the output folder, so it is printed from a copy at that level.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SINGLEHTML = ROOT / "_build" / "singlehtml"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "pdf" / "ceus-naci-book.pdf")
    args = parser.parse_args(argv)
    single_page = SINGLEHTML / "book" / "intro.html"
    if not single_page.is_file():
        print(f"no singlehtml build in {SINGLEHTML}: run `make pdf`", file=sys.stderr)
        return 1
    shutil.copyfile(single_page, SINGLEHTML / "print.html")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    partial = args.out.with_suffix(".pdf.partial")
    handler = functools.partial(_QuietHandler, directory=str(SINGLEHTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = subprocess.run(
            [
                args.chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-pdf-header-footer",
                "--virtual-time-budget=30000",
                f"--print-to-pdf={partial}",
                f"http://127.0.0.1:{server.server_address[1]}/print.html",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        server.shutdown()
    if result.returncode != 0 or not partial.is_file():
        print(f"Chromium could not print the book:\n{result.stderr[-2000:]}", file=sys.stderr)
        partial.unlink(missing_ok=True)
        return 1
    pages = len(re.findall(rb"/Type\s*/Page[^s]", partial.read_bytes()))
    partial.replace(args.out)
    print(f"wrote {args.out} ({pages} pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
