"""One vocabulary for accuracy and decision: old spellings warn, pos_label, nan_policy, the
warning context, and one way to draw patients for every bootstrap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ceuslib import accuracy as acc
from ceuslib import decision as dec
from ceuslib import errors
from ceuslib.accuracy.resample import cluster_counts, draw_clusters

RNG = np.random.default_rng(20261126)
Y = (RNG.random(80) < 0.4).astype(int)
SCORE = np.round(RNG.normal(size=80) + Y, 1)
PATIENT = np.repeat([f"P{i:02d}" for i in range(40)], 2)


# ---------------------------------------------------------------- deprecated spellings


@pytest.mark.parametrize(("old", "new"), [(">=", "higher"), ("<=", "lower")])
def test_old_directions_warn_and_mean_the_same(old, new) -> None:
    with pytest.warns(DeprecationWarning, match=f"direction='{old}' is deprecated"):
        before = dec.choose_cutpoint(Y, SCORE, direction=old)
    after = dec.choose_cutpoint(Y, SCORE, direction=new)
    pd.testing.assert_frame_equal(before.to_frame(), after.to_frame())
    assert after.direction == new
    with pytest.warns(DeprecationWarning):
        assert acc.roc_auc(Y, SCORE, direction=old) == acc.roc_auc(Y, SCORE, direction=new)


@pytest.mark.parametrize(
    "call",
    [
        lambda **k: dec.bootstrap_cutpoint(Y, SCORE, seed=1, **k),
        lambda **k: dec.evaluate_policy(Y, dissect=SCORE > 0, seed=1, **k),
        lambda **k: dec.decision_curve(Y, {"s": SCORE > 0}, [0.2], seed=1, **k),
        lambda **k: dec.bootstrap_weights(None, 5, seed=1, **k),
        lambda **k: dec.fit_risk_model(pd.DataFrame({"s": SCORE}), Y, seed=1, **k),
    ],
)
def test_n_boot_warns_and_is_n_resamples(call) -> None:
    with pytest.warns(DeprecationWarning, match=r"n_boot=\.\.\.\) is deprecated"):
        old = call(n_boot=20)
    new = call(n_resamples=20)
    if isinstance(new, np.ndarray):
        np.testing.assert_array_equal(old, new)
    else:
        pd.testing.assert_frame_equal(old.to_frame(), new.to_frame())
    with pytest.raises(TypeError, match="got both n_boot= and n_resamples="):
        call(n_boot=20, n_resamples=20)


def test_ci_method_and_result_n_boot_warn() -> None:
    with pytest.warns(DeprecationWarning, match="ci_method"):
        old = dec.choose_cutpoint(Y, SCORE, rule="min_npv_lcb", target=0.5, ci_method="jeffreys")
    assert old == dec.choose_cutpoint(Y, SCORE, rule="min_npv_lcb", target=0.5, method="jeffreys")
    result = dec.evaluate_policy(Y, dissect=SCORE > 0, n_resamples=10, seed=1)
    with pytest.warns(DeprecationWarning, match="use n_resamples"):
        assert result.n_boot == 10


def test_evaluate_policy_old_order_warns_and_is_read_truth_first() -> None:
    new = dec.evaluate_policy(Y, dissect=SCORE > 0, n_resamples=50, seed=3).table
    with pytest.warns(DeprecationWarning, match=r"evaluate_policy\(dissect, residual\)"):
        positional = dec.evaluate_policy(SCORE > 0, Y, n_resamples=50, seed=3).table
    with pytest.warns(DeprecationWarning, match="truth first"):
        keywords = dec.evaluate_policy(dissect=SCORE > 0, residual=Y, n_resamples=50, seed=3)
    pd.testing.assert_frame_equal(new, positional)
    pd.testing.assert_frame_equal(new, keywords.table)
    with pytest.raises(TypeError, match="needs y_true and dissect"):
        dec.evaluate_policy(Y)


# ---------------------------------------------------------------- labels and missing values


def test_string_and_categorical_labels_with_pos_label() -> None:
    words = np.where(Y == 1, "viable", "fibrosis")
    plain = acc.roc_auc(Y, SCORE)
    assert acc.roc_auc(words, SCORE, pos_label="viable") == plain
    assert acc.roc_auc(pd.Categorical(words), SCORE, pos_label="viable") == plain
    flipped = acc.roc_auc(words, SCORE, pos_label="fibrosis", direction="lower")
    assert flipped.auc == pytest.approx(plain.auc, abs=1e-12)
    assert acc.roc_auc(1 - Y, SCORE, pos_label=0) == plain
    cut = dec.choose_cutpoint(words, SCORE, pos_label="viable")
    assert cut == dec.choose_cutpoint(Y, SCORE)
    assert acc.delong_test(words, SCORE, -SCORE, pos_label="viable").auc_a == plain.auc
    np.testing.assert_array_equal(
        acc.roc_curve(words, SCORE, pos_label="viable").tpr, acc.roc_curve(Y, SCORE).tpr
    )
    cells = acc.confusion_counts(
        words, np.where(SCORE > 0, "viable", "fibrosis"), pos_label="viable"
    )
    assert dict(cells) == dict(acc.confusion_counts(Y, SCORE > 0))
    with pytest.raises(ValueError, match="say which one means positive with pos_label"):
        acc.roc_auc(words, SCORE)
    with pytest.raises(ValueError, match="pos_label='Viable' is not one of the labels"):
        acc.roc_auc(words, SCORE, pos_label="Viable")
    with pytest.raises(ValueError, match="must hold two labels"):
        acc.roc_auc(["a", "b", "c", "a"], [1, 2, 3, 4], pos_label="a")


def test_nan_policy_omit_drops_and_counts_rows() -> None:
    score = SCORE.copy()
    score[[3, 10]] = np.nan
    y = Y.astype(object)
    y[20] = None
    keep = np.ones(Y.size, bool)
    keep[[3, 10, 20]] = False
    omitted = acc.roc_auc(y, score, nan_policy="omit")
    assert omitted.n_omitted == 3
    assert omitted.auc == acc.roc_auc(Y[keep], SCORE[keep]).auc
    with pytest.raises(
        ValueError, match=r"score has 2 missing value.*position 3.*nan_policy='omit'"
    ):
        acc.roc_auc(Y, score)
    with pytest.raises(ValueError, match="nan_policy must be 'raise' or 'omit'"):
        acc.roc_auc(Y, score, nan_policy="propagate")
    assert acc.confusion_counts(y, score > 0, nan_policy="omit").n_omitted == 1
    assert dec.choose_cutpoint(Y, score, nan_policy="omit").n_omitted == 2
    boot = dec.bootstrap_cutpoint(Y, score, n_resamples=20, seed=1, nan_policy="omit")
    assert boot.n_omitted == boot.estimate.n_omitted == 2
    clustered = acc.clustered_roc_auc(Y, SCORE, np.where(keep, PATIENT, None), nan_policy="omit")
    assert clustered.n_omitted == 3
    assert (
        dec.net_benefit(Y, np.where(keep, 0.5, np.nan), [0.2], nan_policy="omit").attrs["n_omitted"]
        == 3
    )


# ---------------------------------------------------------------- warnings


def test_warning_context_names_the_table_and_row() -> None:
    with pytest.warns(errors.DegenerateTableWarning) as caught:
        with errors.warning_context("accuracy table", "node level"):
            with errors.warning_context("CEUS (centripetal filling)"):
                acc.diagnostic_metrics(tp=10, fp=5, fn=0, tn=20)
    message = str(caught[0].message)
    assert message.startswith(
        "accuracy table, node level, CEUS (centripetal filling): LR- is infinite or undefined"
    )
    assert caught[0].message.context == (
        "accuracy table", "node level", "CEUS (centripetal filling)",
    )  # fmt: skip
    assert caught[0].filename == __file__  # attributed to the caller, not the library
    with pytest.warns(errors.DegenerateTableWarning) as bare:
        acc.diagnostic_metrics(tp=10, fp=5, fn=0, tn=20)
    assert bare[0].message.context == ()


def test_public_warning_classes() -> None:
    from ceuslib.cohort.read import CohortWarning

    assert CohortWarning is errors.CohortWarning
    assert issubclass(errors.ResampleWarning, RuntimeWarning)
    for cls in (errors.DegenerateTableWarning, errors.PartialAucWarning, errors.CohortWarning):
        assert issubclass(cls, errors.CeuslibWarning)
    assert acc.DegenerateTableWarning is errors.DegenerateTableWarning
    assert dec.InfeasibleTargetError is errors.InfeasibleTargetError
    with pytest.warns(errors.ResampleWarning, match="undefined in"):
        acc.cluster_bootstrap_auc([0, 1, 0, 1], [1, 2, 3, 4], ["a", "a", "b", "c"],
                                  n_resamples=50, seed=0)  # fmt: skip


# ---------------------------------------------------------------- one way to draw patients


def test_blocks_of_draws_concatenate_to_one_draw() -> None:
    for k in (1, 7, 40, 301):
        whole = next(draw_clusters(k, 23, np.random.default_rng(4)))
        blocks = np.concatenate(list(draw_clusters(k, 23, np.random.default_rng(4), block=5)))
        np.testing.assert_array_equal(whole, blocks)


def test_the_same_seed_draws_the_same_patients_everywhere() -> None:
    frame = pd.DataFrame({"patient": PATIENT, "y": Y, "x": SCORE})
    fast = acc.cluster_bootstrap_auc(Y, SCORE, PATIENT, n_resamples=300, seed=8)
    slow = acc.cluster_bootstrap(
        lambda f: acc.roc_auc(f["y"], f["x"]).auc if 0 < f["y"].sum() < len(f) - 1 else np.nan,
        frame, cluster="patient", n_resamples=300, seed=8,
    )  # fmt: skip
    assert (fast.ci_low, fast.ci_high) == pytest.approx((slow.ci_low, slow.ci_high), abs=1e-12)
    assert fast.se == pytest.approx(slow.se, abs=1e-12)
    weights = dec.bootstrap_weights(PATIENT, PATIENT.size, n_resamples=300, seed=8)
    codes = pd.factorize(PATIENT, sort=True)[0]
    drawn = next(draw_clusters(40, 300, np.random.default_rng(8)))
    np.testing.assert_array_equal(weights, cluster_counts(drawn, 40)[:, codes])


def test_policy_per_neck_side_resamples_patients() -> None:
    sides = dec.evaluate_policy(Y, dissect=SCORE > 0, cluster=PATIENT, n_resamples=400, seed=5)
    assert (sides.n_units, sides.n_patients) == (80, 40)
    weights = dec.bootstrap_weights(PATIENT, PATIENT.size, n_resamples=400, seed=5)
    observed = ~(SCORE > 0)
    missed = 100 * (weights @ (observed & (Y == 1))) / weights.sum(axis=1)
    np.testing.assert_allclose(sides.draws["residual_patients_left"], missed, rtol=1e-12)
    by_side = dec.evaluate_policy(Y, dissect=SCORE > 0, n_resamples=400, seed=5)
    pd.testing.assert_series_equal(sides.table["estimate"], by_side.table["estimate"])
    # One side per patient: resampling patients is resampling sides.
    single = dec.evaluate_policy(
        Y, dissect=SCORE > 0, cluster=np.arange(80), n_resamples=400, seed=5
    )
    pd.testing.assert_frame_equal(single.table, by_side.table)


def test_bootstrap_results_do_not_depend_on_the_block_size(monkeypatch) -> None:
    import ceuslib.accuracy.bootstrap as stratified
    import ceuslib.accuracy.clustered as clustered

    first = acc.bootstrap_auc(Y, SCORE, n_resamples=300, seed=2, return_replicates=True)[1]
    by_cluster = acc.cluster_bootstrap_auc(Y, SCORE, PATIENT, n_resamples=300, seed=2)
    monkeypatch.setattr(stratified, "BLOCK_CELLS", 1000)
    monkeypatch.setattr(clustered, "BLOCK_CELLS", 1000)
    again = acc.bootstrap_auc(Y, SCORE, n_resamples=300, seed=2, return_replicates=True)[1]
    np.testing.assert_array_equal(first, again)
    assert acc.cluster_bootstrap_auc(Y, SCORE, PATIENT, n_resamples=300, seed=2) == by_cluster
