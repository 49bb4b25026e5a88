"""A reader who opens a chapter with ``make lab`` sees its prose with the numbers filled in.

JupyterLab (with ``jupyterlab-myst``, pinned in the lock) serves the executed chapters of
``_build/lab`` on 127.0.0.1; headless Chromium opens one, and its rendered Markdown must show
the stored ``{eval}`` values and no raw role.
"""

from __future__ import annotations

import ast
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "_build" / "lab"
sys.path.insert(0, str(ROOT / "tools"))

from execute_chapters import eval_occurrences  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory) -> Iterator[str]:
    if not any(LAB.glob("*.ipynb")):
        pytest.fail(f"no executed chapters in {LAB}: the chapters step writes them")
    port = _free_port()
    settings = tmp_path_factory.mktemp("jupyter")
    # every cell rendered (no windowing), and no news pop-up over the notebook
    user = settings / "lab" / "user-settings" / "@jupyterlab"
    (user / "notebook-extension").mkdir(parents=True)
    (user / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        '{"windowingMode": "none"}'
    )
    (user / "apputils-extension").mkdir(parents=True)
    (user / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false"}'
    )
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(settings),
        JUPYTER_RUNTIME_DIR=str(settings),
        JUPYTERLAB_SETTINGS_DIR=str(settings / "lab" / "user-settings"),
    )
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "jupyter-lab"),
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            "--ServerApp.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            "--LabApp.news_url=",
            f"--notebook-dir={LAB}",
            "--allow-root",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not start within 60 s")
    yield url
    server.terminate()
    server.wait(timeout=20)


def _with_eval() -> list[Path]:
    return [
        nb
        for nb in sorted(LAB.glob("*.ipynb"))
        if eval_occurrences(nbformat.read(nb, as_version=4))
    ]


def test_a_chapter_opened_in_jupyterlab_shows_its_numbers(browser, lab_url, screenshots) -> None:
    chapters = _with_eval()
    if not chapters:
        pytest.skip("no chapter uses {eval} yet")
    notebook = chapters[0]
    values = []
    for _, result in eval_occurrences(nbformat.read(notebook, as_version=4)):
        text = result["data"]["text/plain"]
        try:
            literal = ast.literal_eval(text)
            text = literal if isinstance(literal, str) else text
        except (ValueError, SyntaxError):
            pass
        values.append(text)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{lab_url}/lab/tree/{notebook.name}", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-MarkdownCell", timeout=60_000)
    page.wait_for_timeout(3000)
    page.screenshot(path=str(screenshots / "jupyterlab.png"))
    text = page.inner_text(".jp-Notebook")
    context.close()
    assert "{eval}" not in text, "a role was shown raw, not rendered by jupyterlab-myst"
    shown = [value for value in dict.fromkeys(values) if value and value in text]
    assert len(shown) >= min(5, len(set(values))), (
        f"{notebook.stem}: only {len(shown)} of its {len(set(values))} values are shown"
    )
