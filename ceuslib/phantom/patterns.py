"""The enhancement patterns the phantom can show, with the qualitative features they carry.

Each pattern says where the contrast enters the node and how it spreads, how strongly and
how evenly the node enhances, which regions stay dark, and which bolus curve feeds it.  The
published facts behind the presets:

- benign and reactive nodes enhance centrifugally (hilum to periphery) and homogeneously;
  metastases centripetally (capsule to centre) and inhomogeneously (Ling et al. 2020:
  benign centrifugal 62/64, malignant centripetal 74/80; benign homogeneous 60/64);
- non-enhancing areas are read as necrosis, and ring (rim) enhancement surrounds a necrotic
  centre (both also seen in tuberculous nodes, so neither is specific);
- malignant nodes peak earlier than benign ones (Dudau et al. 2014: time to peak 24.1 s vs
  29.3 s from injection).

ASSUMPTIONS (no source; synthetic, for teaching): that a fibrotic responder keeps centrifugal
hilar inflow with weak homogeneous enhancement (0.2 of a viable node's amplitude, the low end
of an assumed 0.2-0.6 range, so that it stays below the surrounding
tissue), that the arrival front needs 6 s to cross a node, that the hilar vessels enhance 1.5
times the cortex, the heterogeneity levels, the defect sizes, and the surrounding tissue's bolus.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from ceuslib.phantom.geometry import Ellipse

DIRECTIONS = ("centrifugal", "centripetal")

#: Bolus of the "fast" node of the worked example of ``ceuslib.perfusion.describe`` (an
#: assumed parameter set): time to peak 22.0 s from injection, near the malignant mean of
#: Dudau et al. 2014.
FAST_BOLUS = MappingProxyType(
    {"area": 1.0, "mu": float(np.log(10.0) + 0.25), "sigma": 0.5, "t0": 12.0}
)
#: The "slow" node of the same worked example: time to peak 27.0 s, near the benign mean.
SLOW_BOLUS = MappingProxyType(
    {"area": 1.0, "mu": float(np.log(15.0) + 0.16), "sigma": 0.4, "t0": 12.0}
)
#: Surrounding soft tissue: later and weaker than a node (ASSUMPTION): it starts to enhance
#: at 16 s and peaks near 31 s, after both node boluses.
TISSUE_BOLUS = MappingProxyType(
    {"area": 0.35, "mu": float(np.log(18.0)), "sigma": 0.45, "t0": 16.0}
)


@dataclass(frozen=True)
class Pattern:
    """How a node enhances.

    Parameters
    ----------
    name : str
        A short name.
    direction : str
        ``"centrifugal"`` or ``"centripetal"``.  Centrifugal: contrast enters at the hilum
        and spreads to the capsule.  Centripetal: it enters all around the capsule and fills
        the node towards its centre.
    bolus : mapping
        Parameters of the bolus curve feeding the node, for the model ``model`` of
        ``ceuslib.perfusion.MODELS``, as they apply at the first-enhancing pixel.
    model : str
        The bolus model's name in ``ceuslib.perfusion.MODELS``.
    enhancement : float
        Node amplitude multiplier (1 = the bolus as given).
    delay_spread_s : float
        Time the arrival front takes to cross the node, in seconds (0: all at once).
    heterogeneity : float
        Coefficient of variation of a smooth lognormal amplitude field (0: homogeneous).
    fatty_hilum : bool
        Whether a fatty hilum is still visible.
    defects : tuple of Ellipse
        Non-enhancing regions in node coordinates (see :class:`Ellipse`).
    features : mapping
        The qualitative features a reader should report for this pattern: ``direction``,
        ``homogeneity``, ``perfusion_defect``, ``ring_enhancement``, ``enhancement``.

    Examples
    --------
    >>> PATTERNS["reactive"].direction
    'centrifugal'
    >>> PATTERNS["viable_tumour"].features["homogeneity"]
    'heterogeneous'
    >>> PATTERNS["reactive"].with_changes(delay_spread_s=0.0).delay_spread_s
    0.0
    """

    name: str
    direction: str
    bolus: MappingProxyType
    model: str = "lognormal"
    enhancement: float = 1.0
    delay_spread_s: float = 6.0
    heterogeneity: float = 0.0
    fatty_hilum: bool = False
    defects: tuple[Ellipse, ...] = ()
    features: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, got {self.direction!r}")
        for name in ("enhancement", "delay_spread_s", "heterogeneity"):
            value = getattr(self, name)
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {value}")
        object.__setattr__(self, "bolus", MappingProxyType(dict(self.bolus)))
        object.__setattr__(self, "features", MappingProxyType(dict(self.features)))
        object.__setattr__(self, "defects", tuple(self.defects))

    def with_changes(self, **changes: Any) -> Pattern:
        """A copy with some fields replaced (``dataclasses.replace``).

        Parameters
        ----------
        **changes : object
            New values of fields, by name.

        Returns
        -------
        Pattern
            The copy.
        """
        return replace(self, **changes)


PATTERNS = MappingProxyType(
    {
        "reactive": Pattern(
            name="reactive",
            direction="centrifugal",
            bolus=SLOW_BOLUS,
            enhancement=1.0,
            heterogeneity=0.05,
            fatty_hilum=True,
            features={
                "direction": "centrifugal",
                "homogeneity": "homogeneous",
                "perfusion_defect": "absent",
                "ring_enhancement": "absent",
                "enhancement": "hyper",
            },
        ),
        "fibrotic_responder": Pattern(
            name="fibrotic_responder",
            direction="centrifugal",
            bolus=SLOW_BOLUS,
            enhancement=0.2,
            heterogeneity=0.1,
            fatty_hilum=False,
            features={
                "direction": "centrifugal",
                "homogeneity": "homogeneous",
                "perfusion_defect": "absent",
                "ring_enhancement": "absent",
                "enhancement": "hypo",
            },
        ),
        "viable_tumour": Pattern(
            name="viable_tumour",
            direction="centripetal",
            bolus=FAST_BOLUS,
            enhancement=1.0,
            heterogeneity=0.45,
            fatty_hilum=False,
            defects=(Ellipse((0.35, 0.15), (0.3, 0.35)),),
            features={
                "direction": "centripetal",
                "homogeneity": "heterogeneous",
                "perfusion_defect": "present",
                "ring_enhancement": "absent",
                "enhancement": "hyper",
            },
        ),
        "necrotic_ring": Pattern(
            name="necrotic_ring",
            direction="centripetal",
            bolus=FAST_BOLUS,
            enhancement=1.0,
            heterogeneity=0.3,
            fatty_hilum=False,
            defects=(Ellipse((0.0, 0.0), (0.72, 0.6)),),
            features={
                "direction": "centripetal",
                "homogeneity": "heterogeneous",
                "perfusion_defect": "present",
                "ring_enhancement": "present",
                "enhancement": "hyper",
            },
        ),
    }
)
"""The preset patterns, by name: ``reactive``, ``fibrotic_responder``, ``viable_tumour``,
``necrotic_ring``."""

#: The categories of each qualitative feature, in order (ordinal where it matters).
FEATURE_LEVELS = MappingProxyType(
    {
        "direction": ("centrifugal", "centripetal"),
        "homogeneity": ("homogeneous", "heterogeneous"),
        "perfusion_defect": ("absent", "present"),
        "ring_enhancement": ("absent", "present"),
        "enhancement": ("hypo", "iso", "hyper"),
    }
)
