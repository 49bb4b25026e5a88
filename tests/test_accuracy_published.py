"""The numbers typed from papers (published.json) against their recomputation in R and statsmodels.

Two checks per value, both reading only files under tests/reference/accuracy:

- the printed number is the rounding of the recomputation (half a unit of its last printed
  decimal), which catches a mistyped transcription without involving ceuslib;
- ceuslib equals the recomputation to 1e-9 (deterministic values), which is stricter than the
  comparison with the printed table in test_accuracy_reference.py.

The recomputations: derive_published.R (R 4.2.2 stats, pROC 1.18.0) -> published_r.csv and
derive_published_statsmodels.py (statsmodels 0.15.0) -> published_statsmodels.csv.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ceuslib import accuracy as acc

HERE = Path(__file__).resolve().parent / "reference" / "accuracy"
TOL = 1e-9
PUBLISHED = json.loads((HERE / "published.json").read_text())
VALUES = pd.concat(
    [
        pd.read_csv(HERE / "published_r.csv", dtype={"value": str}),
        pd.read_csv(HERE / "published_statsmodels.csv", dtype={"value": str}),
    ]
)
METHOD_KEY = {"wald": "wald", "wilson": "wilson", "clopper-pearson": "clopper_pearson"}


def value(source: str, case: str, quantity: str) -> float:
    row = VALUES[
        (VALUES["source"] == source) & (VALUES["case"] == case) & (VALUES["quantity"] == quantity)
    ]
    assert len(row) == 1, (source, case, quantity)
    return float(row["value"].iloc[0])


def half_unit(decimals: int) -> float:
    return 0.5 * 10.0**-decimals


def test_every_recomputed_value_names_its_call() -> None:
    assert len(VALUES) == 44 + 28
    assert VALUES["call"].str.len().min() > 20
    assert set(VALUES["source"]) == {"R stats", "R transcription", "pROC", "statsmodels"}


def test_every_published_entry_records_its_transcription_check() -> None:
    for key, entry in PUBLISHED.items():
        if key.startswith("_"):
            continue
        assert "tolerance" in entry, key
        rows = entry.get("rows", [entry])
        for row in rows:
            assert "transcription_check" in row or "transcription_check" in entry, key


# ------------------------------------------------------------------ Newcombe (1998), Table I

NEWCOMBE = PUBLISHED["newcombe1998"]["rows"]


@pytest.mark.parametrize("source", ["R stats", "statsmodels"])
@pytest.mark.parametrize("row", NEWCOMBE, ids=lambda r: f"{r['x']}/{r['n']}-{r['method']}")
def test_newcombe_table_is_the_rounding_of_the_recomputation(row, source) -> None:
    """The typed limits round from R (prop.test, binom.test) and statsmodels."""
    half = half_unit(PUBLISHED["newcombe1998"]["decimals"])
    case, key = f"{row['x']}_of_{row['n']}", METHOD_KEY[row["method"]]
    for side in ("low", "high"):
        if row[side] is None:  # the paper prints only "< 0" there
            assert value(source, case, f"{key}_{side}") <= 0.0
            continue
        assert abs(value(source, case, f"{key}_{side}") - row[side]) <= half, side


@pytest.mark.parametrize("row", NEWCOMBE, ids=lambda r: f"{r['x']}/{r['n']}-{r['method']}")
def test_proportion_ci_equals_r_and_statsmodels(row) -> None:
    case, key = f"{row['x']}_of_{row['n']}", METHOD_KEY[row["method"]]
    low, high = acc.proportion_ci(row["x"], row["n"], method=row["method"])
    for source in ("R stats", "statsmodels"):
        # ceuslib clips the Wald interval to [0, 1] (the R line is written out unclipped).
        expected_low = max(value(source, case, f"{key}_low"), 0.0)
        expected_high = min(value(source, case, f"{key}_high"), 1.0)
        assert low == pytest.approx(expected_low, abs=TOL), source
        assert high == pytest.approx(expected_high, abs=TOL), source


# ------------------------------------------------------------------ Hanley and McNeil (1982)


def hanley_mcneil_data() -> tuple[np.ndarray, np.ndarray]:
    paper = PUBLISHED["hanley_mcneil1982"]
    ratings = np.arange(1, 6)
    y = np.repeat([0, 1], [sum(paper["normal_counts"]), sum(paper["abnormal_counts"])])
    x = np.concatenate(
        [np.repeat(ratings, paper["normal_counts"]), np.repeat(ratings, paper["abnormal_counts"])]
    )
    return y, x


def test_hanley_mcneil_area_and_se_are_the_rounding_of_the_recomputation() -> None:
    paper = PUBLISHED["hanley_mcneil1982"]
    half = half_unit(paper["decimals"])
    assert abs(value("pROC", "hanley_mcneil_table1", "auc") - paper["auc"]) <= half
    assert abs(value("R transcription", "hanley_mcneil_table1", "se") - paper["se"]) <= half


def test_hanley_mcneil_example_equals_proc_and_the_r_formula() -> None:
    y, x = hanley_mcneil_data()
    result = acc.roc_auc(y, x)
    assert result.auc == pytest.approx(value("pROC", "hanley_mcneil_table1", "auc"), abs=TOL)
    assert result.se == pytest.approx(value("pROC", "hanley_mcneil_table1", "se_delong"), abs=TOL)
    se = acc.hanley_mcneil_se(result.auc, n_positive=int(y.sum()), n_negative=int((1 - y).sum()))
    assert se == pytest.approx(value("R transcription", "hanley_mcneil_table1", "se"), abs=TOL)


# ------------------------------------------------------------------ McNemar (Fagerland et al.)

MCNEMAR = {"fagerland2013": "b1_c7", "fagerland2017_mcnemar": "b6_c16"}


@pytest.mark.parametrize("key", sorted(MCNEMAR))
def test_mcnemar_p_values_are_the_rounding_of_the_recomputation(key) -> None:
    paper = PUBLISHED[key]
    half = half_unit(paper["decimals"])
    for method in ("asymptotic", "exact", "midp"):
        assert abs(value("R stats", MCNEMAR[key], method) - paper[method]) <= half, method
    for method in ("asymptotic", "exact"):  # statsmodels has no mid-p test
        assert abs(value("statsmodels", MCNEMAR[key], method) - paper[method]) <= half, method


@pytest.mark.parametrize("key", sorted(MCNEMAR))
def test_mcnemar_equals_r_and_statsmodels(key) -> None:
    paper = PUBLISHED[key]
    for method in ("asymptotic", "exact", "midp"):
        ours = acc.mcnemar_test(b=paper["b"], c=paper["c"], method=method).p_value
        assert ours == pytest.approx(value("R stats", MCNEMAR[key], method), abs=TOL), method
        if method != "midp":
            expected = value("statsmodels", MCNEMAR[key], method)
            assert ours == pytest.approx(expected, abs=TOL), method


# ------------------------------------------------------------------ paired differences


def paired_cases() -> list[tuple[str, dict]]:
    cases = [("cavo_2012", PUBLISHED["fagerland2017_paired"])]
    names = {(20, 12, 2, 16): "newcombe_1998_example", (1, 1, 7, 12): "bentur_2009"}
    for row in PUBLISHED["newcombe1998_paired"]["rows"]:
        cells = (row["both"], row["only_a"], row["only_b"], row["neither"])
        cases.append((names[cells], row))
    return cases


@pytest.mark.parametrize(("case", "row"), paired_cases(), ids=[c for c, _ in paired_cases()])
def test_paired_intervals_are_the_rounding_of_the_r_transcription(case, row) -> None:
    half = half_unit(row["decimals"])
    assert abs(value("R transcription", case, "newcombe_low") - row["low"]) <= half
    assert abs(value("R transcription", case, "newcombe_high") - row["high"]) <= half
    if "estimate" in row:
        assert abs(value("R transcription", case, "newcombe_diff") - row["estimate"]) <= half
    if "wald_low" in row:
        assert abs(value("R stats", case, "wald_low") - row["wald_low"]) <= half
        assert abs(value("R stats", case, "wald_high") - row["wald_high"]) <= half


@pytest.mark.parametrize(("case", "row"), paired_cases(), ids=[c for c, _ in paired_cases()])
def test_paired_difference_equals_the_r_transcription(case, row) -> None:
    cells = {k: row[k] for k in ("both", "only_a", "only_b", "neither")}
    ours = acc.paired_proportion_difference(**cells)
    assert ours.diff == pytest.approx(value("R transcription", case, "newcombe_diff"), abs=TOL)
    assert ours.ci_low == pytest.approx(value("R transcription", case, "newcombe_low"), abs=TOL)
    assert ours.ci_high == pytest.approx(value("R transcription", case, "newcombe_high"), abs=TOL)
    if "wald_low" in row:
        wald = acc.paired_proportion_difference(**cells, method="wald")
        assert wald.ci_low == pytest.approx(value("R stats", case, "wald_low"), abs=TOL)
        assert wald.ci_high == pytest.approx(value("R stats", case, "wald_high"), abs=TOL)
