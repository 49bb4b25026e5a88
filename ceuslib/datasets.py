"""Where the book's data live.

The shipped cohort is synthetic and lives in ``data/synthetic`` at the repository root.
Set the environment variable ``CEUSLIB_DATA`` to a folder of files in the same format to
run every chapter, and every function that takes no explicit path, on other data (a
study's own export, for instance); nothing else needs to change.
"""

from __future__ import annotations

import os
from pathlib import Path

from ceuslib.errors import DataError

ENV_VAR = "CEUSLIB_DATA"
SYNTHETIC_DIR = Path(__file__).resolve().parents[1] / "data" / "synthetic"


def data_dir() -> Path:
    """The folder the book reads its data from.

    Returns
    -------
    pathlib.Path
        ``$CEUSLIB_DATA`` when it is set and not empty, otherwise the shipped synthetic
        data.

    Raises
    ------
    DataError
        If the folder does not exist.

    Examples
    --------
    >>> data_dir() == SYNTHETIC_DIR or "CEUSLIB_DATA" in os.environ
    True
    """
    override = os.environ.get(ENV_VAR, "").strip()
    folder = Path(override).expanduser().resolve() if override else SYNTHETIC_DIR
    if not folder.is_dir():
        origin = f"${ENV_VAR}" if override else "the shipped synthetic data folder"
        raise DataError(f"{origin} points to {folder}, which is not a folder")
    return folder


def is_synthetic() -> bool:
    """Whether :func:`data_dir` is the shipped synthetic data (no ``CEUSLIB_DATA`` override).

    Returns
    -------
    bool
        True without the override.

    Examples
    --------
    >>> isinstance(is_synthetic(), bool)
    True
    """
    return data_dir() == SYNTHETIC_DIR.resolve()


def data_path(name: str) -> Path:
    """The path of one data file, checked to exist.

    Parameters
    ----------
    name : str
        A file name relative to :func:`data_dir`, such as ``"nodes.csv"``.

    Returns
    -------
    pathlib.Path
        The file's path.

    Raises
    ------
    DataError
        If the file does not exist; the message names the folder and the override variable.

    Examples
    --------
    >>> data_path("README.md").name
    'README.md'
    """
    path = data_dir() / name
    if not path.is_file():
        raise DataError(
            f"{name}: not found in {data_dir()} (set ${ENV_VAR} to the folder that holds it)"
        )
    return path
