"""Indeterminate results (Shinkins et al. 2013), against epiR on two data sets
(tests/reference/accuracy/derive_indeterminate.R)."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ceuslib import accuracy as acc

HERE = Path(__file__).parent / "reference" / "accuracy"
R = pd.read_csv(HERE / "indeterminate_r.csv")
MEASURES = ("sensitivity", "specificity", "ppv", "npv", "lr_positive", "lr_negative", "dor")


def results(case: str) -> tuple[np.ndarray, np.ndarray]:
    d = pd.read_csv(HERE / f"{case}.csv")
    if case == "clustered_paired":
        r = np.where(
            d.score_b <= 2, "negative", np.where(d.score_b == 3, "indeterminate", "positive")
        )
    else:
        r = np.where(
            d.score_a < 0.3, "negative", np.where(d.score_a <= 1.3, "indeterminate", "positive")
        )
    return d.y.to_numpy(), r


@pytest.mark.parametrize("case", ["clustered_paired", "sides"])
def test_matches_epir_on_each_collapsed_table(case) -> None:
    expected = R[R["case"] == case].set_index("quantity")["value"]
    y, r = results(case)
    ours = acc.indeterminate_accuracy(y, r)
    for result in ("positive", "indeterminate", "negative"):
        assert ours.table.loc[result, "diseased"] == expected[f"{result}_diseased"]
        assert ours.table.loc[result, "not_diseased"] == expected[f"{result}_not_diseased"]
    for handling in acc.indeterminate.HANDLINGS:
        for measure in MEASURES:
            for column, part in (("estimate", "est"), ("ci_low", "lower"), ("ci_high", "upper")):
                value = expected[f"{handling}_{measure}_{part}"]
                assert ours.metrics.loc[(handling, measure), column] == pytest.approx(
                    value, abs=1e-9, rel=1e-9
                ), (handling, measure, part)


def test_the_three_handlings_bracket_the_accuracy() -> None:
    y, r = results("sides")
    m = acc.indeterminate_accuracy(y, r).metrics["estimate"]
    assert m[("as_positive", "sensitivity")] >= m[("excluded", "sensitivity")]
    assert m[("as_negative", "sensitivity")] <= m[("excluded", "sensitivity")]
    assert m[("as_negative", "specificity")] >= m[("excluded", "specificity")]
    assert m[("as_positive", "specificity")] <= m[("excluded", "specificity")]


def test_shares_labels_and_errors() -> None:
    y = ["ypN+", "ypN+", "ypN0", "ypN0", "ypN0", None]
    r = ["pos", "unclear", "neg", "unclear", "pos", "neg"]
    with pytest.warns(acc.DegenerateTableWarning):  # LR- = 0: no false negative
        out = acc.indeterminate_accuracy(
            y, r, positive="pos", negative="neg", indeterminate="unclear", pos_label="ypN+",
            nan_policy="omit",
        )  # fmt: skip
    assert out.n_omitted == 1
    assert out.indeterminate.loc["all", "estimate"] == pytest.approx(2 / 5)
    assert out.indeterminate.loc["diseased", "estimate"] == pytest.approx(1 / 2)
    assert out.to_frame().shape == (30, 3)
    with pytest.raises(ValueError, match="position 1 holds 'maybe'"):
        acc.indeterminate_accuracy([1, 0], ["positive", "maybe"])
    with pytest.raises(ValueError, match="must differ"):
        acc.indeterminate_accuracy([1, 0], ["a", "b"], positive="a", negative="a")
    # Everyone indeterminate among the non-diseased: specificity undefined when excluded.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acc.DegenerateTableWarning)
        with pytest.raises(ValueError, match="specificity is undefined"):
            acc.indeterminate_accuracy([1, 0], ["positive", "indeterminate"])
    assert math.isclose(out.level, 0.95)
