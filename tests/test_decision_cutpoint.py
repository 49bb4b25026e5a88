"""Cut-point rules: R references on aSAH, a brute-force oracle, properties and edges."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceuslib.accuracy import proportion_ci
from ceuslib.decision import RULES, InfeasibleTargetError, choose_cutpoint

REF = Path(__file__).parent / "reference" / "decision"
ASAH = pd.read_csv(REF / "asah.csv")
R_VALUES = pd.read_csv(REF / "cutpoints_r.csv")
R_CASES = [
    (key, group)
    for key, group in R_VALUES.groupby(
        ["package", "marker", "direction", "rule", "target"], dropna=False, sort=True
    )
]


def _asah_call(marker, direction, rule, target):
    # The positive class is "Poor" for ">=" and "Good" for "<=" (see derive.R); the R
    # references name the directions as cutpointr does.
    y = ASAH.poor if direction == ">=" else 1 - ASAH.poor
    target = None if pd.isna(target) else float(target)
    ours = {">=": "higher", "<=": "lower"}[direction]
    return choose_cutpoint(y, ASAH[marker], rule=rule, target=target, direction=ours)


@pytest.mark.parametrize(
    ("key", "expected"), R_CASES, ids=["-".join(map(str, k)) for k, _ in R_CASES]
)
def test_agrees_with_r_packages(key, expected):
    package, marker, direction, rule, target = key
    result = _asah_call(marker, direction, rule, target)
    r_cuts = sorted(expected.cutpoint)
    if package == "cutpointr" or rule in {"youden", "closest_to_01"}:
        # cutpointr (break_ties = c) and OptimalCutpoints' Youden and ROC01 list every tie.
        assert list(result.tied_cutpoints) == pytest.approx(r_cuts, abs=1e-12)
        assert result.cutpoint in result.tied_cutpoints
    else:
        # OptimalCutpoints' MinValueSe breaks ties by the highest sensitivity, as we do.
        assert r_cuts == pytest.approx([result.cutpoint], abs=1e-12)
    row = expected[np.isclose(expected.cutpoint, result.cutpoint)]
    assert len(row) == 1
    assert result.sensitivity == pytest.approx(row.sensitivity.iloc[0], abs=1e-12)
    assert result.specificity == pytest.approx(row.specificity.iloc[0], abs=1e-12)


def test_tie_rule_picks_the_most_sensitive_of_the_cutpointr_ties():
    # cutpointr 1.1.2 returns three tied cut-points for ndka, "<=", sensitivity >= 0.9.
    result = _asah_call("ndka", "<=", "min_sensitivity", 0.9)
    assert result.tied_cutpoints == (24.58, 27.19, 28.49)
    assert result.cutpoint == 28.49
    assert result.sensitivity == pytest.approx(
        float(
            max(
                _metrics(1 - ASAH.poor.to_numpy(), -ASAH.ndka.to_numpy(), -c)[0]
                for c in result.tied_cutpoints
            )
        )
    )


def _metrics(y, s, c):
    """Exact sensitivity, specificity, NPV of ``s >= c`` as fractions (NPV None if undefined)."""
    pos = s >= c
    tp = int(np.sum(pos & (y == 1)))
    fp = int(np.sum(pos & (y == 0)))
    p, n = int(y.sum()), int((1 - y).sum())
    fn, tn = p - tp, n - fp
    npv = Fraction(tn, tn + fn) if tn + fn else None
    return Fraction(tp, p), Fraction(tn, n), npv, (tp, fp, fn, tn)


def _oracle(y, s, rule, target, level=0.95):
    """Loop over candidate cut-points with exact fractions."""
    best = None
    for c in [*sorted(set(s.tolist())), np.inf]:
        se, sp, npv, (tp, _, fn, tn) = _metrics(y, s, c)
        if rule == "youden":
            key = se + sp
        elif rule == "closest_to_01":
            key = -((1 - se) ** 2 + (1 - sp) ** 2)
        else:
            if rule == "min_sensitivity":
                ok = float(se) >= target
            elif rule == "min_npv":
                ok = npv is not None and float(npv) >= target
            elif rule == "min_sensitivity_lcb":
                ok = proportion_ci(tp, tp + fn, level=level)[0] >= target
            else:
                ok = tn + fn > 0 and proportion_ci(tn, tn + fn, level=level)[0] >= target
            if not ok:
                continue
            key = sp
        # Ties: the highest sensitivity, which for ">=" is the lowest cut-point: the loop
        # runs upwards, so keep the first of equal keys.
        if best is None or key > best[0]:
            best = (key, c)
    return None if best is None else best[1]


@settings(max_examples=150, deadline=None)
@given(
    data=st.lists(st.tuples(st.integers(0, 1), st.integers(0, 12)), min_size=2, max_size=40).filter(
        lambda rows: 0 < sum(r[0] for r in rows) < len(rows)
    ),
    rule=st.sampled_from(sorted(RULES)),
    target=st.sampled_from([0.5, 0.7, 0.8, 0.9, 1.0]),
)
def test_matches_brute_force_oracle(data, rule, target):
    y = np.array([r[0] for r in data])
    s = np.array([r[1] for r in data], dtype=float) / 4  # many ties
    target = target if rule.startswith("min_") else None
    expected = _oracle(y, s, rule, target)
    if expected is None:
        with pytest.raises(InfeasibleTargetError):
            choose_cutpoint(y, s, rule=rule, target=target)
    else:
        assert choose_cutpoint(y, s, rule=rule, target=target).cutpoint == expected


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.integers(0, 1), st.floats(-5, 5, allow_nan=False)), min_size=2, max_size=30
    ).filter(lambda rows: 0 < sum(r[0] for r in rows) < len(rows)),
    rule=st.sampled_from(["youden", "closest_to_01", "min_sensitivity", "min_npv"]),
)
def test_direction_is_the_mirror_image(data, rule):
    y = np.array([r[0] for r in data])
    s = np.array([r[1] for r in data])
    target = 0.8 if rule.startswith("min_") else None
    try:
        up = choose_cutpoint(y, s, rule=rule, target=target)
    except InfeasibleTargetError:
        with pytest.raises(InfeasibleTargetError):
            choose_cutpoint(y, -s, rule=rule, target=target, direction="lower")
        return
    down = choose_cutpoint(y, -s, rule=rule, target=target, direction="lower")
    assert down.cutpoint == -up.cutpoint
    assert (down.tp, down.fp, down.fn, down.tn) == (up.tp, up.fp, up.fn, up.tn)


def test_monotone_transform_moves_the_cutpoint_with_the_score():
    s = ASAH.s100b.to_numpy()
    for rule, target in [("youden", None), ("min_sensitivity", 0.9), ("min_npv", 0.8)]:
        raw = choose_cutpoint(ASAH.poor, s, rule=rule, target=target)
        logged = choose_cutpoint(ASAH.poor, np.log(s), rule=rule, target=target)
        assert logged.cutpoint == pytest.approx(np.log(raw.cutpoint))
        assert (logged.tp, logged.fp) == (raw.tp, raw.fp)


def test_counts_and_metrics_are_consistent():
    r = choose_cutpoint(ASAH.poor, ASAH.ndka, rule="min_npv", target=0.7)
    assert r.tp + r.fn == ASAH.poor.sum() and r.fp + r.tn == (1 - ASAH.poor).sum()
    assert r.npv == pytest.approx(r.tn / (r.tn + r.fn))
    assert r.guarded == r.npv >= 0.7
    frame = r.to_frame()
    assert frame.loc[0, "cutpoint"] == r.cutpoint and frame.loc[0, "n_tied"] == 1


def test_perfect_separation_gives_the_smallest_positive_score():
    r = choose_cutpoint([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9])
    assert (r.cutpoint, r.sensitivity, r.specificity, r.npv, r.ppv) == (0.7, 1, 1, 1, 1)


def test_observe_everyone_is_a_candidate_and_gives_nan_ppv():
    # At 20% prevalence "observe all" already has NPV 0.8: the +inf cut-point wins.
    r = choose_cutpoint([1, 0, 0, 0, 0], [0.1, 0.2, 0.3, 0.4, 0.5], rule="min_npv", target=0.8)
    assert r.cutpoint == np.inf and r.specificity == 1 and np.isnan(r.ppv)
    r = choose_cutpoint(
        [1, 0, 0, 0, 0], [0.5, 0.1, 0.2, 0.3, 0.4], rule="min_npv", target=0.8, direction="lower"
    )
    assert r.cutpoint == -np.inf


def test_conservative_rules_are_never_less_sensitive():
    for marker in ("s100b", "ndka", "wfns", "age"):
        plain = choose_cutpoint(ASAH.poor, ASAH[marker], rule="min_sensitivity", target=0.7)
        bound = choose_cutpoint(ASAH.poor, ASAH[marker], rule="min_sensitivity_lcb", target=0.7)
        assert bound.sensitivity >= plain.sensitivity and bound.cutpoint <= plain.cutpoint
        low, _ = proportion_ci(bound.tp, bound.tp + bound.fn)
        assert bound.guarded == pytest.approx(low) and low >= 0.7


def test_lcb_uses_the_requested_interval_method_and_level():
    loose = choose_cutpoint(ASAH.poor, ASAH.s100b, rule="min_npv_lcb", target=0.65, level=0.5)
    strict = choose_cutpoint(
        ASAH.poor, ASAH.s100b, rule="min_npv_lcb", target=0.65, method="clopper-pearson"
    )
    assert strict.guarded == pytest.approx(
        proportion_ci(strict.tn, strict.tn + strict.fn, method="clopper-pearson")[0]
    )
    assert strict.specificity <= loose.specificity


def test_infeasible_target_is_a_clear_error():
    with pytest.raises(
        InfeasibleTargetError, match=r"NPV >= 0.99.*highest value reached is 0"
    ) as err:
        choose_cutpoint(ASAH.poor, ASAH.s100b, rule="min_npv", target=0.99)
    assert err.value.best_value < 0.99 and isinstance(err.value, ValueError)
    best = choose_cutpoint(ASAH.poor, ASAH.s100b, rule="min_npv", target=err.value.best_value)
    assert best.cutpoint == err.value.best_cutpoint
    # Ten positives: the Wilson lower bound of 10/10 is 0.72, so 0.9 cannot be certified.
    y = [1] * 10 + [0] * 10
    with pytest.raises(InfeasibleTargetError, match="lower confidence bound of sensitivity"):
        choose_cutpoint(y, range(20), rule="min_sensitivity_lcb", target=0.9)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rule": "max_auc"}, "rule must be one of"),
        ({"rule": "min_npv"}, "needs a target"),
        ({"rule": "youden", "target": 0.9}, "takes no target"),
        ({"rule": "min_npv", "target": 0}, r"target must lie in \(0, 1\]"),
        ({"rule": "min_npv", "target": 1.2}, r"target must lie in \(0, 1\]"),
        ({"direction": ">"}, "direction must be"),
        ({"level": 1.0}, "level must be a number strictly"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        choose_cutpoint([0, 1, 0, 1], [1, 2, 3, 4], **kwargs)


@pytest.mark.parametrize(
    ("y", "s", "message"),
    [
        ([0, 0, 0], [1, 2, 3], "no positive"),
        ([1, 1], [1, 2], "no negative"),
        ([0, 2, 1], [1, 2, 3], "must hold 0 and 1"),
        ([0, 1], [1, np.inf], "must be finite"),
        ([0, 1], [1, np.nan], "missing value"),
        ([0, 1], [1, 2, 3], "score has 3 values but y_true has 2"),
        ([], [], "no positive"),
        (["a", "b"], [1, 2], "pos_label"),
    ],
)
def test_bad_data(y, s, message):
    with pytest.raises(ValueError, match=message):
        choose_cutpoint(y, s)


def test_boolean_outcome_is_accepted():
    assert choose_cutpoint([False, True], [0.0, 1.0]).cutpoint == 1.0
