"""A :class:`~ceuslib.cohort.scenario.Scenario` read from, or written to, a TOML or YAML file.

A study team rehearses its analysis on a synthetic cohort like its own before unblinding:
``ceuslib scenario --out my.toml`` writes every assumption with its description and basis as
comments, the team edits the values it knows (its expected prevalence, its number of target
nodes, a weaker CEUS signal), and ``ceuslib simulate --scenario my.toml`` draws a cohort from
it.  Fields left out keep their defaults; a key that is not a field is refused, so a typing
error cannot pass silently.
"""

from __future__ import annotations

import difflib
import math
import os
import tomllib
from dataclasses import fields
from pathlib import Path

import yaml

from ceuslib.cohort.scenario import Scenario
from ceuslib.errors import DataError, Problem

SUFFIXES = {".toml": "TOML", ".yaml": "YAML", ".yml": "YAML"}


def _parse(path: Path) -> dict:
    kind = SUFFIXES.get(path.suffix.lower())
    name = str(path)
    if kind is None:
        raise DataError(
            [Problem(name, f"unknown scenario format; expected one of {', '.join(SUFFIXES)}")]
        )
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise DataError([Problem(name, f"cannot be read: {error.strerror or error}")]) from None
    except UnicodeDecodeError:
        raise DataError([Problem(name, "is not UTF-8 text")]) from None
    try:
        data = tomllib.loads(text) if kind == "TOML" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DataError([Problem(name, f"is not valid {kind}: {detail}")]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DataError([Problem(name, f"must hold a {kind} table of scenario fields")])
    return data


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _convert(value, default, key: str, file: str) -> tuple[object, list[Problem]]:
    """The file's value in the default's shape (float, or tuples of floats), or problems."""
    if isinstance(default, tuple):
        if not isinstance(value, list | tuple) or len(value) != len(default):
            shape = f"a list of {len(default)} values"
            return None, [Problem(file, f"{key} must be {shape}, like {list(default)!r}")]
        items, problems = [], []
        for item, item_default in zip(value, default, strict=True):
            converted, more = _convert(item, item_default, key, file)
            items.append(converted)
            problems += more
        return tuple(items), problems
    if not _is_number(value) or not math.isfinite(value):
        return None, [Problem(file, f"{key} must be a number, got {value!r}")]
    return float(value), []


def read_scenario(path: str | os.PathLike[str], *, base: Scenario | None = None) -> Scenario:
    """Read a scenario file: the fields it sets replace those of ``base``.

    Parameters
    ----------
    path : path-like
        A ``.toml``, ``.yaml`` or ``.yml`` file holding one table of ``field = value``
        pairs (the fields of :class:`~ceuslib.cohort.scenario.Scenario`).
    base : Scenario, optional
        The scenario the file changes; the defaults when omitted.

    Returns
    -------
    Scenario
        ``base`` with the fields the file sets replaced (numbers as float, lists as tuples).

    Raises
    ------
    DataError
        Naming the file and every problem at once: a key that is not a field (with the
        closest field names), a value of the wrong shape or type, a value out of range.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "pilot.toml").write_text("residual_nodal_prevalence = 0.3\\n")
    >>> read_scenario(folder / "pilot.toml").residual_nodal_prevalence
    0.3
    >>> _ = (folder / "typo.yaml").write_text("residual_prevalence: 0.3\\n")
    >>> try:
    ...     read_scenario(folder / "typo.yaml")
    ... except DataError as error:
    ...     print(error.problems[0].rule)
    unknown field 'residual_prevalence' (did you mean residual_nodal_prevalence?)
    """
    path = Path(path)
    base = Scenario() if base is None else base
    data = _parse(path)
    known = {item.name for item in fields(Scenario)}
    file = str(path)
    problems: list[Problem] = []
    changes = {}
    for key, value in data.items():
        if key not in known:
            close = difflib.get_close_matches(str(key), sorted(known), n=2)
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            problems.append(Problem(file, f"unknown field {key!r}{hint}"))
            continue
        converted, more = _convert(value, getattr(base, key), key, file)
        problems += more
        if not more:
            changes[key] = converted
    if problems:
        raise DataError(problems)
    try:
        return base.replace(**changes)
    except ValueError as error:
        raise DataError([Problem(file, str(error))]) from None


def toml_value(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return repr(float(value))


def scenario_toml(scenario: Scenario | None = None) -> str:
    """The scenario as a commented TOML file that :func:`read_scenario` reads back.

    Each field is preceded by its description and its basis (a source, or ASSUMPTION).

    Parameters
    ----------
    scenario : Scenario, optional
        The scenario to write; the defaults when omitted.

    Returns
    -------
    str
        The TOML text: a header comment, then for every field, in declaration order, a blank
        line, its description and basis as comments and ``field = value`` (numbers as
        floats, tuples as arrays), ending with a newline.

    Examples
    --------
    >>> text = scenario_toml()
    >>> "residual_nodal_prevalence = 0.463" in text
    True
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "default.toml"
    >>> _ = path.write_text(text)
    >>> read_scenario(path) == Scenario()
    True
    """
    scenario = Scenario() if scenario is None else scenario
    lines = [
        "# Assumptions of a synthetic CEUS cohort (ceuslib simulate --scenario FILE).",
        "# Every field is optional: a field left out keeps its default. Per-state values are",
        "# in the order (residual, regression, uninvolved). Synthetic, not patient data.",
    ]
    for item in fields(Scenario):
        lines += [
            "",
            f"# {item.metadata['description']}",
            f"# Basis: {item.metadata['basis']}",
            f"{item.name} = {toml_value(getattr(scenario, item.name))}",
        ]
    return "\n".join(lines) + "\n"


def with_overrides(
    scenario: Scenario,
    *,
    prevalence: float | None = None,
    signal: float | None = None,
    nodes_per_patient: int | None = None,
) -> Scenario:
    """The common changes a study makes, by name.

    Parameters
    ----------
    scenario : Scenario
        The scenario to change.
    prevalence : float, optional
        Share of patients with residual nodal disease (``residual_nodal_prevalence``).
    signal : float, optional
        Strength of every imaging contrast between node states (``feature_separation``):
        1 is the published contrasts, 0 makes the features carry no information.
    nodes_per_patient : {1, 2, 3}, optional
        Every patient has exactly this many CEUS target nodes
        (``target_node_probabilities``).

    Returns
    -------
    Scenario
        A copy of ``scenario`` with the given changes; the same values when none is given.

    Raises
    ------
    ValueError
        When ``nodes_per_patient`` is not 1, 2 or 3, or a value is out of its range.

    Examples
    --------
    >>> s = with_overrides(Scenario(), prevalence=0.25, nodes_per_patient=1)
    >>> s.residual_nodal_prevalence, s.target_node_probabilities
    (0.25, (1.0, 0.0, 0.0))
    """
    changes: dict[str, object] = {}
    if prevalence is not None:
        changes["residual_nodal_prevalence"] = float(prevalence)
    if signal is not None:
        changes["feature_separation"] = float(signal)
    if nodes_per_patient is not None:
        if nodes_per_patient not in (1, 2, 3):
            raise ValueError(f"nodes_per_patient must be 1, 2 or 3, got {nodes_per_patient!r}")
        changes["target_node_probabilities"] = tuple(
            1.0 if k == nodes_per_patient else 0.0 for k in (1, 2, 3)
        )
    return scenario.replace(**changes)


__all__ = ["read_scenario", "scenario_toml", "with_overrides"]
