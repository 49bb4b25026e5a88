"""The output contract of every command that writes: ``simulate``, ``fit``, ``report``, the book.

1. **Nothing is deleted or overwritten that the command did not create.**  A folder a command
   writes carries :data:`MARKER`, a small JSON file naming the kind of output and every file
   written (no time stamps, so the same output gives the same bytes).  A target that exists
   and is not empty is replaced only when it is an earlier output of the same kind, ``force``
   is given, and it holds nothing but the files its marker lists.  A single-file output is
   recognised by its first line (the writer says which first lines are its own).
2. **No output goes into, onto or around an input.**
3. **Replacement is atomic.**  The new output is written whole under the name
   ``OUT.ceuslib-partial`` beside ``OUT``, then put in place by one system call: a rename for a
   new folder or any file, an exchange of the two folders (``renameat2`` with
   ``RENAME_EXCHANGE`` on Linux, ``renamex_np`` on macOS) for a folder that exists.  The old
   folder, now under the partial name, is then removed.  A kill at any moment leaves the old or
   the new output whole under its own name, plus at most the partial one, which the next run
   removes.  (Where the system cannot exchange two folders, the old one is first renamed to
   ``OUT.ceuslib-old``; a run killed between the two renames is put back by the next run.)
4. **The umask applies**: folders and files are created with the default modes.

Messages name the path as the user gave it, never the partial one.  Library functions that
write one file the caller named use ``ceuslib.filesystem.atomic_path`` (whole or not at
all, the umask applies).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ceuslib.filesystem import PARTIAL, exchange, remove, step, sync_folder, write_new

MARKER = ".ceuslib-output"
"""The marker file of an output folder."""


OLD = ".ceuslib-old"
"""Suffix of the name of an old output moved aside, on systems that cannot exchange folders."""

NOUNS = {
    "cohort": "cohort written by ceuslib",
    "report": "report written by ceuslib",
    "fit": "fit written by ceuslib",
    "parameters": "parameters.csv written by ceuslib import-parameters",
    "book": "book built by make book",
}
"""How messages name each kind of output."""


class OutputError(Exception):
    """An output that was refused or could not be written; nothing of the user's was lost."""


def shown(path: str | os.PathLike[str]) -> str:
    """``path`` as text that can always be printed (undecodable bytes become U+FFFD).

    Parameters
    ----------
    path : path-like
        A path.

    Returns
    -------
    str
        The path, printable.

    Examples
    --------
    >>> shown(os.fsdecode(b"study-\\xe9"))
    'study-\\ufffd'
    """
    text = os.fspath(path)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass(frozen=True)
class Target:
    """An output path that has passed the contract's checks (see :func:`folder_target`).

    Attributes
    ----------
    path : pathlib.Path
        The output, as an absolute path.
    shown : str
        The path as the user gave it, printable (see :func:`shown`).
    kind : str
        The kind of output (``"cohort"``, ``"report"``, ``"fit"``, ...).
    folder : bool
        Whether the output is a folder (else a file).
    force : bool
        Whether an earlier output of the same kind may be replaced.
    hint : str
        How the user asks for ``force``.
    recognise : callable, optional
        For a file: tells whether an existing file is an earlier output of ``kind``.
    """

    path: Path
    shown: str
    kind: str
    folder: bool
    force: bool
    hint: str
    recognise: Callable[[Path], bool] | None = None

    @property
    def partial(self) -> Path:
        """The name the output is written under before it is put in place."""
        return self.path.with_name(self.path.name + PARTIAL)

    @property
    def noun(self) -> str:
        """How messages name this kind of output."""
        return NOUNS.get(self.kind, f"{self.kind} output")


