"""The public-API check of ``make lint`` (tools/check_api.py) finds what it should."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import check_api

SAMPLE = '''
"""A module of docstrings good and bad."""

from __future__ import annotations

from dataclasses import dataclass

from numpy.typing import ArrayLike

__all__ = ["Fields", "Result", "good", "no_doc", "no_hints", "object_array", "wrong_params"]


def good(values: ArrayLike, *, level: float = 0.95) -> float:
    """Mean of the values.

    Parameters
    ----------
    values : array_like
        Numbers.
    level : float
        Confidence level.

    Returns
    -------
    float
        The mean.

    Examples
    --------
    >>> good([1.0, 3.0])
    2.0
    """
    return sum(values) / len(values)


def no_doc(x: int) -> int:
    return x


def no_hints(x, y: int):
    """Sum of two numbers.

    Parameters
    ----------
    x, y : int
        The numbers.

    Returns
    -------
    int
        Their sum.

    Examples
    --------
    >>> no_hints(1, 2)
    3
    """
    return x + y


def object_array(values: object) -> int:
    """Length of the values.

    Parameters
    ----------
    values : array_like
        Anything with a length.

    Returns
    -------
    int
        The length.

    Examples
    --------
    >>> object_array([1, 2])
    2
    """
    return len(values)


def wrong_params(a: int, b: int) -> int:
    """Product of two numbers.

    Parameters
    ----------
    a : int
        A number.
    c : int
        Not a parameter.

    Examples
    --------
    >>> wrong_params(2, 3)
    6
    """
    return a * b


@dataclass(frozen=True)
class Result:
    """A result whose fields are its attributes.

    Attributes
    ----------
    estimate : float
        The estimate.
    level : float
        Confidence level.
    """

    estimate: float
    level: float

    def to_text(self) -> str:
        """The estimate as text."""
        return f"{self.estimate}"


@dataclass(frozen=True)
class Fields(Result):
    """A result with one more field than the one it extends.

    Attributes
    ----------
    n : int
        Number of units.
    """

    n: int
    missing: int = 0
    _cache: int = 0
'''


def codes(findings: list[str]) -> list[str]:
    """The rule codes of findings (``"PR01 Parameters ..."`` -> ``"PR01"``)."""
    return [line.split()[0] for line in findings]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The findings on the sample module, by object name."""
    folder = tmp_path_factory.mktemp("api_sample")
    (folder / "api_sample.py").write_text(textwrap.dedent(SAMPLE), encoding="utf-8")
    sys.path.insert(0, str(folder))
    try:
        import api_sample

        config = check_api.read_config()
        findings: dict[str, list[str]] = {}
        for name in api_sample.__all__:
            obj = getattr(api_sample, name)
            entries = [check_api.Entry(f"api_sample.{name}", obj)]
            if isinstance(obj, type):
                entries += list(check_api._methods(entries[0]))
            for entry in entries:
                findings[entry.name] = check_api.docstring_findings(
                    entry, config
                ) + check_api.annotation_findings(entry)
        return findings
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("api_sample", None)


def test_a_complete_docstring_passes(sample: dict[str, list[str]]) -> None:
    assert codes(sample["api_sample.good"]) == []


def test_a_missing_docstring_is_found(sample: dict[str, list[str]]) -> None:
    assert "GL08" in codes(sample["api_sample.no_doc"])


def test_missing_type_hints_are_found(sample: dict[str, list[str]]) -> None:
    # one parameter and the return value
    assert codes(sample["api_sample.no_hints"]) == ["ANN", "ANN"]


def test_an_array_hinted_as_object_is_found(sample: dict[str, list[str]]) -> None:
    assert codes(sample["api_sample.object_array"]) == ["ANN"]


def test_undocumented_unknown_parameters_and_returns_are_found(
    sample: dict[str, list[str]],
) -> None:
    assert {"PR01", "PR02", "RT01"} <= set(codes(sample["api_sample.wrong_params"]))


def test_dataclass_fields_are_documented_as_attributes(sample: dict[str, list[str]]) -> None:
    assert codes(sample["api_sample.Result"]) == []
    # a method needs its Returns section; Examples are asked of functions only
    assert codes(sample["api_sample.Result.to_text"]) == ["RT01"]
    # inherited fields are documented by the base class; ``missing`` by none (``_cache``,
    # private, need not be)
    (finding,) = sample["api_sample.Fields"]
    assert finding.startswith("PR01") and "{'missing'}" in finding


def test_the_api_page_lists_modules_and_members() -> None:
    documented = check_api.documented_members()
    assert documented["ceuslib.accuracy"] is None
    assert documented["ceuslib.cli"] == ["main"]
    assert "shown" in documented["ceuslib.outputs"]
    assert "StagedFolder" in documented["ceuslib.outputs"]
    assert "ceuslib.plots" not in documented  # a module docstring only


def test_public_objects_follow_all_and_the_api_page() -> None:
    config = check_api.read_config()
    names = {entry.name for entry in check_api.public_objects(["ceuslib"], config)}
    assert "ceuslib.accuracy.roc.roc_auc" in names  # re-exported by ceuslib.accuracy.__all__
    assert "ceuslib.cli.main" in names  # a member listed on the API page
    assert "ceuslib.accuracy.roc.RocAuc.to_frame" in names  # a method of a public class
    assert not any(part.startswith("_") for name in names for part in name.split(".")[:-1])
    for package in config.skip_packages:
        assert not any(name.startswith(package + ".") for name in names)
