"""Figures of the book and of the methods supplement, by family, in one style.

The only part of ``ceuslib`` that imports matplotlib; nothing else imports it, so ``import
ceuslib`` and the computations stay free of it.  Each family draws from the results of the
layer below and returns the figure or axes:

- :mod:`ceuslib.plots.style`: the one look of every figure (Okabe-Ito colours from
  :mod:`ceuslib.plots.palette`, white background, sizes, the book's SVG format) and
  :func:`~ceuslib.plots.style.book_style`, which a chapter calls once in its setup cell;
- :mod:`ceuslib.plots.study`: the STARD 2015 participant flow;
- :mod:`ceuslib.plots.accuracy`: ROC curves;
- :mod:`ceuslib.plots.decision`: decision curves and calibration plots;
- ``ceuslib.plots.perfusion``: the signal chain, bolus models, annotated fits, region
  curves with their fits and a study's curves by reference standard;
- ``ceuslib.plots.features``: loops over time, regions on a frame, parametric maps and
  reader agreement;
- :mod:`ceuslib.plots.report`: the figures of the methods supplement, saved as PNG and SVG.
"""

from ceuslib.plots.style import book_style, style_context

__all__ = ["book_style", "style_context"]