def folder_target(
    out: str | os.PathLike[str],
    *,
    kind: str,
    inputs: Iterable[str | os.PathLike[str]] = (),
    force: bool = False,
    hint: str = "force=True",
) -> Target:
    """Check that the folder ``out`` may be written by an output of ``kind``.

    Parameters
    ----------
    out : path-like
        The folder to write.  It may be new, empty, or (with ``force``) an earlier output of
        the same ``kind`` holding nothing but the files its marker lists.
    kind : str
        ``"cohort"``, ``"report"``, ``"book"`` (the marker's ``output``).
    inputs : iterable of path-like
        Folders or files the command reads; ``out`` may not be one, lie inside one, or hold one.
    force : bool
        Replace an earlier output of the same kind.
    hint : str
        How the user asks for ``force`` (``"--force"`` on the command line).

    Returns
    -------
    Target
        The checked output path.

    Raises
    ------
    OutputError
        Naming ``out`` and the reason; nothing has been changed.

    Examples
    --------
    >>> import tempfile
    >>> tmp = Path(tempfile.mkdtemp())
    >>> (tmp / "notes.txt").write_text("mine")
    4
    >>> try:
    ...     folder_target(tmp, kind="report")
    ... except OutputError as error:
    ...     print(str(error).replace(str(tmp), "TMP"))
    TMP: is not empty and is not an earlier report written by ceuslib (it holds notes.txt);
    nothing was changed
    """
    target = _target(out, kind=kind, folder=True, force=force, hint=hint)
    _check_inputs(target, inputs)
    _check_existing(target)
    return target


def file_target(
    out: str | os.PathLike[str],
    *,
    kind: str,
    recognise: Callable[[Path], bool],
    inputs: Iterable[str | os.PathLike[str]] = (),
    force: bool = False,
    hint: str = "force=True",
) -> Target:
    """Check that the file ``out`` may be written; as :func:`folder_target` for one file.

    Parameters
    ----------
    out : path-like
        The file to write.
    kind : str
        The kind of output (``"fit"``, ``"cohort"``, ...).
    recognise : callable
        ``recognise(path)`` tells whether an existing file is an earlier output of ``kind``
        (:func:`first_line_is` builds one from the output's header lines).
    inputs : iterable of path-like
        Folders or files the command reads; ``out`` may not be one or lie inside one.
    force : bool
        Replace an earlier output of the same kind.
    hint : str
        How the user asks for ``force`` (``"--force"`` on the command line).

    Returns
    -------
    Target
        The checked output path.

    Raises
    ------
    OutputError
        Naming ``out`` and the reason; nothing has been changed.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "fits.csv"
    >>> _ = path.write_text("node_id,pe\\nA,1\\n")
    >>> mine = first_line_is({"node_id,pe"})
    >>> try:
    ...     file_target(path, kind="fit", recognise=mine, hint="--force")
    ... except OutputError as error:
    ...     print(str(error).replace(str(path), "fits.csv"))
    fits.csv: holds an earlier fit written by ceuslib; pass --force to replace it
    >>> target = file_target(path, kind="fit", recognise=mine, force=True)
    >>> write_file(target, "node_id,pe\\n") == path
    True
    """
    target = _target(out, kind=kind, folder=False, force=force, hint=hint, recognise=recognise)
    _check_inputs(target, inputs)
    _check_existing(target)
    return target


def first_line_is(lines: Iterable[str]) -> Callable[[Path], bool]:
    """A ``recognise`` function: the file's first line, without its line end, is in ``lines``.

    A byte-order mark and a ``\\r\\n`` line end are allowed.

    Parameters
    ----------
    lines : iterable of str
        The header lines an earlier output may start with.

    Returns
    -------
    callable
        ``recognise(path) -> bool``; False for a file that cannot be read.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "fits.csv"
    >>> _ = path.write_bytes(b"node_id,pe\\r\\nA,1\\r\\n")
    >>> first_line_is({"node_id,pe"})(path), first_line_is({"node_id"})(path)
    (True, False)
    """
    allowed = {line.encode("utf-8") for line in lines}
    longest = max((len(line) for line in allowed), default=0) + 2

    def recognise(path: Path) -> bool:
        try:
            with open(path, "rb") as handle:
                first = handle.readline(longest + 1)
        except OSError:
            return False
        return first.removeprefix(b"\xef\xbb\xbf").rstrip(b"\r\n") in allowed

    return recognise


def _target(out, *, kind, folder, force, hint, recognise=None) -> Target:
    text = shown(out)
    if not os.fspath(out):
        raise OutputError("the output path is empty")
    path = Path(os.path.abspath(out))
    if path.parent == path:
        raise OutputError(f"{text}: the root folder cannot be an output")
    return Target(path, text, kind, folder, force, hint, recognise)


def _inside(inner: str, outer: str) -> bool:
    return inner != outer and os.path.commonpath([inner, outer]) == outer


