"""A multivariable logistic risk model with bootstrap optimism correction."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from ceuslib.accuracy import _validate as check
from ceuslib.accuracy._counts import threshold_counts, tie_groups, weighted_auc
from ceuslib.accuracy.resample import BLOCK_CELLS, N_RESAMPLES_OPTIMISM, draw_clusters
from ceuslib.decision.calibration import calibration_slope_intercept

PERFORMANCE = ("auc", "brier", "calibration_intercept", "calibration_slope")
_EPS = 1e-12


def _design(x: object) -> pd.DataFrame:
    if not isinstance(x, pd.DataFrame):
        raise ValueError("X must be a pandas DataFrame of numeric predictors, one row a patient")
    if x.shape[1] == 0:
        raise ValueError("X has no predictor columns")
    bad = [c for c in x.columns if not pd.api.types.is_numeric_dtype(x[c])]
    if bad:
        raise ValueError(f"X columns must be numeric (encode categories first); not: {bad}")
    values = x.to_numpy(dtype=float)
    if not np.all(np.isfinite(values)):
        row, col = np.argwhere(~np.isfinite(values))[0]
        raise ValueError(f"X must be complete: row {row}, column {x.columns[col]!r} is missing")
    return x


def _new_model(c: float) -> Pipeline:
    return make_pipeline(
        StandardScaler(), LogisticRegression(C=c, solver="newton-cholesky", tol=1e-10, max_iter=200)
    )


def _scores(y: np.ndarray, risk: np.ndarray) -> dict[str, float]:
    risk = np.clip(risk, _EPS, 1 - _EPS)
    cal = calibration_slope_intercept(y, risk)
    return {
        "auc": float(weighted_auc(threshold_counts(tie_groups(y == 1, risk)))[0]),
        "brier": float(np.mean((risk - y) ** 2)),
        "calibration_intercept": cal.intercept,
        "calibration_slope": cal.slope,
    }


@dataclass(frozen=True)
class RiskModel:
    """A fitted logistic model and its internally validated performance.

    ``predict_risk(X)`` gives the predicted probabilities.

    Attributes
    ----------
    features : tuple of str
        The predictors, in the order of the model.
    intercept : float
        The model's intercept (log odds).
    coefficients : pandas.Series
        Log odds ratios per unit of each predictor.
    n_patients, n_events : int
        Patients fitted and those with the outcome.
    n_resamples : int
        Bootstrap resamples of the optimism correction.
    n_failed : int
        Resamples that could not be used (one outcome class, or a fit or recalibration
        that did not converge).
    performance : pandas.DataFrame
        Indexed by ``auc, brier, calibration_intercept, calibration_slope``; columns
        ``apparent``, ``optimism`` and ``corrected``.
    estimator : sklearn.pipeline.Pipeline
        The fitted scikit-learn pipeline.
    """

    features: tuple[str, ...]
    intercept: float
    coefficients: pd.Series
    n_patients: int
    n_events: int
    n_resamples: int
    n_failed: int
    performance: pd.DataFrame = field(repr=False)
    estimator: Pipeline = field(repr=False)

    @property
    def n_boot(self) -> int:
        """Deprecated name of ``n_resamples``."""
        check.deprecated("RiskModel.n_boot is deprecated: use n_resamples")
        return self.n_resamples

    @property
    def events_per_variable(self) -> float:
        """Events (the rarer outcome) per predictor."""
        rarer = min(self.n_events, self.n_patients - self.n_events)
        return rarer / len(self.features)

    def predict_risk(self, x: pd.DataFrame) -> np.ndarray:
        """Predicted probability of residual disease for each row of ``x``.

        Parameters
        ----------
        x : pandas.DataFrame
            The model's predictors (other columns are ignored), one row per patient.

        Returns
        -------
        numpy.ndarray
            One probability per row of ``x``.
        """
        x = _design(x)
        missing = [f for f in self.features if f not in x.columns]
        if missing:
            raise ValueError(f"X lacks the model's predictors {missing}")
        return self.estimator.predict_proba(x[list(self.features)])[:, 1]

    def to_frame(self) -> pd.DataFrame:
        """The performance table.

        Returns
        -------
        pandas.DataFrame
            A copy of ``performance``.
        """
        return self.performance.copy()


@check.renamed(n_boot="n_resamples")
def fit_risk_model(
    x: pd.DataFrame,
    y_true: ArrayLike,
    *,
    n_resamples: int = N_RESAMPLES_OPTIMISM,
    seed: int | np.random.Generator | None = None,
    c: float = np.inf,
    pos_label: object = None,
) -> RiskModel:
    """Fit a logistic model and correct its apparent performance for optimism.

    Parameters
    ----------
    x : pandas.DataFrame
        Numeric predictors, one row per patient (CEUS features, B-mode size, ...).
    y_true : array-like of int
        Residual nodal disease per patient, 0 or 1, or labels with ``pos_label``.
    n_resamples : int
        Number of bootstrap resamples for the optimism correction (formerly ``n_boot``):
        200 by default, enough for a mean (Steyerberg 2019, chapter 5), where percentile
        intervals take 2000.
    seed : int or numpy.random.Generator
        Source of randomness.
    c : float
        Inverse L2 penalty of scikit-learn's ``LogisticRegression`` on standardised
        predictors; ``inf`` (the default) is ordinary maximum likelihood, the model whose
        overfitting the correction is meant to show.
    pos_label : object, optional
        The label of ``y_true`` that means residual disease, for labels other than 0/1.

    Returns
    -------
    RiskModel
        The fitted model and its apparent, optimism and corrected performance.

    Notes
    -----
    Harrell's bootstrap optimism correction (Harrell, Lee & Mark 1996; Steyerberg 2019,
    chapter 17): in each resample the whole model is refitted and scored on the resample
    (apparent) and on the original patients (test); the mean difference is the optimism,
    and the corrected performance is the apparent one minus it.  Performance measures:
    the c-statistic (AUC), the Brier score, and the calibration intercept and slope of
    :func:`calibration_slope_intercept`.  Fits use the Newton-Cholesky solver on
    standardised predictors (exact maximum likelihood in a few iterations); a resample in
    which a fit warns (for example under complete separation) is counted in ``n_failed``
    and left out.  A corrected slope well below 1 says the
    predictions are too extreme for new patients and need shrinking.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = pd.DataFrame({"size_mm": rng.normal(8, 2, 80)})
    >>> y = (rng.random(80) < 1 / (1 + np.exp(-(x.size_mm - 8)))).astype(int)
    >>> m = fit_risk_model(x, y, n_resamples=20, seed=1)
    >>> m.features
    ('size_mm',)
    >>> print(f"{m.performance.loc['calibration_slope', 'apparent']:.3f}")
    1.000
    """
    x = _design(x)
    columns, _ = check.rows({"y_true": y_true})
    y = check.labels(columns["y_true"], pos_label=pos_label).astype(np.int64)
    if len(x) != y.size:
        raise ValueError(f"X has {len(x)} rows but y_true has {y.size} values")
    check.both_classes(y, what="a risk model")
    n_resamples = check.n_resamples(n_resamples)
    estimator = _new_model(c).fit(x, y)
    apparent = _scores(y, estimator.predict_proba(x)[:, 1])
    rng = check.generator(seed)
    diffs = {name: [] for name in PERFORMANCE}
    failed = 0
    block = max(1, BLOCK_CELLS // y.size)
    for rows in (
        r for drawn in draw_clusters(y.size, n_resamples, rng, block=block) for r in drawn
    ):
        yb = y[rows]
        if yb.min() == yb.max():
            failed += 1
            continue
        xb = x.iloc[rows]
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # any warning marks the resample as failed
            try:
                model = _new_model(c).fit(xb, yb)
                boot = _scores(yb, model.predict_proba(xb)[:, 1])
                test = _scores(y, model.predict_proba(x)[:, 1])
            except (Warning, ValueError, np.linalg.LinAlgError):
                failed += 1
                continue
        for name in PERFORMANCE:
            diffs[name].append(boot[name] - test[name])
    rows = {}
    for name in PERFORMANCE:
        optimism = float(np.mean(diffs[name])) if diffs[name] else np.nan
        rows[name] = {
            "apparent": apparent[name],
            "optimism": optimism,
            "corrected": apparent[name] - optimism,
        }
    scaler = estimator.named_steps["standardscaler"]
    logistic = estimator.named_steps["logisticregression"]
    coefficients = logistic.coef_[0] / scaler.scale_
    intercept = float(logistic.intercept_[0] - np.sum(coefficients * scaler.mean_))
    return RiskModel(
        features=tuple(str(col) for col in x.columns),
        intercept=intercept,
        coefficients=pd.Series(coefficients, index=list(x.columns), name="log_odds_ratio"),
        n_patients=int(y.size),
        n_events=int(y.sum()),
        n_resamples=n_resamples,
        n_failed=failed,
        performance=pd.DataFrame.from_dict(rows, orient="index"),
        estimator=estimator,
    )
