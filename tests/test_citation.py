"""CITATION.cff is valid CFF 1.2.0 (checked by cffconvert) and agrees with the package."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cffconvert() -> Path:
    """cffconvert from its own environment (``make test`` creates ``.venv-cff``)."""
    path = Path(os.environ.get("CFFCONVERT", ROOT / ".venv-cff" / "bin" / "cffconvert"))
    if not path.is_file():
        pytest.fail(f"cffconvert not found at {path}: run `make test` (it creates .venv-cff)")
    return path


def _validate(cffconvert: Path, cff: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(cffconvert), "--validate", "-i", str(cff)], capture_output=True, text=True
    )


def test_citation_cff_is_valid(cffconvert: Path) -> None:
    result = _validate(cffconvert, ROOT / "CITATION.cff")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid according to schema version 1.2.0" in result.stdout


def test_an_invalid_citation_file_is_rejected(cffconvert: Path, tmp_path: Path) -> None:
    bad = tmp_path / "CITATION.cff"
    bad.write_text("cff-version: 1.2.0\ntitle: no authors and no message\n")
    assert _validate(cffconvert, bad).returncode != 0


def test_citation_converts_to_bibtex(cffconvert: Path) -> None:
    result = subprocess.run(
        [str(cffconvert), "-f", "bibtex", "-i", str(ROOT / "CITATION.cff")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith("@misc{") and "ceus-naci-book" in result.stdout