def _check_inputs(target: Target, inputs) -> None:
    out = os.path.realpath(target.path)
    for given in inputs:
        real = os.path.realpath(given)
        where = None
        if out == real:
            where = "is the input"
        elif _inside(out, real):
            where = "lies inside the input"
        elif _inside(real, out):
            where = "holds the input"
        if where:
            raise OutputError(f"{target.shown}: {where} {shown(given)}; write the output elsewhere")


def _listing(names: list[str]) -> str:
    head = ", ".join(names[:3])
    return head + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _check_existing(target: Target) -> None:
    """Raise :class:`OutputError` unless ``target.path`` may be replaced now."""
    path = target.path
    for parent in path.parents:
        if os.path.lexists(parent):
            if not parent.is_dir():
                raise OutputError(
                    f"{target.shown}: cannot be written: {shown(parent)} is not a folder"
                )
            break
    if path.is_symlink():
        raise OutputError(f"{target.shown}: is a symbolic link; give the path it points to")
    if not os.path.lexists(path):
        return
    if target.folder and not path.is_dir():
        raise OutputError(f"{target.shown}: is a file, not a folder")
    if not target.folder:
        if path.is_dir():
            raise OutputError(f"{target.shown}: is a folder; give the name of the file to write")
        if not path.is_file():
            raise OutputError(f"{target.shown}: is not a regular file")
        if not (target.recognise and target.recognise(path)):
            raise OutputError(
                f"{target.shown}: exists and is not an earlier {target.noun}; nothing was changed"
            )
    else:
        try:
            entries = os.listdir(path)
        except OSError as error:
            raise OutputError(f"{target.shown}: cannot be read: {error.strerror}") from None
        if not entries:
            return
        listed = _marker_files(path, target.kind)
        if listed is None:
            raise OutputError(
                f"{target.shown}: is not empty and is not an earlier {target.noun} "
                f"(it holds {_listing(sorted(entries))}); nothing was changed"
            )
        foreign = _foreign(path, listed)
        if foreign:
            raise OutputError(
                f"{target.shown}: holds an earlier {target.noun} and other files "
                f"({_listing(foreign)}); it is not replaced, even with {target.hint}"
            )
    if not target.force:
        raise OutputError(
            f"{target.shown}: holds an earlier {target.noun}; pass {target.hint} to replace it"
        )


def _marker_files(folder: Path, kind: str) -> set[str] | None:
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("output") != kind:
        return None
    files = marker.get("files")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return set(files)


def _walk(folder: Path) -> Iterator[tuple[str, bool]]:
    """``(relative posix path, is a folder)`` for everything under ``folder``."""
    for root, dirs, files in os.walk(folder):
        base = Path(root).relative_to(folder)
        for name in dirs:
            full = Path(root) / name
            yield (base / name).as_posix(), not full.is_symlink()
        for name in files:
            yield (base / name).as_posix(), False


def _foreign(folder: Path, listed: set[str]) -> list[str]:
    parents = {p.as_posix() for name in listed for p in Path(name).parents} - {"."}
    return sorted(
        name
        for name, is_dir in _walk(folder)
        if name != MARKER and name not in listed and not (is_dir and name in parents)
    )


def _recover(target: Target) -> None:
    """Undo what an earlier, killed run left: the partial output, an old one moved aside."""
    old = target.path.with_name(target.path.name + OLD)
    if os.path.lexists(old):
        if os.path.lexists(target.path):
            remove(old)
        else:
            step("rename", old)
            os.rename(old, target.path)
    remove(target.partial)


def _failed(target: Target, error: OSError) -> OutputError:
    return OutputError(f"{target.shown}: cannot be written: {error.strerror or error}")


