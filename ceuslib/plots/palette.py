"""The Okabe-Ito colour-blind-safe palette: the one definition every figure uses.

The eight colours of Okabe and Ito (2008) by name, as plain hex strings; the order in which
the book's figures give them to series (curves, bars, strategies); and the contrast ratio of
a colour against its background.  The rest of the figure style is :mod:`ceuslib.plots.style`.

Notes
-----
Colours from Okabe M, Ito K. Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people. 2008. https://jfly.uni-koeln.de/color/

Orange, sky blue and yellow have less than 3:1 contrast on white (:func:`contrast_ratio`),
the minimum WCAG 2.1 asks of lines and other graphical objects.  Use them for filled areas,
markers and lines at least 2 pt wide that also differ by line style or marker; yellow is
not in :data:`SERIES`.

Examples
--------
>>> from ceuslib.plots.palette import BLUE, SERIES
>>> BLUE
'#0072B2'
>>> SERIES[:3]
('#0072B2', '#D55E00', '#009E73')
"""

from __future__ import annotations

from types import MappingProxyType

#: Okabe-Ito black.
BLACK = "#000000"
#: Okabe-Ito orange (contrast on white below 3:1).
ORANGE = "#E69F00"
#: Okabe-Ito sky blue (contrast on white below 3:1).
SKY_BLUE = "#56B4E9"
#: Okabe-Ito bluish green.
BLUISH_GREEN = "#009E73"
#: Okabe-Ito yellow (contrast on white below 3:1: not for lines or text on white).
YELLOW = "#F0E442"
#: Okabe-Ito blue.
BLUE = "#0072B2"
#: Okabe-Ito vermillion.
VERMILLION = "#D55E00"
#: Okabe-Ito reddish purple.
REDDISH_PURPLE = "#CC79A7"

#: The eight colours by name, in the order of Okabe and Ito (2008); read-only.
OKABE_ITO = MappingProxyType(
    {
        "black": BLACK,
        "orange": ORANGE,
        "sky blue": SKY_BLUE,
        "bluish green": BLUISH_GREEN,
        "yellow": YELLOW,
        "blue": BLUE,
        "vermillion": VERMILLION,
        "reddish purple": REDDISH_PURPLE,
    }
)

#: The order in which figures colour their series: blue, vermillion, bluish green, orange,
#: reddish purple, sky blue, black.  Yellow is left out (too light on white).
SERIES = (BLUE, VERMILLION, BLUISH_GREEN, ORANGE, REDDISH_PURPLE, SKY_BLUE, BLACK)


def contrast_ratio(foreground: str, background: str = "#FFFFFF") -> float:
    """Contrast ratio of two colours, from 1 (none) to 21 (black on white).

    Parameters
    ----------
    foreground, background : str
        Colours as ``"#RRGGBB"`` hex strings (either case); the background is white
        unless given.

    Returns
    -------
    float
        ``(L1 + 0.05) / (L2 + 0.05)`` with ``L1`` the larger relative luminance.

    Raises
    ------
    ValueError
        If a colour is not a ``"#RRGGBB"`` hex string.

    Notes
    -----
    Relative luminance and contrast ratio as defined by the Web Content Accessibility
    Guidelines (W3C, WCAG 2.1, 2018, https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio):
    each sRGB channel ``c`` in [0, 1] is linearised as ``c / 12.92`` when
    ``c <= 0.03928`` and ``((c + 0.055) / 1.055) ** 2.4`` otherwise, and
    ``L = 0.2126 R + 0.7152 G + 0.0722 B``.  (WCAG 2.2 writes the threshold as 0.04045;
    no 8-bit channel value lies between the two, so the results are the same.)  WCAG asks
    for at least 3:1 for graphical objects such as lines on their background
    (success criterion 1.4.11, non-text contrast).

    Examples
    --------
    >>> contrast_ratio("#000000")
    21.0
    >>> contrast_ratio("#FFFFFF")
    1.0
    >>> round(contrast_ratio(BLUE), 2)
    5.19
    >>> round(contrast_ratio(YELLOW), 2)
    1.32
    """
    lighter, darker = sorted(
        (_relative_luminance(foreground), _relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def _relative_luminance(colour: str) -> float:
    text = colour.strip() if isinstance(colour, str) else ""
    digits = text[1:]
    if len(text) != 7 or text[0] != "#" or any(c not in "0123456789abcdefABCDEF" for c in digits):
        raise ValueError(f"expected a colour as a '#RRGGBB' hex string, got {colour!r}")
    linear = []
    for start in (0, 2, 4):
        c = int(digits[start : start + 2], 16) / 255
        linear.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = linear
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue
