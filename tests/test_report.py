"""The methods-supplement report: its numbers, its files, its command line."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from ceuslib.accuracy import clustered_roc_auc, roc_auc
from ceuslib.cli import main
from ceuslib.cohort import simulate_cohort
from ceuslib.cohort.fitting import fit_cohort_curves
from ceuslib.outputs import OutputError
from ceuslib.report import build_report, write_report


@pytest.fixture(scope="module")
def cohort():
    return simulate_cohort(40, seed=11)


@pytest.fixture(scope="module")
def report(cohort):
    return build_report(cohort, n_boot=200, seed=3)


def test_node_level_counts_match_a_direct_count(cohort, report) -> None:
    nodes = cohort.nodes
    analysed = nodes[(nodes["ceus_imaged"] == "yes") & nodes["viable_tumour"].isin(["yes", "no"])]
    positive = analysed["ceus_direction"] == "centripetal"
    viable = analysed["viable_tumour"] == "yes"
    row = report.accuracy[
        (report.accuracy["level"] == "node")
        & (report.accuracy["test"] == "CEUS (centripetal filling)")
        & (report.accuracy["measure"] == "sensitivity")
    ].iloc[0]
    assert (row["tp"], row["fn"]) == (
        int((positive & viable).sum()),
        int((~positive & viable).sum()),
    )
    assert (row["fp"], row["tn"]) == (
        int((positive & ~viable).sum()),
        int((~positive & ~viable).sum()),
    )
    assert row["estimate"] == pytest.approx(row["tp"] / (row["tp"] + row["fn"]), abs=1e-12)


def test_patient_level_uses_the_neck_reference_standard(cohort, report) -> None:
    imaged = cohort.nodes[cohort.nodes["ceus_imaged"] == "yes"]
    any_ct = imaged.groupby("patient_id")["ct_mri_call"].agg(lambda s: (s == "positive").any())
    truth = cohort.patients.set_index("patient_id").loc[any_ct.index, "residual_nodal_disease"]
    y = (truth == "yes").to_numpy()
    row = report.accuracy.query(
        "level == 'patient' and test == 'CT/MRI call' and measure == 'specificity'"
    ).iloc[0]
    assert row["tn"] == int((~any_ct.to_numpy() & ~y).sum())
    assert row["tn"] + row["fp"] == int((~y).sum())


def test_roc_table_repeats_the_accuracy_functions(cohort, report) -> None:
    fits = fit_cohort_curves(cohort.tics)
    nodes = cohort.nodes.merge(fits, on="node_id")
    nodes = nodes[
        (nodes["ceus_imaged"] == "yes")
        & nodes["viable_tumour"].isin(["yes", "no"])
        & nodes["converged"].astype(bool)
    ]
    y = (nodes["viable_tumour"] == "yes").to_numpy()
    row = report.roc.set_index("descriptor").loc["ttp"]
    direct = roc_auc(y, nodes["ttp"].to_numpy(), direction="lower")
    clustered = clustered_roc_auc(
        y, nodes["ttp"].to_numpy(), nodes["patient_id"].to_numpy(), direction="lower"
    )
    assert row["auc"] == direct.auc and row["delong_ci_low"] == direct.ci_low
    assert row["clustered_ci_high"] == clustered.ci_high
    assert row["n_nodes"] == len(y)


def test_decision_table_counts_observed_necks(cohort, report) -> None:
    imaged = cohort.nodes[cohort.nodes["ceus_imaged"] == "yes"]
    positive = imaged.groupby("patient_id")["ceus_direction"].agg(
        lambda s: (s == "centripetal").any()
    )
    table = report.decision.set_index("measure")
    assert table.loc["dissections_avoided", "estimate"] == pytest.approx(
        100 * (~positive).mean(), abs=1e-9
    )
    assert (table["ci_low"] <= table["estimate"] + 1e-12).all()
    assert (table["estimate"] <= table["ci_high"] + 1e-12).all()


def _read_all(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_written_report_is_complete_offline_and_reproducible(report, tmp_path: Path) -> None:
    first = write_report(report, tmp_path / "a", source="synthetic")
    second = write_report(report, tmp_path / "b", source="synthetic")
    files = _read_all(first)
    assert set(files) == {
        ".ceuslib-output",
        "index.html",
        "accuracy.csv",
        "decision.csv",
        "exclusions.csv",
        "index_test_results.csv",
        "roc.csv",
        "roc_points.csv",
        "stard_flow.csv",
        "stard_flow.png",
        "stard_flow.svg",
        "roc.png",
        "roc.svg",
    }
    assert files == _read_all(second), "the same report must give byte-identical files"
    page = files["index.html"].decode()
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', page)
    assert len(alts) == 2 and all(alt.strip() for alt in alts)
    assert pd.read_csv(first / "roc.csv")["auc"].between(0, 1).all()


def test_failed_write_leaves_nothing_behind(report, tmp_path: Path, monkeypatch) -> None:
    import ceuslib.plots.report

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(ceuslib.plots.report, "save_report_figures", broken)
    with pytest.raises(OutputError, match="out: cannot be written: disk full"):
        write_report(report, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_command_line_writes_the_report(cohort, tmp_path: Path, capsys) -> None:
    cohort.write(tmp_path / "study")
    code = main(
        ["report", str(tmp_path / "study"), "--out", str(tmp_path / "rep"), "--n-boot", "100"]
    )
    assert code == 0
    assert "wrote" in capsys.readouterr().out
    assert (tmp_path / "rep" / "index.html").is_file()


def test_command_line_bad_folder_is_one_message(tmp_path: Path, capsys) -> None:
    (tmp_path / "study").mkdir()
    code = main(["report", str(tmp_path / "study"), "--out", str(tmp_path / "rep")])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("error:") and "Traceback" not in err
    assert not (tmp_path / "rep").exists()
