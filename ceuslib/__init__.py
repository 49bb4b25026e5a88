"""ceuslib: CEUS of cervical lymph nodes after neoadjuvant chemo-immunotherapy.

The library behind the teaching book: synthetic and real-format cohorts, CEUS
time-intensity curves, and the diagnostic-accuracy and decision statistics the book uses.
"""

from importlib.metadata import PackageNotFoundError, version

from ceuslib.deprecation import install_moved_modules
from ceuslib.errors import DataError, Problem

install_moved_modules()  # the old module names of ceuslib.deprecation.MOVED, for one release

try:
    __version__ = version("ceuslib")
except PackageNotFoundError:  # pragma: no cover - running from a source tree not installed
    __version__ = "0+unknown"

__all__ = ["DataError", "Problem", "__version__"]
