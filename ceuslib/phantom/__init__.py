"""A synthetic CEUS node phantom: cine loops, ROI curves, parametric maps and readers.

- :func:`simulate_cine`: a 2-D node (cortex, hilum, optional necrotic or fibrotic defects, in
  surrounding tissue) whose perfusion arrives centrifugally or centripetally, with
  heterogeneity, speckle and the log-compressed display; the ``PATTERNS`` presets are
  ``reactive``, ``fibrotic_responder``, ``viable_tumour`` and ``necrotic_ring``.
- :func:`write_dicom_cine`: the loop as a DICOM Ultrasound Multi-frame Image.
- :func:`ellipse_mask`, :func:`roi_curve`, :func:`roi_curves`, :func:`reference_ratio`: region
  of interest curves on linearized echo-power, and fitted ratios to a reference region.
- :func:`parametric_maps`: per-pixel time to peak, peak enhancement and wash-in rate
  (model-free); :func:`fitted_maps`: per-pixel PE, TTP, mTT, WiAUC and QOF of a bolus model
  fitted to every pixel's curve.
- :func:`pattern_features`, :func:`simulate_readers`, :func:`reader_agreement`: readers rating
  the qualitative features with a chosen agreement, and their kappa (through
  ``ceuslib.accuracy.cohen_kappa``).

Everything here is synthetic, for teaching and for testing the analysis; it is not patient
data.
"""

from ceuslib.phantom.cine import Cine, simulate_cine
from ceuslib.phantom.dicom import write_dicom_cine
from ceuslib.phantom.fitted_maps import FittedMaps, fitted_maps
from ceuslib.phantom.geometry import Ellipse, NodeGeometry, NodeMaps
from ceuslib.phantom.maps import ParametricMaps, parametric_maps
from ceuslib.phantom.patterns import FEATURE_LEVELS, PATTERNS, Pattern
from ceuslib.phantom.readers import (
    expected_agreement,
    pattern_features,
    reader_agreement,
    simulate_readers,
)
from ceuslib.phantom.roi import ellipse_mask, reference_ratio, roi_curve, roi_curves

__all__ = [
    "FEATURE_LEVELS",
    "PATTERNS",
    "Cine",
    "Ellipse",
    "FittedMaps",
    "NodeGeometry",
    "NodeMaps",
    "ParametricMaps",
    "Pattern",
    "ellipse_mask",
    "expected_agreement",
    "fitted_maps",
    "parametric_maps",
    "pattern_features",
    "reader_agreement",
    "reference_ratio",
    "roi_curve",
    "roi_curves",
    "simulate_cine",
    "simulate_readers",
    "write_dicom_cine",
]
