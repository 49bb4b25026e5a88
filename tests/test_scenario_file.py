"""Scenario files (TOML/YAML) and the common overrides of ``ceuslib simulate``."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceuslib.cohort import simulate_cohort
from ceuslib.cohort.scenario import Scenario
from ceuslib.cohort.scenario_file import read_scenario, scenario_toml, with_overrides
from ceuslib.errors import DataError


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_scenario_round_trips_through_toml(tmp_path: Path) -> None:
    changed = Scenario().replace(residual_nodal_prevalence=0.2, fps=4.0)
    path = _write(tmp_path, "s.toml", scenario_toml(changed))
    assert read_scenario(path) == changed


def test_yaml_and_toml_give_the_same_scenario(tmp_path: Path) -> None:
    toml = _write(
        tmp_path,
        "s.toml",
        "feature_separation = 0.5\ntarget_node_probabilities = [1, 0, 0]\n"
        "hilum_probabilities = [[0.1, 0.2, 0.7], [0.3, 0.3, 0.4], [0.8, 0.15, 0.05]]\n",
    )
    yml = _write(
        tmp_path,
        "s.yml",
        "feature_separation: 0.5\ntarget_node_probabilities: [1, 0, 0]\n"
        "hilum_probabilities:\n  - [0.1, 0.2, 0.7]\n  - [0.3, 0.3, 0.4]\n"
        "  - [0.8, 0.15, 0.05]\n",
    )
    assert read_scenario(toml) == read_scenario(yml)
    assert read_scenario(toml).target_node_probabilities == (1.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "typo.toml",
            "residual_prevalence = 0.3\n",
            "unknown field 'residual_prevalence' (did you mean residual_nodal_prevalence?)",
        ),
        ("text.toml", 'fps = "fast"\n', "fps must be a number, got 'fast'"),
        ("bool.yaml", "fps: true\n", "fps must be a number, got True"),
        (
            "shape.toml",
            "target_node_probabilities = [0.5, 0.5]\n",
            "target_node_probabilities must be a list of 3 values, like [0.6, 0.3, 0.1]",
        ),
        (
            "range.toml",
            "residual_nodal_prevalence = 1.5\n",
            "invalid Scenario: residual_nodal_prevalence must lie in [0, 1], got 1.5",
        ),
        (
            "sum.toml",
            "target_node_probabilities = [0.5, 0.4, 0.4]\n",
            "invalid Scenario: target_node_probabilities: probabilities must sum to 1, "
            "got (0.5, 0.4, 0.4)",
        ),
        ("broken.toml", "fps = = 2\n", "is not valid TOML: Invalid value (at line 1, column 7)"),
        ("list.yaml", "- fps\n", "must hold a YAML table of scenario fields"),
        ("s.json", "{}", "unknown scenario format; expected one of .toml, .yaml, .yml"),
    ],
)
def test_bad_scenario_files_get_one_clear_message(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(DataError) as caught:
        read_scenario(path)
    assert [p.rule for p in caught.value.problems] == [message]
    assert caught.value.problems[0].file == str(path)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = _write(tmp_path, "two.toml", "fpss = 2\nduration_s = 'long'\n")
    with pytest.raises(DataError) as caught:
        read_scenario(path)
    assert len(caught.value.problems) == 2


def test_not_utf8_scenario(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes("# r\xe9sum\xe9\nfps = 2\n".encode("latin-1"))
    with pytest.raises(DataError, match="is not UTF-8 text"):
        read_scenario(path)


@pytest.mark.parametrize(
    ("overrides", "check"),
    [
        (
            {"prevalence": 0.1},
            lambda c: (c.patients["residual_nodal_disease"] == "yes").mean() < 0.3,
        ),
        (
            {"prevalence": 0.9},
            lambda c: (c.patients["residual_nodal_disease"] == "yes").mean() > 0.7,
        ),
        ({"nodes_per_patient": 1}, lambda c: c.nodes.groupby("patient_id").size().eq(1).all()),
        ({"nodes_per_patient": 3}, lambda c: c.nodes.groupby("patient_id").size().eq(3).all()),
    ],
)
def test_overrides_shape_the_simulated_cohort(overrides, check) -> None:
    cohort = simulate_cohort(80, seed=3, scenario=with_overrides(Scenario(), **overrides),
                             curves=False)  # fmt: skip
    assert check(cohort)


def test_a_signal_of_zero_makes_the_reading_uninformative() -> None:
    cohort = simulate_cohort(
        400, seed=5, scenario=with_overrides(Scenario(), signal=0.0), curves=False
    )
    nodes = cohort.nodes[cohort.nodes["viable_tumour"].isin(["yes", "no"])]
    share = nodes.groupby("viable_tumour")["ceus_direction"].apply(
        lambda s: (s == "centripetal").mean()
    )
    assert abs(share["yes"] - share["no"]) < 0.1


def test_nodes_per_patient_must_be_one_to_three() -> None:
    with pytest.raises(ValueError, match="nodes_per_patient must be 1, 2 or 3"):
        with_overrides(Scenario(), nodes_per_patient=4)
