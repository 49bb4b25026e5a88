"""Decision statistics: when can a neck be spared?

Cut-points chosen under a stated rule (Youden, closest to (0, 1), a minimum sensitivity or
NPV, and conservative variants on their lower confidence bounds), their patient-level
bootstrap, net benefit and decision curves, a spare-the-neck policy evaluator per 100
patients or neck sides (resampled by patient), the number of CEUS-negative necks a study
needs to show that the residual risk is low enough, and a multivariable logistic model with
bootstrap optimism correction.

Plots live in :mod:`ceuslib.plots.decision`; nothing here imports matplotlib.
"""

from ceuslib.accuracy.resample import bootstrap_weights
from ceuslib.decision.bootstrap import CutpointBootstrap, bootstrap_cutpoint
from ceuslib.decision.calibration import (
    Calibration,
    calibration_slope_intercept,
    calibration_table,
)
from ceuslib.decision.cutpoint import RULES, CutpointResult, choose_cutpoint
from ceuslib.decision.features import patient_table, peak_enhancement
from ceuslib.decision.model import RiskModel, fit_risk_model
from ceuslib.decision.net_benefit import DecisionCurve, decision_curve, net_benefit
from ceuslib.decision.policy import PolicyResult, evaluate_policy, prevalence_shift
from ceuslib.decision.sample_size import (
    ResidualRiskSampleSize,
    detectable_residual_risk,
    residual_risk_sample_size,
)
from ceuslib.errors import InfeasibleTargetError

__all__ = [
    "RULES",
    "Calibration",
    "CutpointBootstrap",
    "CutpointResult",
    "DecisionCurve",
    "InfeasibleTargetError",
    "PolicyResult",
    "ResidualRiskSampleSize",
    "RiskModel",
    "bootstrap_cutpoint",
    "bootstrap_weights",
    "calibration_slope_intercept",
    "calibration_table",
    "choose_cutpoint",
    "decision_curve",
    "detectable_residual_risk",
    "evaluate_policy",
    "fit_risk_model",
    "net_benefit",
    "patient_table",
    "peak_enhancement",
    "prevalence_shift",
    "residual_risk_sample_size",
]
