"""The anatomy of the node phantom: an oval node with cortex, hilum and defects in tissue.

Coordinates are pixels, ``(row, column)``; the image is ``height x width``.  Everything here
is geometry only: which pixel is node, hilum, defect or surrounding tissue, and how far each
node pixel lies from the hilum and from the capsule.  :mod:`ceuslib.phantom.cine` turns these
maps into perfusion.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class Ellipse:
    """An ellipse inside the node, in node coordinates.

    Parameters
    ----------
    center : tuple of float
        ``(u, v)``: position along the node's long and short axes, as fractions of the
        node's semi-axes (``(0, 0)`` is the node centre, ``(1, 0)`` one pole).
    semi_axes : tuple of float
        Semi-axes along the node's long and short axes, as fractions of the node's
        semi-axes.

    Examples
    --------
    >>> bool(Ellipse((0.0, 0.0), (0.5, 0.5)).contains(0.3, 0.3))
    True
    >>> bool(Ellipse((0.0, 0.0), (0.5, 0.5)).contains(0.4, 0.4))
    False
    """

    center: tuple[float, float]
    semi_axes: tuple[float, float]

    def __post_init__(self) -> None:
        if len(self.center) != 2 or len(self.semi_axes) != 2:
            raise ValueError("an Ellipse needs a 2-tuple center and a 2-tuple semi_axes")
        if min(self.semi_axes) <= 0:
            raise ValueError(f"Ellipse semi_axes must be positive, got {self.semi_axes}")

    def contains(self, u: ArrayLike, v: ArrayLike) -> np.ndarray:
        """Whether node coordinates ``(u, v)`` lie inside (arrays work elementwise).

        Parameters
        ----------
        u, v : array_like
            Positions along the node's long and short axes, in node semi-axes.

        Returns
        -------
        numpy.ndarray of bool
            True inside the ellipse and on its border.
        """
        du = (np.asarray(u) - self.center[0]) / self.semi_axes[0]
        dv = (np.asarray(v) - self.center[1]) / self.semi_axes[1]
        return du * du + dv * dv <= 1.0


@dataclass(frozen=True)
class NodeGeometry:
    """Where the node lies in the image and what it contains.

    Parameters
    ----------
    shape : tuple of int
        ``(height, width)`` of the image in pixels.
    center : tuple of float or None
        ``(row, column)`` of the node centre; ``None`` puts it in the middle of the image.
    semi_axes : tuple of float or None
        Long and short semi-axes in pixels; ``None`` gives 0.34 and 0.2 of the smaller
        image side (a long-to-short axis ratio of 1.7).
    angle_deg : float
        Angle of the long axis from the image rows, counter-clockwise, in degrees.
    fatty_hilum : bool
        Whether the node keeps a fatty hilum (an echogenic, less vascular region entering
        from the middle of one long side).  The vessels always enter at the hilar side;
        this only says whether the fat is there.
    defects : tuple of Ellipse
        Non-enhancing (necrotic or fibrotic) regions, in node coordinates.
    pixel_spacing_mm : float
        Size of one (square) pixel in millimetres.

    Examples
    --------
    >>> geometry = NodeGeometry((40, 60))
    >>> geometry.center, geometry.semi_axes
    ((20.0, 30.0), (13.6, 8.0))
    >>> maps = geometry.maps()
    >>> int(maps.node.sum()) > 0 and not (maps.node & maps.tissue).any()
    True
    """

    shape: tuple[int, int]
    center: tuple[float, float] | None = None
    semi_axes: tuple[float, float] | None = None
    angle_deg: float = 0.0
    fatty_hilum: bool = True
    defects: tuple[Ellipse, ...] = field(default_factory=tuple)
    pixel_spacing_mm: float = 0.2

    def __post_init__(self) -> None:
        if len(self.shape) != 2 or min(self.shape) < 8:
            raise ValueError(f"shape must be (height, width) with both >= 8, got {self.shape}")
        height, width = (int(n) for n in self.shape)
        object.__setattr__(self, "shape", (height, width))
        if self.center is None:
            object.__setattr__(self, "center", (height / 2, width / 2))
        if self.semi_axes is None:
            side = min(height, width)
            object.__setattr__(self, "semi_axes", (round(0.34 * side, 6), round(0.2 * side, 6)))
        if min(self.semi_axes) <= 1:
            raise ValueError(f"semi_axes must exceed one pixel, got {self.semi_axes}")
        if self.semi_axes[0] < self.semi_axes[1]:
            raise ValueError(
                f"semi_axes are (long, short): the first must not be smaller, got {self.semi_axes}"
            )
        if self.pixel_spacing_mm <= 0:
            raise ValueError(f"pixel_spacing_mm must be positive, got {self.pixel_spacing_mm}")
        object.__setattr__(self, "defects", tuple(self.defects))
        for defect in self.defects:
            if not isinstance(defect, Ellipse):
                raise ValueError(f"defects must be Ellipse objects, got {defect!r}")

    @property
    def short_axis_mm(self) -> float:
        """The short-axis diameter of the node in millimetres."""
        return 2 * self.semi_axes[1] * self.pixel_spacing_mm

    @property
    def long_axis_mm(self) -> float:
        """The long-axis diameter of the node in millimetres."""
        return 2 * self.semi_axes[0] * self.pixel_spacing_mm

    def node_coordinates(self) -> tuple[np.ndarray, np.ndarray]:
        """``(u, v)`` of every pixel: positions along the long and short axes in semi-axes.

        Returns
        -------
        u : numpy.ndarray, shape (height, width)
            Position along the long axis, as a fraction of the long semi-axis.
        v : numpy.ndarray, shape (height, width)
            Position along the short axis, as a fraction of the short semi-axis.
        """
        rows, cols = np.indices(self.shape, dtype=float)
        dy = self.center[0] - rows  # image rows grow downwards; v grows upwards
        dx = cols - self.center[1]
        angle = np.deg2rad(self.angle_deg)
        along = dx * np.cos(angle) + dy * np.sin(angle)
        across = -dx * np.sin(angle) + dy * np.cos(angle)
        return along / self.semi_axes[0], across / self.semi_axes[1]

    def maps(self) -> NodeMaps:
        """The masks and distance maps of this geometry.

        Returns
        -------
        NodeMaps
            Node, hilum, defect and tissue masks and the distance maps.
        """
        u, v = self.node_coordinates()
        radius = np.hypot(u, v)
        node = radius <= 1.0
        # The hilum enters from the middle of the lower long side (v = -1).
        hilum_region = Ellipse((0.0, -0.8), (0.3, 0.45))
        hilum = node & hilum_region.contains(u, v) if self.fatty_hilum else np.zeros_like(node)
        defect = np.zeros_like(node)
        for ellipse in self.defects:
            defect |= node & ellipse.contains(u, v)
        # Distance from the hilar entry point, in pixels, scaled to 1 at the farthest node pixel.
        du = u * self.semi_axes[0]
        dv = (v + 1.0) * self.semi_axes[1]
        from_hilum = np.hypot(du, dv)
        from_hilum = from_hilum / from_hilum[node].max()
        return NodeMaps(
            node=node,
            hilum=hilum,
            defect=defect,
            tissue=~node,
            radius=radius,
            from_hilum=from_hilum,
        )


@dataclass(frozen=True, repr=False)
class NodeMaps:
    """Pixel maps of a :class:`NodeGeometry`.

    Attributes
    ----------
    node, hilum, defect, tissue : numpy.ndarray of bool
        The node (inside the capsule), its fatty hilum, its non-enhancing defects, and the
        surrounding tissue (everything outside the node).
    radius : numpy.ndarray of float
        Elliptical radius: 0 at the node centre, 1 on the capsule.
    from_hilum : numpy.ndarray of float
        Distance from the hilar entry point, 1 at the node pixel farthest from it.
    """

    node: np.ndarray
    hilum: np.ndarray
    defect: np.ndarray
    tissue: np.ndarray
    radius: np.ndarray
    from_hilum: np.ndarray

    def __repr__(self) -> str:
        return (
            f"NodeMaps(shape={self.node.shape}, node={int(self.node.sum())} px, "
            f"hilum={int(self.hilum.sum())} px, defect={int(self.defect.sum())} px)"
        )
