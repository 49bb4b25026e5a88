"""CEUS time-intensity curves: bolus models, the display law, simulation and fitting.

- :data:`MODELS`: lognormal, gamma variate, LDRW and FPT bolus models, vectorised over curves.
- :func:`linearize` and :func:`compress`: the display law and its inverse.
- :func:`simulate_tic` and :func:`simulate_tics`: curves through the whole signal chain.
- :func:`fit_tic`, :func:`fit_tics`, :func:`compare_models`: bounded least-squares fits on
  linearized curves, VueBox-style descriptors (:func:`describe`), flags and AIC/BIC.
- :func:`read_tic_csv` / :func:`write_tic_csv`: TIC exports; :func:`read_dicom_cine`,
  :func:`write_dicom_cine`: DICOM ultrasound cines.
- :func:`roi_tic`, :func:`roi_tics`, :func:`fit_roi_tics`, :func:`reference_ratios`: region
  curves of a cine and amplitudes relative to a reference region.
"""

from ceuslib.errors import FrameTimingWarning
from ceuslib.perfusion.compare import compare_models
from ceuslib.perfusion.descriptors import DESCRIPTORS, describe
from ceuslib.perfusion.dicom import (
    DicomCine,
    UltrasoundRegion,
    read_dicom_cine,
    write_dicom_cine,
)
from ceuslib.perfusion.display import compress, from_db, linearize, to_db
from ceuslib.perfusion.fit import FLAG_REGISTRY, FLAGS, METHODS, TICFit, fit_tic, fit_tics
from ceuslib.perfusion.flags import Flag
from ceuslib.perfusion.models import MODELS, BolusModel, get_model
from ceuslib.perfusion.roi import (
    AMPLITUDE_DESCRIPTORS,
    fit_roi_tics,
    reference_ratios,
    roi_tic,
    roi_tics,
)
from ceuslib.perfusion.simulate import (
    DEFAULT_BASELINE,
    DEFAULT_TIMING,
    SimulatedTIC,
    SimulatedTICs,
    default_params,
    simulate_tic,
    simulate_tics,
)
from ceuslib.perfusion.ticfile import UNITS, TICTable, read_tic_csv, write_tic_csv

__all__ = [
    "AMPLITUDE_DESCRIPTORS",
    "DEFAULT_BASELINE",
    "DEFAULT_TIMING",
    "DESCRIPTORS",
    "FLAGS",
    "FLAG_REGISTRY",
    "METHODS",
    "MODELS",
    "UNITS",
    "BolusModel",
    "DicomCine",
    "Flag",
    "FrameTimingWarning",
    "SimulatedTIC",
    "SimulatedTICs",
    "TICFit",
    "TICTable",
    "UltrasoundRegion",
    "compare_models",
    "compress",
    "default_params",
    "describe",
    "fit_roi_tics",
    "fit_tic",
    "fit_tics",
    "from_db",
    "get_model",
    "linearize",
    "read_dicom_cine",
    "read_tic_csv",
    "reference_ratios",
    "roi_tic",
    "roi_tics",
    "simulate_tic",
    "simulate_tics",
    "to_db",
    "write_dicom_cine",
    "write_tic_csv",
]
