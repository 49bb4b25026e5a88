"""CEUS time-intensity curves: bolus models, the display law, simulation and fitting.

- :data:`MODELS`: lognormal, gamma variate, LDRW and FPT bolus models, vectorised over curves.
- :func:`linearize` and :func:`compress`: the display law and its inverse.
- :func:`simulate_tic` and :func:`simulate_tics`: curves through the whole signal chain.
- :func:`fit_tic`, :func:`fit_tics`, :func:`compare_models`: bounded least-squares fits on
  linearized curves, VueBox-style descriptors (:func:`describe`), flags and AIC/BIC.
"""

from ceuslib.perfusion.descriptors import DESCRIPTORS, describe
from ceuslib.perfusion.display import compress, linearize, to_db
from ceuslib.perfusion.fit import FLAGS, TICFit, compare_models, fit_tic, fit_tics
from ceuslib.perfusion.models import MODELS, BolusModel, get_model
from ceuslib.perfusion.simulate import (
    DEFAULT_BASELINE,
    DEFAULT_TIMING,
    SimulatedTIC,
    SimulatedTICs,
    default_params,
    simulate_tic,
    simulate_tics,
)

__all__ = [
    "DEFAULT_BASELINE",
    "DEFAULT_TIMING",
    "DESCRIPTORS",
    "FLAGS",
    "MODELS",
    "BolusModel",
    "SimulatedTIC",
    "SimulatedTICs",
    "TICFit",
    "compare_models",
    "compress",
    "default_params",
    "describe",
    "fit_tic",
    "fit_tics",
    "get_model",
    "linearize",
    "simulate_tic",
    "simulate_tics",
    "to_db",
]
