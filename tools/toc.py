"""Read the chapters listed in ``_toc.yml`` (Jupyter Book 1 format)."""

from __future__ import annotations

from pathlib import Path

import yaml


def _entries(node: object) -> list[str]:
    files: list[str] = []
    if isinstance(node, dict):
        for key in ("root", "file"):
            if key in node:
                files.append(str(node[key]))
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key, []) or []:
                files.extend(_entries(child))
    elif isinstance(node, list):
        for child in node:
            files.extend(_entries(child))
    return files


def toc_files(root: Path) -> list[str]:
    """Every document of ``_toc.yml``, in book order, as written there (no suffix)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    return _entries(toc)


def toc_chapters(root: Path) -> list[Path]:
    """The executable chapters: toc entries whose ``.md`` source has code cells.

    Pages without a ``{code-cell}`` (the bibliography, say) are plain MyST pages.
    A toc entry without a ``.md`` source raises ``FileNotFoundError``.
    """
    chapters = []
    for entry in toc_files(root):
        source = root / f"{entry}.md"
        if not source.exists():
            raise FileNotFoundError(f"_toc.yml lists {entry!r} but {source} does not exist")
        if "```{code-cell}" in source.read_text(encoding="utf-8"):
            chapters.append(source)
    return chapters