class StagedFolder:
    """An output folder being written under its partial name (see :func:`staged_folder`).

    Parameters
    ----------
    target : Target
        A folder target (from :func:`folder_target`).
    """

    def __init__(self, target: Target) -> None:
        if not target.folder:
            raise ValueError("a folder target is needed")
        self.target = target
        self.path = target.partial
        try:
            target.path.parent.mkdir(parents=True, exist_ok=True)
            _recover(target)
            step("mkdir", self.path)
            os.mkdir(self.path)
        except OSError as error:
            raise _failed(target, error) from None

    def write(self, name: str, data: bytes | str) -> None:
        """Write the file ``name`` (a relative path) of the output.

        Parameters
        ----------
        name : str
            The file's path inside the output folder.
        data : bytes or str
            Its contents (text is written as UTF-8).
        """
        if isinstance(data, str):
            data = data.encode("utf-8")
        path = self.path / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_new(path, data)
        except OSError as error:
            raise _failed(self.target, error) from None

    def commit(self) -> Path:
        """Write the marker, then put the output in place.

        Returns
        -------
        pathlib.Path
            The output folder.
        """
        target = self.target
        files = sorted(name for name, is_dir in _walk(self.path) if not is_dir and name != MARKER)
        marker = json.dumps({"output": target.kind, "files": files}, indent=1) + "\n"
        self.write(MARKER, marker)
        _check_existing(target)
        try:
            sync_folder(self.path)
            if not os.path.lexists(target.path):
                step("rename", self.path)
                os.rename(self.path, target.path)
            else:
                step("exchange", target.path)
                if not exchange(self.path, target.path):
                    old = target.path.with_name(target.path.name + OLD)
                    step("rename", target.path)
                    os.rename(target.path, old)
                    step("rename", self.path)
                    os.rename(self.path, target.path)
                    self.path = old
            sync_folder(target.path.parent)
        except OSError as error:
            raise _failed(target, error) from None
        try:
            remove(self.path)
        except OSError:  # the new output is in place; the next run removes the old one
            pass
        return target.path

    def discard(self) -> None:
        """Remove what was staged (after a failure that was not a kill)."""
        try:
            remove(self.path)
        except OSError:  # the next run removes it
            pass


@contextmanager
def staged_folder(target: Target) -> Iterator[StagedFolder]:
    """Write an output folder whole or not at all.

    Files written inside the block (with :meth:`StagedFolder.write`, or by any code into
    ``staged.path``) become the output when the block ends; an exception discards them and
    leaves the old output as it was.

    Parameters
    ----------
    target : Target
        A folder target (from :func:`folder_target`).

    Yields
    ------
    StagedFolder
        The folder being written.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "report"
    >>> with staged_folder(folder_target(out, kind="report")) as staged:
    ...     staged.write("table.csv", "a,b\\n1,2\\n")
    >>> sorted(p.name for p in out.iterdir())
    ['.ceuslib-output', 'table.csv']
    >>> print((out / MARKER).read_text(), end="")
    {
     "output": "report",
     "files": [
      "table.csv"
     ]
    }
    >>> with staged_folder(folder_target(out, kind="report", force=True)) as staged:
    ...     staged.write("other.csv", "c\\n3\\n")
    >>> sorted(p.name for p in out.iterdir()), sorted(p.name for p in out.parent.iterdir())
    (['.ceuslib-output', 'other.csv'], ['report'])
    """
    staged = StagedFolder(target)
    try:
        yield staged
    except OSError as error:  # from code writing into staged.path: name the user's path
        staged.discard()
        raise _failed(target, error) from None
    except Exception:
        staged.discard()
        raise
    try:
        staged.commit()
    except Exception:
        staged.discard()
        raise


def write_file(target: Target, data: bytes | str) -> Path:
    """Write a single-file output whole (staged under its partial name, then renamed).

    Parameters
    ----------
    target : Target
        A file target (from :func:`file_target`).
    data : bytes or str
        The contents (text is written as UTF-8).

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "fits.csv"
    >>> target = file_target(path, kind="fit", recognise=first_line_is({"node_id,pe"}))
    >>> write_file(target, "node_id,pe\\nA,1\\n") == path, path.read_text()
    (True, 'node_id,pe\\nA,1\\n')
    """
    if target.folder:
        raise ValueError("a file target is needed")
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        target.path.parent.mkdir(parents=True, exist_ok=True)
        remove(target.partial)
        write_new(target.partial, data)
    except OSError as error:
        _discard(target.partial)
        raise _failed(target, error) from None
    try:
        _check_existing(target)
        step("rename", target.path)
        os.replace(target.partial, target.path)
        sync_folder(target.path.parent)
    except OSError as error:
        _discard(target.partial)
        raise _failed(target, error) from None
    except OutputError:
        _discard(target.partial)
        raise
    return target.path


def _discard(path: Path) -> None:
    try:
        remove(path)
    except OSError:  # pragma: no cover - the next run removes it
        pass
