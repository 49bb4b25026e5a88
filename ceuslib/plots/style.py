"""The one look of every figure: Okabe-Ito colours, a white background, text legible on a phone.

Every figure of the book and of the methods supplement is drawn with these settings (:data:`RC`,
matplotlib rcParams):

- colours of the Okabe-Ito palette (:mod:`ceuslib.plots.palette`), series in the order of
  its ``SERIES``, each series also told apart by line style (:data:`LINE_STYLES`) or
  marker, so that no meaning rests on colour alone; reference lines (chance, "treat all")
  in :data:`GREY`;
- a white, opaque background for the figure, the axes and saved files, so that a figure reads
  the same on the book's dark theme;
- no top and right spines, no legend frame, lines 2 pt wide;
- text of at least :data:`MIN_FONT_SIZE` (10 pt) at the figure's own size: 11 pt for text and
  axis labels, 10 pt for tick labels and legends, 12 pt for titles;
- fixed SVG element ids (``svg.hashsalt``), so the same figure gives the same file.

:func:`style_context` applies them around the code that draws and saves a figure (the methods
supplement does so); :func:`book_style`, called once in a chapter's setup cell, applies them
for the rest of the chapter, keeps the text of SVG files as text (``svg.fonttype = "none"``:
sharp at any zoom, searchable) and makes the notebook show its figures as SVG
(:data:`BOOK_FORMAT`), which MyST-NB embeds in the page with the alt text of the cell.
:func:`small_text` lists the text of a figure that is smaller than :data:`MIN_FONT_SIZE`.

Examples
--------
>>> import matplotlib.pyplot as plt
>>> from matplotlib.colors import to_hex
>>> with style_context():
...     fig, ax = plt.subplots()
...     _ = ax.plot([0, 1], [0, 1], label="a")
...     _ = ax.legend()
>>> to_hex(fig.get_facecolor()), ax.spines["top"].get_visible()
('#ffffff', False)
>>> small_text(fig)
[]
>>> plt.close(fig)
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from types import MappingProxyType

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.text import Text

from ceuslib.plots.palette import SERIES

__all__ = [
    "BOOK_FORMAT",
    "BOOK_RC",
    "GREY",
    "LINE_STYLES",
    "MIN_FONT_SIZE",
    "RC",
    "book_style",
    "small_text",
    "style_context",
]

#: Reference lines (chance diagonal, perfect calibration, "dissect all"): a mid grey with
#: 4.0:1 contrast on white.
GREY = "#7F7F7F"

#: Line styles given to series with the colours of :data:`SERIES`, in order: solid, dashed,
#: dash-dot-dot, dotted, long dashes.
LINE_STYLES = ("-", "--", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)), (0, (8, 2)))

#: The smallest text, in points at the figure's own size, that a figure may hold.
MIN_FONT_SIZE = 10.0

#: The rcParams of every figure.
RC = MappingProxyType(
    {
        "figure.facecolor": "white",
        "figure.edgecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "savefig.edgecolor": "white",
        "savefig.transparent": False,
        "axes.prop_cycle": mpl.cycler(color=SERIES),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 11.0,
        "axes.labelsize": 11.0,
        "axes.titlesize": 12.0,
        "figure.titlesize": 12.0,
        "xtick.labelsize": 10.0,
        "ytick.labelsize": 10.0,
        "legend.fontsize": 10.0,
        "legend.title_fontsize": 10.0,
        "legend.frameon": False,
        "lines.linewidth": 2.0,
        "svg.hashsalt": "ceuslib",
    }
)

#: :data:`RC` with the SVG text kept as text, for the book's figures.
BOOK_RC = MappingProxyType({**RC, "svg.fonttype": "none"})

#: The format in which the book's notebooks show their figures.
BOOK_FORMAT = "svg"


@contextlib.contextmanager
def style_context() -> Iterator[None]:
    """Draw and save the figures made inside the block with :data:`RC`.

    Matplotlib reads some settings (tick labels) when a figure is drawn, so keep the saving
    of a figure inside the block too.

    Yields
    ------
    None
        The block runs with the book's settings.

    Examples
    --------
    >>> with style_context():
    ...     plt.rcParams["legend.fontsize"]
    10.0
    """
    with plt.rc_context(dict(RC)):
        yield


def book_style() -> None:
    """Give the rest of a chapter the book's figure style, with figures shown as SVG.

    Call it once in the setup cell of a chapter.  It sets :data:`BOOK_RC` (the settings of
    :data:`RC` with ``svg.fonttype = "none"``) and, inside IPython, makes the inline
    backend render figures as :data:`BOOK_FORMAT` without a date in the file, so the same
    chapter gives the same figures.  Outside IPython only the rcParams are set.

    Examples
    --------
    >>> saved = dict(plt.rcParams)
    >>> book_style()
    >>> plt.rcParams["svg.fonttype"], plt.rcParams["axes.spines.top"]
    ('none', False)
    >>> plt.rcParams.update(saved)
    """
    mpl.rcParams.update(BOOK_RC)
    shell = sys.modules.get("IPython")
    if shell is None or shell.get_ipython() is None:
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats(BOOK_FORMAT, metadata={"Date": None})


def small_text(figure: Figure) -> list[tuple[str, float]]:
    """The visible text of a figure smaller than :data:`MIN_FONT_SIZE`.

    The figure is drawn first, so that tick labels exist; text inside a hidden artist (the
    tick labels of an axis turned off) is not counted.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure to check.

    Returns
    -------
    list of (str, float)
        Each text that is too small and its size in points, in drawing order.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> _ = ax.text(0.5, 0.5, "fine print", fontsize=8)
    >>> _ = ax.set_xticks([])
    >>> _ = ax.set_yticks([])
    >>> small_text(fig)
    [('fine print', 8.0)]
    >>> plt.close(fig)
    """
    figure.canvas.draw()
    return [
        (text.get_text(), float(text.get_fontsize()))
        for text in _visible_text(figure)
        if text.get_text().strip() and text.get_fontsize() < MIN_FONT_SIZE
    ]


def _visible_text(artist: Artist) -> Iterator[Text]:
    """The text artists under ``artist`` that are drawn: visible, as is every parent."""
    if not artist.get_visible():
        return
    if isinstance(artist, Text):
        yield artist
    for child in artist.get_children():
        yield from _visible_text(child)
