"""Clustered McNemar (Obuchowski 1998, Durkalski 2003) and clustered DeLong (Obuchowski 1997)
tests, against R transcriptions of the published formulas (tests/reference/accuracy)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ceuslib import accuracy as acc

HERE = Path(__file__).parent / "reference" / "accuracy"
R = pd.read_csv(HERE / "clustered_tests_r.csv")
TOL = 1e-9
CASES = ["clustered_paired", "sides"]


def ref(case: str, quantity: str) -> float:
    row = R[(R["case"] == case) & (R["quantity"] == quantity)]
    assert len(row) == 1, (case, quantity)
    return float(row["value"].iloc[0])


def data(case: str) -> pd.DataFrame:
    return pd.read_csv(HERE / f"{case}.csv")


@pytest.mark.parametrize("case", CASES)
def test_clustered_delong_matches_obuchowski_1997_in_r(case) -> None:
    d = data(case)
    ours = acc.clustered_delong_test(d.y, d.score_a, d.score_b, d.patient)
    assert ours.auc_a == pytest.approx(ref(case, "delong_auc_a"), abs=TOL)
    assert ours.auc_b == pytest.approx(ref(case, "delong_auc_b"), abs=TOL)
    for name in ("se", "z", "p_value", "ci_low", "ci_high"):
        assert getattr(ours, name) == pytest.approx(ref(case, f"delong_{name}"), abs=TOL), name
    covariance = ref(case, "delong_cov")
    correlation = covariance / np.sqrt(ref(case, "delong_var_a") * ref(case, "delong_var_b"))
    assert ours.correlation == pytest.approx(correlation, abs=TOL)
    single = acc.clustered_roc_auc(d.y, d.score_a, d.patient)
    assert single.se**2 == pytest.approx(ref(case, "delong_var_a"), abs=TOL)
    assert ours.n_clusters == d.patient.nunique()
    frame = ours.to_frame()
    assert list(frame.columns[:8]) == [
        "auc_a", "auc_b", "diff", "se", "z", "p_value", "ci_low", "ci_high",
    ]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("subset", ["diseased", "healthy"])
@pytest.mark.parametrize("method", ["obuchowski", "durkalski"])
def test_clustered_mcnemar_matches_r(case, subset, method) -> None:
    d = data(case)
    d = d[d.y == (1 if subset == "diseased" else 0)]
    ours = acc.clustered_mcnemar(d.test_a, d.test_b, d.patient, method=method)
    prefix = f"{method}_{subset}_"
    assert ours.statistic == pytest.approx(ref(case, prefix + "statistic"), abs=TOL)
    assert ours.p_value == pytest.approx(ref(case, prefix + "p_value"), abs=TOL)
    if method == "obuchowski":
        assert ours.p_a == pytest.approx(ref(case, prefix + "p_a"), abs=TOL)
        assert ours.p_b == pytest.approx(ref(case, prefix + "p_b"), abs=TOL)
        assert ours.se == pytest.approx(ref(case, prefix + "se"), abs=TOL)
        assert ours.ci_low < ours.diff < ours.ci_high
    else:
        assert np.isnan(ours.se)
    assert ours.n_units == len(d)


def test_one_unit_per_cluster_durkalski_is_mcnemar() -> None:
    rng = np.random.default_rng(5)
    a = rng.random(90) < 0.6
    b = np.where(rng.random(90) < 0.7, a, ~a)
    ours = acc.clustered_mcnemar(a, b, np.arange(90), method="durkalski")
    plain = acc.mcnemar_test(b=int(np.sum(a & ~b)), c=int(np.sum(~a & b)), method="asymptotic")
    assert ours.statistic == pytest.approx(plain.statistic, rel=1e-12)
    assert ours.p_value == pytest.approx(plain.p_value, rel=1e-12)
    assert (ours.b, ours.c) == (plain.b, plain.c)


def test_one_unit_per_cluster_clustered_delong_is_delong() -> None:
    d = data("clustered_paired")
    units = np.arange(len(d))
    ours = acc.clustered_delong_test(d.y, d.score_a, d.score_b, units)
    plain = acc.delong_test(d.y, d.score_a, d.score_b)
    for name in ("auc_a", "auc_b", "diff", "se", "z", "p_value", "ci_low", "ci_high"):
        assert getattr(ours, name) == pytest.approx(getattr(plain, name), abs=1e-12), name
    assert ours.correlation == pytest.approx(plain.correlation, abs=1e-12)


def test_clustering_changes_the_answer_and_labels_work() -> None:
    d = data("sides")
    clustered = acc.clustered_delong_test(d.y, d.score_a, d.score_b, d.patient)
    naive = acc.delong_test(d.y, d.score_a, d.score_b)
    assert clustered.diff == pytest.approx(naive.diff, abs=1e-12)
    assert clustered.se != pytest.approx(naive.se, rel=1e-3)
    labelled = acc.clustered_delong_test(
        np.where(d.y == 1, "ypN+", "ypN0"), d.score_a, d.score_b, d.patient, pos_label="ypN+"
    )
    assert labelled.se == clustered.se
    calls = acc.clustered_mcnemar(
        np.where(d.test_a == 1, "pos", "neg"), np.where(d.test_b == 1, "pos", "neg"),
        d.patient, pos_label="pos",
    )  # fmt: skip
    assert calls.statistic == acc.clustered_mcnemar(d.test_a, d.test_b, d.patient).statistic


def test_no_discordant_unit_gives_p_one_and_bad_input_fails() -> None:
    same = acc.clustered_mcnemar([1, 0, 1, 1], [1, 0, 1, 1], ["a", "a", "b", "b"])
    assert (same.statistic, same.p_value) == (0.0, 1.0)
    with pytest.raises(ValueError, match="method must be one of"):
        acc.clustered_mcnemar([1, 0], [0, 1], [1, 2], method="eliasziw")
    with pytest.raises(ValueError, match="at least two clusters"):
        acc.clustered_mcnemar([1, 0], [0, 1], [1, 1])
    with pytest.raises(ValueError, match="cluster has 1 missing value"):
        acc.clustered_mcnemar([1, 0, 1], [0, 1, 1], ["a", None, "b"])
    omitted = acc.clustered_mcnemar(
        [1, 0, 1, 0], [0, 1, 1, 0], ["a", None, "b", "b"], nan_policy="omit"
    )
    assert omitted.n_omitted == 1 and omitted.n_units == 3
    with pytest.raises(ValueError, match="two clusters with a positive unit"):
        acc.clustered_delong_test([1, 0, 1, 0], [1, 2, 3, 4], [2, 1, 4, 3], [1, 1, 1, 1])
