"""ceuslib.accuracy against pROC 1.18.0, epiR 2.0.57, R and published tables.

Every expected value is read from tests/reference/accuracy (see its README.md for the exact
calls, package versions and papers).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ceuslib import accuracy as acc

HERE = Path(__file__).resolve().parent / "reference" / "accuracy"
TOL = 1e-9  # deterministic R values

R = pd.read_csv(HERE / "r_values.csv", dtype={"value": str}, keep_default_na=False)
PUBLISHED = json.loads((HERE / "published.json").read_text())


def ref(source: str, case: str, quantity: str) -> float:
    row = R[(R["source"] == source) & (R["case"] == case) & (R["quantity"] == quantity)]
    assert len(row) == 1, (source, case, quantity)
    value = row["value"].iloc[0]
    return math.nan if value == "NA" else float(value)


def cases(source: str, quantity: str) -> list[str]:
    rows = R[(R["source"] == source) & (R["quantity"] == quantity)]
    return sorted(rows["case"].unique())


@pytest.fixture(scope="module")
def asah() -> pd.DataFrame:
    return pd.read_csv(HERE / "asah.csv")


@pytest.fixture(scope="module")
def ties() -> pd.DataFrame:
    return pd.read_csv(HERE / "ties.csv")


@pytest.fixture(scope="module")
def clustered() -> pd.DataFrame:
    return pd.read_csv(HERE / "clustered.csv")


def scores_for(case: str, asah, ties, clustered):
    """(truth, score, direction) of a pROC case name from derive.R."""
    poor = (asah["outcome"] == "Poor").to_numpy()
    table = {
        "asah_s100b": (poor, asah["s100b"], "higher"),
        "asah_ndka": (poor, asah["ndka"], "higher"),
        "asah_wfns": (poor, asah["wfns"], "higher"),
        "asah_age_lower": (poor, asah["age"], "lower"),
        "ties_a": (ties["y"], ties["a"], "higher"),
        "ties_b": (ties["y"], ties["b"], "higher"),
        "ties_c": (ties["y"], ties["c"], "higher"),
        "clustered_score": (clustered["y"], clustered["score"], "higher"),
    }
    return table[case]


# ------------------------------------------------------------------ pROC: AUC and DeLong

AUC_CASES = cases("pROC", "var")


def test_every_auc_case_is_covered() -> None:
    assert len(AUC_CASES) == 8


@pytest.mark.parametrize("case", AUC_CASES)
def test_auc_and_delong_interval_match_proc(case, asah, ties, clustered) -> None:
    y, x, direction = scores_for(case, asah, ties, clustered)
    result = acc.roc_auc(y, x, direction=direction)
    assert result.auc == pytest.approx(ref("pROC", case, "auc"), abs=TOL)
    assert result.se**2 == pytest.approx(ref("pROC", case, "var"), abs=TOL)
    assert result.ci_low == pytest.approx(ref("pROC", case, "ci_low"), abs=TOL)
    assert result.ci_high == pytest.approx(ref("pROC", case, "ci_high"), abs=TOL)
    at_90 = acc.roc_auc(y, x, direction=direction, level=0.9)
    assert at_90.ci_low == pytest.approx(ref("pROC", case, "ci90_low"), abs=TOL)
    assert at_90.ci_high == pytest.approx(ref("pROC", case, "ci90_high"), abs=TOL)


@pytest.mark.parametrize("case", ["asah_wfns", "ties_c"])
def test_roc_curve_points_match_proc(case, asah, ties, clustered) -> None:
    y, x, direction = scores_for(case, asah, ties, clustered)
    curve = acc.roc_curve(y, x, direction=direction).to_frame()
    rows = R[(R["source"] == "pROC") & (R["case"] == case)]
    se = rows[rows["quantity"].str.startswith("curve_se_")].sort_values("quantity")
    sp = rows[rows["quantity"].str.startswith("curve_sp_")].sort_values("quantity")
    expected = sorted(zip(sp["value"].astype(float), se["value"].astype(float), strict=True))
    ours = sorted(zip(curve["specificity"], curve["sensitivity"], strict=True))
    np.testing.assert_allclose(np.array(ours), np.array(expected), atol=TOL, rtol=0)


PAIRED_CASES = {
    "asah_s100b_vs_ndka": ("asah_s100b", "asah_ndka"),
    "asah_s100b_vs_wfns": ("asah_s100b", "asah_wfns"),
    "ties_a_vs_b": ("ties_a", "ties_b"),
    "ties_b_vs_c": ("ties_b", "ties_c"),
}


@pytest.mark.parametrize("case", sorted(PAIRED_CASES))
def test_paired_delong_test_matches_proc(case, asah, ties, clustered) -> None:
    first, second = PAIRED_CASES[case]
    y, xa, _ = scores_for(first, asah, ties, clustered)
    _, xb, _ = scores_for(second, asah, ties, clustered)
    result = acc.delong_test(y, xa, xb)
    assert result.auc_a == pytest.approx(ref("pROC", case, "auc_a"), abs=TOL)
    assert result.auc_b == pytest.approx(ref("pROC", case, "auc_b"), abs=TOL)
    assert result.z == pytest.approx(ref("pROC", case, "z"), abs=TOL)
    assert result.p_value == pytest.approx(ref("pROC", case, "p_value"), abs=TOL)
    assert result.ci_low == pytest.approx(ref("pROC", case, "ci_low"), abs=TOL)
    assert result.ci_high == pytest.approx(ref("pROC", case, "ci_high"), abs=TOL)


def test_unpaired_delong_test_matches_proc(asah) -> None:
    case = "asah_s100b_male_vs_female"
    poor = (asah["outcome"] == "Poor").to_numpy()
    male = (asah["gender"] == "Male").to_numpy()
    s100b = asah["s100b"].to_numpy()
    result = acc.delong_test_unpaired(poor[male], s100b[male], poor[~male], s100b[~male])
    assert result.z == pytest.approx(ref("pROC", case, "statistic"), abs=TOL)
    assert result.df == pytest.approx(ref("pROC", case, "df"), abs=1e-7)
    assert result.p_value == pytest.approx(ref("pROC", case, "p_value"), abs=TOL)
    assert not result.paired


PAUC_CASES = sorted(set(cases("pROC", "pauc")))


def test_every_partial_auc_case_is_covered() -> None:
    assert len(PAUC_CASES) == 20


@pytest.mark.parametrize("label", PAUC_CASES)
def test_partial_auc_matches_proc(label, asah, ties, clustered, recwarn) -> None:
    *name, focus, low, high = label.split("_")
    case = "_".join(name)
    y, x, direction = scores_for(case, asah, ties, clustered)
    expected_corrected = ref("pROC", label, "pauc_corrected")
    if math.isnan(expected_corrected):
        with pytest.warns(acc.PartialAucWarning, match="below the diagonal"):
            result = acc.partial_auc(
                y, x, bounds=(float(low), float(high)), focus=focus, direction=direction
            )
        assert math.isnan(result.corrected)
    else:
        result = acc.partial_auc(
            y, x, bounds=(float(low), float(high)), focus=focus, direction=direction
        )
        assert result.corrected == pytest.approx(expected_corrected, abs=TOL)
    assert result.pauc == pytest.approx(ref("pROC", label, "pauc"), abs=TOL)


# ------------------------------------------------------------------ epiR: epi.tests

EPI_TABLES = ["doc", "small", "asah_wfns_ge3", "zero_fp"]
EPI_METHODS = {
    "wilson": "wilson",
    "exact": "clopper-pearson",
    "jeffreys": "jeffreys",
    "agresti": "agresti-coull",
}
PROPORTIONS = ["sensitivity", "specificity", "ppv", "npv", "accuracy", "prevalence"]


def epi_cells(table: str) -> dict[str, int]:
    return {cell: int(ref("epiR", table, cell)) for cell in ("tp", "fp", "fn", "tn")}


@pytest.mark.parametrize("table", EPI_TABLES)
@pytest.mark.parametrize("epi_method", sorted(EPI_METHODS))
def test_diagnostic_metrics_match_epi_tests(table, epi_method, recwarn) -> None:
    cells = epi_cells(table)
    ours = acc.diagnostic_metrics(**cells, method=EPI_METHODS[epi_method])
    case = f"{table}_{epi_method}"
    for name in PROPORTIONS:
        if epi_method != "agresti":  # epiR reports the adjusted proportion as estimate
            assert ours.loc[name, "estimate"] == pytest.approx(
                ref("epiR", case, f"{name}_est"), abs=TOL
            )
        low = ref("epiR", case, f"{name}_lower")
        high = ref("epiR", case, f"{name}_upper")
        if epi_method == "agresti":
            low, high = max(low, 0.0), min(high, 1.0)
        if epi_method == "jeffreys":  # Brown-Cai-DasGupta boundary modification
            estimate = ours.loc[name, "estimate"]
            low, high = (0.0 if estimate == 0 else low), (1.0 if estimate == 1 else high)
        assert ours.loc[name, "ci_low"] == pytest.approx(low, abs=TOL), name
        assert ours.loc[name, "ci_high"] == pytest.approx(high, abs=TOL), name
    if epi_method != "agresti":  # the same adjusted proportions enter epiR's Youden index
        expected = ref("epiR", case, "youden_est")
        assert ours.loc["youden", "estimate"] == pytest.approx(expected, abs=TOL)
    # epiR's Agresti-Coull likelihood ratios use the adjusted proportions. Zero cells give
    # infinite, zero or undefined ratios in both.
    ratios = ("dor",) if epi_method == "agresti" else ("lr_positive", "lr_negative", "dor")
    for name in ratios:
        for column, suffix in (("estimate", "est"), ("ci_low", "lower"), ("ci_high", "upper")):
            expected = ref("epiR", case, f"{name}_{suffix}")
            assert_same(ours.loc[name, column], expected, name)


def assert_same(ours: float, expected: float, what: str) -> None:
    """Equal to TOL (relative for large values), or both NaN, or the same infinity."""
    if math.isnan(expected) or math.isinf(expected):
        assert ours == expected or (math.isnan(ours) and math.isnan(expected)), what
    else:
        assert ours == pytest.approx(expected, abs=TOL, rel=TOL), what


ZERO = pd.read_csv(HERE / "zero_cells_r.csv", dtype={"value": str}, keep_default_na=False)
ZERO_CASES = sorted(ZERO["case"].unique())


@pytest.mark.parametrize("case", ZERO_CASES)
def test_zero_cells_give_epir_infinite_and_undefined_values(case) -> None:
    rows = ZERO[ZERO["case"] == case].set_index("quantity")["value"].astype(float)
    cells = {cell: int(rows[cell]) for cell in ("tp", "fp", "fn", "tn")}
    with pytest.warns(acc.DegenerateTableWarning, match="zero cell|undefined"):
        ours = acc.diagnostic_metrics(**cells)
    for name in ("sensitivity", "specificity", "ppv", "npv", "lr_positive", "lr_negative", "dor"):
        for column, suffix in (("estimate", "est"), ("ci_low", "lower"), ("ci_high", "upper")):
            assert_same(ours.loc[name, column], rows[f"{name}_{suffix}"], f"{name} {suffix}")


def test_haldane_correction_only_on_request() -> None:
    cells = epi_cells("zero_fp")
    with pytest.warns(acc.DegenerateTableWarning, match="Haldane"):
        ours = acc.diagnostic_metrics(**cells, correction="haldane")
    assert math.isinf(ref("epiR", "zero_fp_wilson", "lr_positive_est"))
    # Haldane-Anscombe: (15.5 / 19.5 ... ) computed by hand from the corrected cells.
    tp, fp, fn, tn = 15.5, 0.5, 4.5, 21.5
    assert ours.loc["lr_positive", "estimate"] == pytest.approx(
        (tp / (tp + fn)) / (fp / (fp + tn)), rel=1e-12
    )
    assert ours.loc["dor", "estimate"] == pytest.approx(tp * tn / (fp * fn), rel=1e-12)
    assert np.isfinite(ours.to_numpy()).all()
    # LR- uses no zero cell: not corrected.
    with pytest.warns(acc.DegenerateTableWarning) as caught:
        plain = acc.diagnostic_metrics(**cells)
    assert [str(w.message).split(" is ")[0] for w in caught] == ["LR+", "the DOR"]
    assert ours.loc["lr_negative"].tolist() == plain.loc["lr_negative"].tolist()
    with pytest.raises(ValueError, match="correction must be None or 'haldane'"):
        acc.diagnostic_metrics(**cells, correction="yates")


PROPORTION_CASES = cases("epiR", "wilson_lower")


@pytest.mark.parametrize("case", PROPORTION_CASES)
def test_proportion_intervals_match_epir(case) -> None:
    x, n = (int(v) for v in case.split("_of_"))
    for epi_method, method in EPI_METHODS.items():
        low, high = acc.proportion_ci(x, n, method=method)
        expected_low = ref("epiR", case, f"{epi_method}_lower")
        expected_high = ref("epiR", case, f"{epi_method}_upper")
        if method == "agresti-coull":
            expected_low, expected_high = max(expected_low, 0.0), min(expected_high, 1.0)
        if method == "jeffreys":  # Brown-Cai-DasGupta boundary modification (epiR has none)
            expected_low = 0.0 if x == 0 else expected_low
            expected_high = 1.0 if x == n else expected_high
        assert low == pytest.approx(expected_low, abs=TOL), (method, "low")
        assert high == pytest.approx(expected_high, abs=TOL), (method, "high")


def test_proportion_grid_covers_the_edges() -> None:
    assert {"0_of_1", "1_of_1", "0_of_20", "20_of_20", "263_of_263"} <= set(PROPORTION_CASES)


# ------------------------------------------------------------------ epiR: kappa, sample size

KAPPA_TABLES = {
    "k2": [[20, 5], [10, 15]],
    "k3": [[22, 5, 2], [4, 17, 6], [1, 3, 20]],
    "k4": [[11, 3, 1, 0], [2, 14, 4, 1], [0, 5, 12, 3], [1, 0, 2, 9]],
}


@pytest.mark.parametrize("name", sorted(KAPPA_TABLES))
def test_kappa_matches_epi_kappa(name) -> None:
    result = acc.kappa_from_table(KAPPA_TABLES[name])
    assert result.kappa == pytest.approx(ref("epiR", name, "kappa"), abs=TOL)
    assert result.se_null == pytest.approx(ref("epiR", name, "se_null"), abs=TOL)
    assert result.p_value == pytest.approx(ref("epiR", name, "p_value"), abs=TOL)
    assert result.observed == pytest.approx(ref("epiR", name, "observed"), abs=TOL)
    assert result.expected == pytest.approx(ref("epiR", name, "expected"), abs=TOL)


SAMPLE_SIZE_CASES = cases("epiR", "n_se")


@pytest.mark.parametrize("case", SAMPLE_SIZE_CASES)
def test_buderer_matches_epi_ssdxsesp(case) -> None:
    test, p, w = (float(part[len(prefix) :]) for part, prefix in
                  zip(case.split("_"), ("test", "p", "w"), strict=True))  # fmt: skip
    # epiR plans sensitivity and specificity separately; use the same anticipated value.
    size = acc.buderer_sample_size(sensitivity=test, specificity=test, prevalence=p, precision=w)
    assert size.n_for_sensitivity == int(ref("epiR", case, "n_se"))
    assert size.n_for_specificity == int(ref("epiR", case, "n_sp"))


# ------------------------------------------------------------------ R: McNemar; Obuchowski

MCNEMAR_CASES = cases("R stats", "exact")


@pytest.mark.parametrize("case", MCNEMAR_CASES)
def test_mcnemar_matches_r(case) -> None:
    b, c = (int(part[1:]) for part in case.split("_"))
    exact = acc.mcnemar_test(b=b, c=c, method="exact")
    assert exact.p_value == pytest.approx(ref("R stats", case, "exact"), abs=TOL)
    asymptotic = acc.mcnemar_test(b=b, c=c, method="asymptotic")
    assert asymptotic.p_value == pytest.approx(ref("R stats", case, "asymptotic"), abs=TOL)


def test_obuchowski_matches_the_r_transcription(clustered) -> None:
    result = acc.clustered_roc_auc(clustered["y"], clustered["score"], clustered["patient"])
    case = "clustered_score"
    assert result.auc == pytest.approx(ref("R transcription", case, "auc"), abs=TOL)
    assert result.se**2 == pytest.approx(ref("R transcription", case, "var"), abs=TOL)
    # pROC's DeLong variance of the same data, ignoring the patients:
    assert result.se_independent**2 == pytest.approx(ref("pROC", case, "var"), abs=TOL)


# ------------------------------------------------------------------ published tables
# Rule for every number typed from a paper (published.json): the library must land within half
# a unit of the last printed decimal, |ours - printed| <= 0.5 * 10**-decimals. Where each value's
# transcription was checked, and its recomputation in R and statsmodels: published.json and
# tests/test_accuracy_published.py.


@pytest.mark.parametrize(
    "row", PUBLISHED["newcombe1998"]["rows"], ids=lambda r: f"{r['x']}/{r['n']}-{r['method']}"
)
def test_proportion_intervals_match_newcombe_1998_table_1(row) -> None:
    half_unit = 0.5 * 10.0 ** -PUBLISHED["newcombe1998"]["decimals"]
    low, high = acc.proportion_ci(row["x"], row["n"], method=row["method"])
    if row["low"] is not None:
        assert abs(low - row["low"]) <= half_unit
    assert abs(high - row["high"]) <= half_unit


def test_auc_and_se_match_hanley_mcneil_1982() -> None:
    paper = PUBLISHED["hanley_mcneil1982"]
    half_unit = 0.5 * 10.0 ** -paper["decimals"]
    ratings = np.arange(1, 6)
    y = np.repeat([0, 1], [sum(paper["normal_counts"]), sum(paper["abnormal_counts"])])
    x = np.concatenate(
        [np.repeat(ratings, paper["normal_counts"]), np.repeat(ratings, paper["abnormal_counts"])]
    )
    auc = acc.roc_auc(y, x).auc
    assert abs(auc - paper["auc"]) <= half_unit
    se = acc.hanley_mcneil_se(
        auc, n_positive=sum(paper["abnormal_counts"]), n_negative=sum(paper["normal_counts"])
    )
    assert abs(se - paper["se"]) <= half_unit


def test_mcnemar_matches_fagerland_2013() -> None:
    paper = PUBLISHED["fagerland2013"]
    half_unit = 0.5 * 10.0 ** -paper["decimals"]
    for method in ("asymptotic", "exact", "midp"):
        result = acc.mcnemar_test(b=paper["b"], c=paper["c"], method=method)
        assert abs(result.p_value - paper[method]) <= half_unit, method


def test_paired_difference_matches_fagerland_2017() -> None:
    book = PUBLISHED["fagerland2017_paired"]
    half_unit = 0.5 * 10.0 ** -book["decimals"]
    result = acc.paired_proportion_difference(
        both=book["both"], only_a=book["only_a"], only_b=book["only_b"], neither=book["neither"]
    )
    assert abs(result.diff - book["estimate"]) <= half_unit
    assert abs(result.ci_low - book["low"]) <= half_unit
    assert abs(result.ci_high - book["high"]) <= half_unit
    wald = acc.paired_proportion_difference(
        both=book["both"],
        only_a=book["only_a"],
        only_b=book["only_b"],
        neither=book["neither"],
        method="wald",
    )
    assert abs(wald.ci_low - book["wald_low"]) <= half_unit
    assert abs(wald.ci_high - book["wald_high"]) <= half_unit


def test_mcnemar_matches_fagerland_2017() -> None:
    book = PUBLISHED["fagerland2017_mcnemar"]
    half_unit = 0.5 * 10.0 ** -book["decimals"]
    for method in ("asymptotic", "exact", "midp"):
        result = acc.mcnemar_test(b=book["b"], c=book["c"], method=method)
        assert abs(result.p_value - book[method]) <= half_unit, method


@pytest.mark.parametrize(
    "row", PUBLISHED["newcombe1998_paired"]["rows"], ids=lambda r: r["source"].split(",")[0]
)
def test_paired_difference_matches_newcombe_method_10(row) -> None:
    half_unit = 0.5 * 10.0 ** -row["decimals"]
    result = acc.paired_proportion_difference(
        both=row["both"], only_a=row["only_a"], only_b=row["only_b"], neither=row["neither"]
    )
    assert abs(result.ci_low - row["low"]) <= half_unit
    assert abs(result.ci_high - row["high"]) <= half_unit
