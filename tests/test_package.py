"""The package's public surface: version, typing marker, errors, data location."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

import ceuslib
from ceuslib import DataError, Problem, datasets


def test_version_matches_pyproject_and_citation(root: Path) -> None:
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    citation = yaml.safe_load((root / "CITATION.cff").read_text())
    assert ceuslib.__version__ == pyproject["project"]["version"]
    assert str(citation["version"]) == ceuslib.__version__


def test_py_typed_marker_is_shipped(root: Path) -> None:
    assert (root / "ceuslib" / "py.typed").is_file()


def test_data_error_is_a_value_error_listing_every_problem() -> None:
    problems = [
        Problem("nodes.csv", "must be one of left, right", row=4, column="side", value="up"),
        Problem("tics.csv", "time must increase", row=9, column="time_s", value=3.0),
    ]
    with pytest.raises(ValueError) as caught:
        raise DataError(problems)
    message = str(caught.value)
    assert message.startswith("2 problems in the input data:")
    assert "nodes.csv, row 4, column 'side': value 'up': must be one of left, right" in message
    assert "tics.csv, row 9, column 'time_s': value 3.0: time must increase" in message
    assert caught.value.problems == tuple(problems)


def test_data_error_plain_message() -> None:
    err = DataError("patients.csv: file is empty")
    assert str(err) == "patients.csv: file is empty" and err.problems == ()


def test_data_error_needs_content() -> None:
    with pytest.raises(ValueError, match="at least one Problem"):
        DataError([])


def test_whole_file_problem_has_no_row_or_column() -> None:
    assert str(Problem("screening.csv", "file is missing")) == "screening.csv: file is missing"


def test_default_data_dir_is_the_synthetic_folder(
    monkeypatch: pytest.MonkeyPatch, root: Path
) -> None:
    monkeypatch.delenv(datasets.ENV_VAR, raising=False)
    assert datasets.data_dir() == root / "data" / "synthetic"
    assert datasets.is_synthetic()
    assert "synthetic" in datasets.data_path("README.md").read_text().lower()


def test_environment_variable_overrides_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "nodes.csv").write_text("node_id\n")
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path))
    assert datasets.data_dir() == tmp_path.resolve()
    assert not datasets.is_synthetic()
    assert datasets.data_path("nodes.csv") == tmp_path.resolve() / "nodes.csv"


def test_empty_environment_variable_means_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(datasets.ENV_VAR, "  ")
    assert datasets.is_synthetic()


def test_missing_override_folder_is_a_data_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(DataError, match=r"\$CEUSLIB_DATA points to .*nowhere"):
        datasets.data_dir()


def test_missing_file_names_folder_and_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path))
    with pytest.raises(DataError, match=r"patients.csv: not found in .*CEUSLIB_DATA"):
        datasets.data_path("patients.csv")
