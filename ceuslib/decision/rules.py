"""The cut-point rules: which candidates are feasible, and which one is best.

Every rule is evaluated on integer confusion counts for many samples at once, so the same
code chooses the cut-point of the data and of every bootstrap resample.

Tie rule (all rules): among the candidates that are equally good on the rule's criterion,
the one with the highest sensitivity is chosen, that is the lowest cut-point for direction
``"higher"`` and the highest for ``"lower"``.  When in doubt the rule calls more necks positive, so
fewer are left with residual disease.  Criteria are compared exactly, on integer counts.
"""

from __future__ import annotations

import numpy as np

from ceuslib.accuracy import proportion_ci
from ceuslib.accuracy._counts import ThresholdCounts

RULES = {
    "youden": "maximum Youden index J = sensitivity + specificity - 1",
    "closest_to_01": "minimum distance to the corner (0, 1) of the ROC plot",
    "min_sensitivity": "maximum specificity with sensitivity >= target",
    "min_npv": "maximum specificity with NPV >= target",
    "min_sensitivity_lcb": (
        "maximum specificity with the lower confidence bound of sensitivity >= target"
    ),
    "min_npv_lcb": "maximum specificity with the lower confidence bound of NPV >= target",
}
TARGET_RULES = {"min_sensitivity", "min_npv", "min_sensitivity_lcb", "min_npv_lcb"}
_NO_KEY = np.iinfo(np.int64).min


def check_rule(rule: str, target: float | None) -> float | None:
    """Validate a rule name and its target; return the target as a float (or None)."""
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}; got {rule!r}")
    if rule in TARGET_RULES:
        if target is None:
            raise ValueError(f"rule {rule!r} needs a target, such as target=0.9")
        target = float(target)
        if not 0.0 < target <= 1.0:
            raise ValueError(f"target must lie in (0, 1], got {target!r}")
        return target
    if target is not None:
        raise ValueError(f"rule {rule!r} takes no target; got target={target!r}")
    return None


def _lower_bound(successes: np.ndarray, n: np.ndarray, method: str, level: float):
    """Lower confidence bound of successes / n where n > 0, NaN elsewhere."""
    out = np.full(successes.shape, np.nan)
    ok = n > 0
    if ok.any():
        low, _ = proportion_ci(successes[ok], n[ok], method=method, level=level)
        out[ok] = low
    return out


def guarded_measure(rule: str, c: ThresholdCounts, method: str, level: float) -> np.ndarray:
    """The constrained measure of a target rule at every candidate (NaN where undefined)."""
    tp, tn, fn = c.tp, c.tn, c.fn
    if rule == "min_sensitivity":
        return tp / c.positives[:, None]
    called_negative = tn + fn
    if rule == "min_npv":
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(called_negative > 0, tn / np.maximum(called_negative, 1), np.nan)
    if rule == "min_sensitivity_lcb":
        return _lower_bound(tp, np.broadcast_to(c.positives[:, None], tp.shape), method, level)
    return _lower_bound(tn, called_negative, method, level)


def criterion_key(rule: str, c: ThresholdCounts) -> np.ndarray:
    """An integer key, larger is better, that orders candidates exactly by the criterion."""
    p = c.positives[:, None]
    n = c.negatives[:, None]
    if rule == "youden":
        return c.tp * n + c.tn * p  # = (J + 1) * P * N
    if rule == "closest_to_01":
        if int((c.positives * c.negatives).max()) < 2_000_000_000:
            return -((c.fn * n) ** 2 + (c.fp * p) ** 2)  # = -distance² * (P * N)²
        # Beyond int64 range: compare the floating-point distance instead.
        return -((c.fn / p) ** 2 + (c.fp / n) ** 2)
    return c.tn  # the constrained rules maximise specificity


def select(
    c: ThresholdCounts,
    rule: str,
    target: float | None,
    *,
    method: str = "wilson",
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Index of the chosen candidate in each row (-1 if none is feasible) and tie masks."""
    key = criterion_key(rule, c)
    valid = c.present & (c.positives > 0)[:, None] & (c.negatives > 0)[:, None]
    if rule in TARGET_RULES:
        measure = guarded_measure(rule, c, method, level)
        with np.errstate(invalid="ignore"):
            valid &= measure >= target
    if np.issubdtype(key.dtype, np.integer):
        key = np.where(valid, key, _NO_KEY)
    else:
        key = np.where(valid, key, -np.inf)
    best = key.max(axis=1, keepdims=True)
    tied = valid & (key == best)
    chosen = np.where(tied, c.tp, -1).argmax(axis=1)
    chosen = np.where(valid.any(axis=1), chosen, -1)
    return chosen, tied
