"""The file-system steps the output contract (:mod:`ceuslib.outputs`) is built from.

Each step announces itself to :data:`fault_hook` before it changes anything, so that the
kill tests can stop a command at every one in turn: create a file and write it in two
halves, remove a file or folder one entry at a time, rename, exchange two folders in one
system call, sync a folder.  :func:`atomic_path` writes one file whole or not at all, for
library functions that write a file the caller named.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

PARTIAL = ".ceuslib-partial"
"""Suffix of the name under which an output is staged (and an old one removed)."""

fault_hook: Callable[[str, Path], None] | None = None
"""Called with ``(action, path)`` before every change this module makes to the file system
(``mkdir``, ``create``, ``write``, ``fsync``, ``rename``, ``exchange``, ``remove``).  The kill
tests set it to stop the process at each step in turn; it is ``None`` otherwise."""


def step(action: str, path: Path) -> None:
    """Tell :data:`fault_hook`, if set, that ``action`` on ``path`` comes next."""
    if fault_hook is not None:
        fault_hook(action, path)


def write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (it must not exist) with the default mode, write ``data``, sync it.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "a.csv"
    >>> write_new(path, b"a,b\\n")
    >>> path.read_bytes()
    b'a,b\\n'
    """
    step("create", path)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        for part in (view[: len(view) // 2], view[len(view) // 2 :]):
            step("write", path)
            while part:
                part = part[os.write(handle, part) :]
        step("fsync", path)
        os.fsync(handle)
    finally:
        os.close(handle)


def remove(path: Path) -> None:
    """Remove a file or a whole folder, one entry at a time (symbolic links, not their targets).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "sub").mkdir()
    >>> _ = (folder / "sub" / "a.csv").write_text("x")
    >>> remove(folder / "sub")
    >>> list(folder.iterdir())
    []
    """
    if not os.path.lexists(path):
        return
    if path.is_dir() and not path.is_symlink():
        for root, dirs, files in os.walk(path, topdown=False):
            for name in files + [d for d in dirs if (Path(root) / d).is_symlink()]:
                step("remove", Path(root) / name)
                os.unlink(Path(root) / name)
            for name in dirs:
                if not (Path(root) / name).is_symlink():
                    step("remove", Path(root) / name)
                    os.rmdir(Path(root) / name)
        step("remove", path)
        os.rmdir(path)
    else:
        step("remove", path)
        os.unlink(path)


@functools.cache
def _swap_call():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - a system without a C library to load
        return None
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        call = libc.renameat2
        return lambda a, b: call(-100, a, -100, b, 2)  # AT_FDCWD, RENAME_EXCHANGE
    if sys.platform == "darwin" and hasattr(libc, "renamex_np"):  # pragma: no cover
        call = libc.renamex_np
        return lambda a, b: call(a, b, 2)  # RENAME_SWAP
    return None  # pragma: no cover


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one system call; ``False`` where the system cannot.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("old", "new"):
    ...     (folder / name).mkdir()
    ...     _ = (folder / name / f"{name}.txt").write_text(name)
    >>> if exchange(folder / "new", folder / "old"):  # Linux and macOS
    ...     print(sorted(p.name for p in (folder / "old").iterdir()))
    ['new.txt']
    """
    call = _swap_call()
    if call is None:  # pragma: no cover
        return False
    if call(os.fsencode(a), os.fsencode(b)) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), os.fspath(b))


def sync_folder(folder: Path) -> None:
    """Ask the system to store ``folder``'s entries (a rename in it survives a power cut).

    Examples
    --------
    >>> import tempfile
    >>> sync_folder(Path(tempfile.mkdtemp()))
    """
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - systems that cannot open folders
        return
    try:
        os.fsync(handle)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(handle)


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A path beside ``path`` (``NAME.ceuslib-partial``) that replaces it when the block succeeds.

    For library functions that write one file the caller named (a TIC export, a DICOM file):
    write to the yielded path inside the ``with`` block; on success it is renamed over
    ``path``, on an exception it is removed and ``path`` is left as it was.  The parent folder
    is created if needed; the file gets the default mode (the umask applies).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_path(folder / "a.txt") as tmp:
    ...     _ = tmp.write_text("whole")
    >>> (folder / "a.txt").read_text()
    'whole'
    >>> try:
    ...     with atomic_path(folder / "b.txt") as tmp:
    ...         _ = tmp.write_text("half")
    ...         raise RuntimeError("disk full")
    ... except RuntimeError:
    ...     pass
    >>> sorted(p.name for p in folder.iterdir())
    ['a.txt']
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + PARTIAL)
    remove(partial)
    try:
        yield partial
        os.replace(partial, path)
    except Exception:
        try:
            remove(partial)
        except OSError:  # pragma: no cover - the next call removes it
            pass
        raise
