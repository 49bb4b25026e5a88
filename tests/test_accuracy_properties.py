"""Properties and brute-force oracles for ceuslib.accuracy (no reference files needed)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import cohen_kappa_score, roc_auc_score

from ceuslib import accuracy as acc
from ceuslib.accuracy._counts import threshold_counts, tie_groups, weighted_auc

FAST = settings(max_examples=60, deadline=None)


# ------------------------------------------------------------------ oracles


def pairwise_delong(y, x):
    """DeLong et al. (1988) by counting every positive-negative pair: O(m n)."""
    y = np.asarray(y, dtype=bool)
    x = np.asarray(x, dtype=float)
    pos, neg = x[y], x[~y]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    return psi.mean(), v10, v01


def pairwise_obuchowski(y, x, cluster):
    """Obuchowski (1997) with the placement values counted pair by pair."""
    y = np.asarray(y, dtype=bool)
    cluster = np.asarray(cluster)
    auc, v10, v01 = pairwise_delong(y, x)
    m, n = v10.size, v01.size
    ids = np.unique(cluster)
    cp, cn = cluster[y], cluster[~y]
    d10 = np.array([v10[cp == i].sum() - (cp == i).sum() * auc for i in ids])
    d01 = np.array([v01[cn == i].sum() - (cn == i).sum() * auc for i in ids])
    i10 = sum((cp == i).any() for i in ids)
    i01 = sum((cn == i).any() for i in ids)
    s10 = i10 / ((i10 - 1) * m) * np.sum(d10**2)
    s01 = i01 / ((i01 - 1) * n) * np.sum(d01**2)
    s11 = len(ids) / (len(ids) - 1) * np.sum(d10 * d01)
    return auc, s10 / m + s01 / n + 2 * s11 / (m * n)


@st.composite
def scored_labels(draw, min_size=4, max_size=60, ties=True):
    """Binary labels with at least two of each class, and scores with optional ties."""
    size = draw(st.integers(min_size, max_size))
    y = draw(arrays(np.int8, size, elements=st.integers(0, 1)))
    y[:2], y[2:4] = 1, 0
    elements = st.integers(-5, 5) if ties else st.floats(-1e3, 1e3, allow_nan=False)
    x = draw(arrays(np.float64, size, elements=elements))
    return y, x


@given(scored_labels())
@FAST
def test_fast_delong_equals_pairwise_counting(data) -> None:
    y, x = data
    auc, v10, v01 = pairwise_delong(y, x)
    result = acc.roc_auc(y, x)
    variance = np.var(v10, ddof=1) / v10.size + np.var(v01, ddof=1) / v01.size
    assert result.auc == pytest.approx(auc, abs=1e-12)
    assert result.se**2 == pytest.approx(variance, abs=1e-12)


@given(scored_labels(), st.integers(0, 2**32 - 1))
@FAST
def test_fast_paired_delong_equals_pairwise_counting(data, seed) -> None:
    y, xa = data
    xb = np.round(xa + np.random.default_rng(seed).normal(size=xa.size), 0)
    _, v10a, v01a = pairwise_delong(y, xa)
    _, v10b, v01b = pairwise_delong(y, xb)
    s = np.cov(v10a, v10b) / v10a.size + np.cov(v01a, v01b) / v01a.size
    result = acc.delong_test(y, xa, xb)
    assert result.diff == pytest.approx(v10a.mean() - v10b.mean(), abs=1e-12)
    assert result.se**2 == pytest.approx(s[0, 0] + s[1, 1] - 2 * s[0, 1], abs=1e-12)


@given(scored_labels())
@FAST
def test_auc_agrees_with_scikit_learn(data) -> None:
    y, x = data
    assert acc.roc_auc(y, x).auc == pytest.approx(roc_auc_score(y, x), abs=1e-12)


def test_obuchowski_equals_pairwise_counting() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        n_patients = int(rng.integers(3, 15))
        cluster = rng.integers(0, n_patients, size=int(rng.integers(8, 60)))
        y = rng.integers(0, 2, size=cluster.size)
        y[:2], y[2:4] = 1, 0
        cluster[:4] = [0, 1, 0, 1]  # at least two clusters of each kind
        x = np.round(rng.normal(size=cluster.size) + y, 1)
        auc, variance = pairwise_obuchowski(y, x, cluster)
        result = acc.clustered_roc_auc(y, x, cluster)
        assert result.auc == pytest.approx(auc, abs=1e-12)
        assert result.se**2 == pytest.approx(variance, abs=1e-12)


@given(scored_labels())
@FAST
def test_obuchowski_with_one_unit_per_cluster_is_delong(data) -> None:
    y, x = data
    result = acc.clustered_roc_auc(y, x, np.arange(y.size))
    assert result.se == pytest.approx(acc.roc_auc(y, x).se, abs=1e-12)
    if result.se_independent > 1e-9:
        assert result.design_effect == pytest.approx(1.0, abs=1e-6)


def test_weighted_auc_of_the_threshold_counts_equals_pairwise_weights() -> None:
    rng = np.random.default_rng(3)
    pos, neg = np.round(rng.normal(1, 1, 30), 1), np.round(rng.normal(0, 1, 40), 1)
    w_pos, w_neg = rng.integers(0, 4, (5, 30)), rng.integers(0, 4, (5, 40))
    y = np.repeat([True, False], [30, 40])
    counts = threshold_counts(tie_groups(y, np.concatenate((pos, neg))), np.hstack((w_pos, w_neg)))
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    expected = np.einsum("bi,ij,bj->b", w_pos, psi, w_neg) / (w_pos.sum(1) * w_neg.sum(1))
    np.testing.assert_allclose(weighted_auc(counts), expected, atol=1e-12)
    # Row weights given per cluster: unit i takes the weight of column rows[i].
    rows = rng.integers(0, 7, 70)
    per_cluster = rng.integers(0, 3, (4, 7))
    groups = tie_groups(y, np.concatenate((pos, neg)))
    by_cluster = threshold_counts(groups, per_cluster, rows=rows)
    by_row = threshold_counts(groups, per_cluster[:, rows])
    np.testing.assert_array_equal(by_cluster.tp, by_row.tp)
    np.testing.assert_array_equal(by_cluster.fp, by_row.fp)


def test_threshold_counts_equal_counting_each_threshold() -> None:
    rng = np.random.default_rng(8)
    y = rng.random(60) < 0.4
    x = np.round(rng.normal(size=60) + y, 1)
    w = rng.integers(0, 3, (3, 60))
    counts = threshold_counts(tie_groups(y, x), w)
    assert counts.thresholds[0] == np.inf
    for k, t in enumerate(counts.thresholds):
        called = x >= t
        np.testing.assert_array_equal(counts.tp[:, k], w[:, called & y].sum(axis=1))
        np.testing.assert_array_equal(counts.fp[:, k], w[:, called & ~y].sum(axis=1))
        present = w[:, x == t].sum(axis=1) > 0 if k else np.ones(3, bool)
        np.testing.assert_array_equal(counts.present[:, k], present)
    probes = np.array([-np.inf, -10.0, *x[:5], 0.05, 10.0, np.inf])
    for t, k in zip(probes, counts.at(probes), strict=True):
        np.testing.assert_array_equal(counts.tp[:, k], w[:, (x >= t) & y].sum(axis=1))


def test_partial_auc_equals_dense_numerical_integration() -> None:
    rng = np.random.default_rng(11)
    y = rng.integers(0, 2, 80)
    x = np.round(rng.normal(size=80) + y, 1)
    curve = acc.roc_curve(y, x)
    # Dense grid on the piecewise-linear curve: the curve is a function of fpr except at
    # vertical steps, which have no area.
    grid = np.linspace(0.1, 0.3, 200_001)
    tpr = np.interp(grid, curve.fpr, curve.tpr)
    dense = np.sum((tpr[1:] + tpr[:-1]) / 2 * np.diff(grid))
    result = acc.partial_auc(y, x, bounds=(0.7, 0.9), focus="specificity")
    assert result.pauc == pytest.approx(dense, abs=1e-6)


# ------------------------------------------------------------------ properties


@given(scored_labels(ties=False), st.sampled_from(["exp", "cube", "arctan", "affine"]))
@FAST
def test_auc_and_se_are_invariant_under_monotone_transforms(data, name) -> None:
    y, x = data
    scaled = x / 1e3
    transform = {
        "exp": np.exp,
        "cube": lambda v: v**3,
        "arctan": np.arctan,
        "affine": lambda v: 3.0 * v - 7.0,
    }[name]
    before, after = acc.roc_auc(y, scaled), acc.roc_auc(y, transform(scaled))
    if np.unique(transform(scaled)).size == np.unique(scaled).size:  # no ties created
        assert after.auc == pytest.approx(before.auc, abs=1e-12)
        assert after.se == pytest.approx(before.se, abs=1e-12)


@given(scored_labels())
@FAST
def test_delong_is_unchanged_by_swapping_labels_with_the_score_sign(data) -> None:
    y, x = data
    original = acc.roc_auc(y, x)
    swapped = acc.roc_auc(1 - y, -x)
    assert swapped.auc == pytest.approx(original.auc, abs=1e-12)
    assert swapped.se == pytest.approx(original.se, abs=1e-12)
    # and a "lower" direction is the same as negating the score
    lower = acc.roc_auc(y, -x, direction="lower")
    assert lower.auc == pytest.approx(original.auc, abs=1e-12)
    assert lower.se == pytest.approx(original.se, abs=1e-12)


@given(scored_labels())
@FAST
def test_reversing_the_direction_gives_one_minus_the_auc(data) -> None:
    y, x = data
    assert acc.roc_auc(y, x, direction="lower").auc == pytest.approx(
        1 - acc.roc_auc(y, x).auc, abs=1e-12
    )


@given(
    st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.sampled_from(acc.PROPORTION_METHODS),
    st.floats(0.5, 0.999),
)
@settings(max_examples=200, deadline=None)
def test_proportion_intervals_lie_in_0_1_and_contain_the_estimate(case, method, level) -> None:
    x, n = case
    low, high = acc.proportion_ci(x, n, method=method, level=level)
    assert 0.0 <= low <= x / n <= high <= 1.0


@given(
    st.integers(1, 200).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.sampled_from(acc.PROPORTION_METHODS),
)
@settings(max_examples=100, deadline=None)
def test_proportion_intervals_widen_with_the_level(case, method) -> None:
    x, n = case
    low90, high90 = acc.proportion_ci(x, n, method=method, level=0.90)
    low99, high99 = acc.proportion_ci(x, n, method=method, level=0.99)
    assert low99 <= low90 + 1e-15 and high90 <= high99 + 1e-15


def test_proportion_ci_broadcasts_over_arrays() -> None:
    x, n = np.array([0, 3, 10]), np.array([10, 10, 10])
    low, high = acc.proportion_ci(x, n)
    for k in range(3):
        assert (low[k], high[k]) == acc.proportion_ci(int(x[k]), int(n[k]))


@given(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40), st.integers(0, 40))
@settings(max_examples=150, deadline=None)
def test_diagnostic_metrics_intervals_contain_estimates(tp, fp, fn, tn) -> None:
    if tp + fn == 0 or fp + tn == 0:
        with pytest.raises(ValueError, match="undefined"):
            acc.diagnostic_metrics(tp=tp, fp=fp, fn=fn, tn=tn)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acc.DegenerateTableWarning)
        table = acc.diagnostic_metrics(tp=tp, fp=fp, fn=fn, tn=tn)
    defined = table.dropna()
    assert (defined["ci_low"] <= defined["estimate"] + 1e-12).all()
    assert (defined["estimate"] <= defined["ci_high"] + 1e-12).all()
    proportions = defined.drop(
        index=["lr_positive", "lr_negative", "dor", "youden"], errors="ignore"
    )
    ratios = table.loc[["lr_positive", "lr_negative", "dor"]].to_numpy()
    assert not np.any(ratios < 0)  # NaN or infinite where a zero cell makes them so
    assert (
        ((proportions[["ci_low", "ci_high"]] >= 0) & (proportions[["ci_low", "ci_high"]] <= 1))
        .all()
        .all()
    )
    assert -1 <= table.loc["youden", "ci_low"] <= table.loc["youden", "ci_high"] <= 1


@given(scored_labels())
@FAST
def test_auc_interval_lies_in_0_1_and_contains_the_auc(data) -> None:
    y, x = data
    result = acc.roc_auc(y, x)
    assert 0.0 <= result.ci_low <= result.auc <= result.ci_high <= 1.0


@given(scored_labels(), st.floats(0.0, 0.9))
@FAST
def test_partial_areas_add_up_to_the_auc(data, cut) -> None:
    y, x = data
    auc = acc.roc_auc(y, x).auc
    warnings.simplefilter("ignore", acc.PartialAucWarning)  # reset by pytest after the test
    for focus in ("specificity", "sensitivity"):
        left = acc.partial_auc(y, x, bounds=(0.0, cut + 0.05), focus=focus)
        right = acc.partial_auc(y, x, bounds=(cut + 0.05, 1.0), focus=focus)
        assert left.pauc + right.pauc == pytest.approx(auc, abs=1e-12)


# ------------------------------------------------------------------ agreement


def kappa_delta_method_variance(table, weights):
    """Delta-method variance of kappa: numerical gradient times multinomial covariance."""
    counts = np.asarray(table, dtype=float)
    n = counts.sum()
    p = counts.ravel() / n
    w = acc.agreement_weights(counts.shape[0], weights)

    def kappa(q):
        q = q.reshape(counts.shape)
        rows, cols = q.sum(axis=1), q.sum(axis=0)
        p_o, p_e = np.sum(w * q), rows @ w @ cols
        return (p_o - p_e) / (1 - p_e)

    step = 1e-6
    gradient = np.array(
        [(kappa(p + step * e) - kappa(p - step * e)) / (2 * step) for e in np.eye(p.size)]
    )
    covariance = (np.diag(p) - np.outer(p, p)) / n
    return gradient @ covariance @ gradient


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_kappa_variance_equals_the_delta_method(weights) -> None:
    rng = np.random.default_rng(5)
    for k in (2, 3, 4):
        table = rng.integers(1, 20, (k, k)) + np.diag(rng.integers(10, 30, k))
        result = acc.kappa_from_table(table, weights=weights)
        expected = kappa_delta_method_variance(table, weights)
        assert result.se**2 == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_kappa_agrees_with_scikit_learn(weights) -> None:
    rng = np.random.default_rng(9)
    a = rng.integers(0, 4, 120)
    b = np.where(rng.random(120) < 0.6, a, rng.integers(0, 4, 120))
    ours = acc.cohen_kappa(a, b, weights=weights).kappa
    assert ours == pytest.approx(cohen_kappa_score(a, b, weights=weights), abs=1e-12)


def test_kappa_interval_contains_the_estimate_and_lies_in_range() -> None:
    result = acc.kappa_from_table([[20, 5], [10, 15]])
    assert -1 <= result.ci_low < result.kappa < result.ci_high <= 1


# ------------------------------------------------------------------ bootstrap


def test_bootstrap_is_reproducible_and_close_to_delong() -> None:
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 300)
    x = rng.normal(size=300) + y
    first = acc.bootstrap_auc(y, x, n_resamples=2000, seed=42)
    again = acc.bootstrap_auc(y, x, n_resamples=2000, seed=42)
    assert first == again
    delong = acc.roc_auc(y, x)
    assert first.estimate == pytest.approx(delong.auc, abs=1e-12)
    # The bootstrap SE estimates the same quantity as DeLong's (Monte Carlo error ~3%).
    assert first.se == pytest.approx(delong.se, rel=0.15)
    assert first.ci_low < delong.auc < first.ci_high


def test_stratified_bootstrap_keeps_class_sizes() -> None:
    # With one distinct score per class the AUC of every stratified resample is the same.
    result = acc.bootstrap_auc([0, 0, 0, 1, 1], [0, 0, 0, 1, 1], n_resamples=50, seed=0)
    assert result.ci_low == result.ci_high == 1.0
    assert result.n_failed == 0


def test_cluster_bootstrap_auc_equals_the_generic_cluster_bootstrap() -> None:
    import pandas as pd

    rng = np.random.default_rng(4)
    patient = rng.integers(0, 40, 150)
    y = rng.integers(0, 2, 150)
    x = rng.normal(size=150) + y + rng.normal(size=40)[patient]
    fast = acc.cluster_bootstrap_auc(y, x, patient, n_resamples=400, seed=8)
    frame = pd.DataFrame({"patient": patient, "y": y, "x": x})
    slow = acc.cluster_bootstrap(
        lambda f: roc_auc_score(f["y"], f["x"]), frame, cluster="patient", n_resamples=400, seed=8
    )
    assert fast.estimate == pytest.approx(slow.estimate, abs=1e-12)
    # Different random streams: compare as Monte Carlo estimates of the same interval.
    assert fast.se == pytest.approx(slow.se, rel=0.2)


def test_ignoring_clustering_narrows_the_interval() -> None:
    rng = np.random.default_rng(12)
    patient = np.repeat(np.arange(60), 5)
    effect = rng.normal(size=60)[patient]
    y = (rng.random(300) < 1 / (1 + np.exp(-2 * effect))).astype(int)
    x = y + 1.5 * effect + rng.normal(size=300)
    result = acc.clustered_roc_auc(y, x, patient)
    assert result.design_effect > 1.0
    assert result.ci_high - result.ci_low > 2 * 1.96 * result.se_independent


# ------------------------------------------------------------------ edges and errors


def test_cell_counts_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        acc.diagnostic_metrics(42, 7, 8, 60)  # type: ignore[misc]
    with pytest.raises(TypeError):
        acc.mcnemar_test(1, 7)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"tp": -1, "fp": 1, "fn": 1, "tn": 1}, "non-negative integer"),
        ({"tp": 1.5, "fp": 1, "fn": 1, "tn": 1}, "non-negative integer"),
        ({"tp": True, "fp": 1, "fn": 1, "tn": 1}, "boolean"),
        ({"tp": 0, "fp": 3, "fn": 0, "tn": 4}, "sensitivity is undefined"),
        ({"tp": 3, "fp": 0, "fn": 2, "tn": 0}, "specificity is undefined"),
    ],
)
def test_bad_tables_fail_loudly(cells, message) -> None:
    with pytest.raises(ValueError, match=message):
        acc.diagnostic_metrics(**cells)


def test_perfect_table_has_exact_limits_and_warns_for_ratios() -> None:
    with pytest.warns(acc.DegenerateTableWarning):
        table = acc.diagnostic_metrics(tp=10, fp=0, fn=0, tn=10)
    assert table.loc["sensitivity", "estimate"] == 1.0
    assert table.loc["sensitivity", "ci_high"] == 1.0
    assert table.loc["sensitivity", "ci_low"] == pytest.approx(acc.proportion_ci(10, 10)[0], abs=0)
    assert table.loc["youden", "ci_high"] == 1.0


def test_test_never_positive_leaves_ppv_undefined() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = acc.diagnostic_metrics(tp=0, fp=0, fn=5, tn=5)
    messages = [str(w.message) for w in caught if w.category is acc.DegenerateTableWarning]
    assert any("ppv is undefined" in message for message in messages)
    assert np.isnan(table.loc["ppv"]).all()
    assert table.loc["npv", "estimate"] == 0.5


@pytest.mark.parametrize(
    ("successes", "n", "message"),
    [(-1, 5, "non-negative"), (6, 5, "must not exceed"), (0, 0, "at least 1"), (1.5, 4, "integer")],
)
def test_proportion_ci_rejects_bad_counts(successes, n, message) -> None:
    with pytest.raises(ValueError, match=message):
        acc.proportion_ci(successes, n)


def test_proportion_ci_rejects_unknown_methods_and_levels() -> None:
    with pytest.raises(ValueError, match="method must be one of"):
        acc.proportion_ci(1, 2, method="exact")
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        acc.proportion_ci(1, 2, level=95)


def test_roc_inputs_are_checked() -> None:
    with pytest.raises(ValueError, match="must hold 0 and 1"):
        acc.roc_auc([0, 1, 2, 1], [1, 2, 3, 4])
    with pytest.raises(ValueError, match="finite"):
        acc.roc_auc([0, 0, 1, 1], [1, np.inf, 3, 4])
    with pytest.raises(ValueError, match="score has 1 missing value"):
        acc.roc_auc([0, 0, 1, 1], [1, np.nan, 3, 4])
    with pytest.raises(ValueError, match="direction must be"):
        acc.roc_auc([0, 0, 1, 1], [1, 2, 3, 4], direction="auto")
    with pytest.raises(ValueError, match="at least two positives"):
        acc.roc_auc([0, 0, 1], [1, 2, 3])
    with pytest.raises(ValueError, match="at least one positive"):
        acc.roc_curve([0, 0, 0], [1, 2, 3])
    with pytest.raises(ValueError, match="has 3 values"):
        acc.roc_auc([0, 0, 1, 1], [1, 2, 3])


def test_identical_scores_give_a_zero_difference() -> None:
    y, x = [0, 0, 1, 1, 0, 1], [1, 2, 3, 4, 5, 6]
    result = acc.delong_test(y, x, x)
    assert (result.diff, result.se, result.z, result.p_value) == (0.0, 0.0, 0.0, 1.0)


def test_mcnemar_edges() -> None:
    assert acc.mcnemar_test(b=0, c=0).p_value == 1.0
    assert acc.mcnemar_test(b=4, c=4, method="exact").p_value == 1.0
    assert acc.mcnemar_test(b=4, c=4).p_value == pytest.approx(1.0)
    # mid-p is never above the exact p-value
    for b, c in [(0, 5), (2, 9), (10, 3)]:
        assert (
            acc.mcnemar_test(b=b, c=c).p_value < acc.mcnemar_test(b=b, c=c, method="exact").p_value
        )


@given(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30), st.integers(0, 30))
@settings(max_examples=150, deadline=None)
def test_paired_difference_interval_contains_the_difference(both, only_a, only_b, neither):
    if both + only_a + only_b + neither == 0:
        return
    result = acc.paired_proportion_difference(
        both=both, only_a=only_a, only_b=only_b, neither=neither
    )
    assert -1 <= result.ci_low <= result.diff <= result.ci_high <= 1


def test_patient_level_aggregation_with_lower_direction() -> None:
    table = acc.aggregate_by_patient(
        [0, 0, 1, 0], [5.0, 2.0, 9.0, 4.0], ["b", "b", "a", "a"], direction="lower"
    )
    assert table.index.tolist() == ["a", "b"]
    assert table["y_true"].tolist() == [1, 0]
    assert table["score"].tolist() == [4.0, 2.0]


def test_buderer_rejects_bad_inputs() -> None:
    with pytest.raises(ValueError, match="prevalence"):
        acc.buderer_sample_size(sensitivity=0.9, specificity=0.8, prevalence=1.0, precision=0.05)
