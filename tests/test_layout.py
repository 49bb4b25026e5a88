"""The package's layers: which part of ceuslib may import which, and the moved module names.

The arrows (README, "Architecture"): perfusion and accuracy at the bottom know nothing of
cohorts; cohort uses perfusion; decision uses accuracy; analysis uses cohort, perfusion,
accuracy and decision; report and plots on top; only plots imports matplotlib.
"""

from __future__ import annotations

import ast
import graphlib
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ceuslib"

#: Modules every part may import: the package itself, errors, file writing and the output
#: contract (atomic, filesystem, outputs), data paths, DICOM dataset construction, wording of
#: numbers, the deprecation warning.
BASE = {
    "ceuslib",
    "errors",
    "atomic",
    "filesystem",
    "outputs",
    "datasets",
    "dicom_build",
    "prose",
    "deprecation",
}

#: Old module name -> its new home (each old name warns when imported; ``ceuslib.deprecation``
#: builds it, so no top-level ``plots_*.py`` or other file is left under the old names).
MOVED = {
    "ceuslib.eligibility": "ceuslib.cohort.eligibility",
    "ceuslib.palette": "ceuslib.plots.palette",
    "ceuslib.plots_study": "ceuslib.plots.study",
    "ceuslib.plots_decision": "ceuslib.plots.decision",
    "ceuslib.plots_report": "ceuslib.plots.report",
}

#: Part -> the parts (besides BASE and itself) it may import.
ALLOWED: dict[str, set[str]] = {
    **{name: set() for name in BASE},
    "perfusion": set(),
    "accuracy": set(),
    "cohort": {"perfusion"},
    "decision": {"accuracy"},
    "phantom": {"perfusion", "accuracy"},
    "analysis": {"cohort", "perfusion", "accuracy", "decision"},
    "plots": {"cohort", "perfusion", "accuracy", "decision", "phantom", "analysis"},
    "report_page": set(),
    "report": {"analysis", "cohort", "perfusion", "accuracy", "decision", "plots", "report_page"},
    "importers": {"cohort", "perfusion"},
    "cli": {
        "cohort",
        "perfusion",
        "accuracy",
        "decision",
        "analysis",
        "report",
        "plots",
        "importers",
    },
    "__main__": {"cli"},
    **{old.removeprefix("ceuslib."): {new.split(".")[1]} for old, new in MOVED.items()},
}

#: Parts that may import matplotlib (and libraries built on it).
PLOTTING = {"plots"}
MATPLOTLIB = ("matplotlib", "seaborn", "mpl_toolkits")


def part(module: str) -> str:
    """The part of ``ceuslib`` a dotted module name belongs to (``"ceuslib"`` for the root)."""
    names = module.split(".")
    return names[1] if len(names) > 1 else names[0]


def module_name(path: Path) -> str:
    names = list(path.relative_to(ROOT).with_suffix("").parts)
    if names[-1] == "__init__":
        names.pop()
    return ".".join(names)


def imports(path: Path) -> set[str]:
    """Every module imported by the file, at module level or inside functions."""
    found = set()
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            if module == "ceuslib":  # from ceuslib import cohort: a part, not a name
                found.update(
                    f"ceuslib.{alias.name}"
                    for alias in node.names
                    if (PACKAGE / f"{alias.name}.py").exists() or (PACKAGE / alias.name).is_dir()
                )
    return found


def arrows() -> dict[str, set[str]]:
    """Part -> the other parts of ceuslib it imports, from the source."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        source = part(module_name(path))
        targets = {part(name) for name in imports(path) if name.split(".")[0] == "ceuslib"}
        graph.setdefault(source, set()).update(targets - {source})
    return graph


def forbidden(graph: dict[str, set[str]]) -> list[str]:
    """The arrows of ``graph`` that :data:`ALLOWED` does not allow."""
    return sorted(
        f"{source} -> {target}"
        for source, targets in graph.items()
        for target in targets
        if target not in ALLOWED.get(source, set()) | BASE
    )


# ---------------------------------------------------------------- the checks work


def test_imports_resolve_relative_and_from_package_imports() -> None:
    assert "ceuslib.cohort.eligibility" in imports(PACKAGE / "cohort" / "rules.py")
    assert "matplotlib.pyplot" in imports(PACKAGE / "plots" / "study.py")
    assert "ceuslib.plots.report" in imports(PACKAGE / "report.py")  # imported in a function
    assert part("ceuslib.plots.style") == "plots" and part("ceuslib") == "ceuslib"


def test_the_layer_check_finds_a_back_arrow_and_an_old_name() -> None:
    graph = arrows()
    graph["perfusion"] = graph["perfusion"] | {"cohort"}
    graph["report"] = graph["report"] | {"eligibility"}
    assert forbidden(graph) == ["perfusion -> cohort", "report -> eligibility"]


# ---------------------------------------------------------------- the layers


def test_every_part_has_a_place_in_the_layers() -> None:
    unplaced = sorted(set(arrows()) - set(ALLOWED))
    assert unplaced == [], "give these parts of ceuslib their allowed imports in ALLOWED"


def test_imports_follow_the_layers() -> None:
    assert forbidden(arrows()) == []


def test_the_layers_have_no_cycle() -> None:
    graphlib.TopologicalSorter(arrows()).static_order()  # raises CycleError on a cycle
    graphlib.TopologicalSorter(ALLOWED).static_order()


def test_only_the_plots_import_matplotlib() -> None:
    found = sorted(
        str(path.relative_to(ROOT))
        for path in PACKAGE.rglob("*.py")
        if part(module_name(path)) not in PLOTTING
        and any(name.split(".")[0] in MATPLOTLIB for name in imports(path))
    )
    assert found == []


def test_importing_the_computations_does_not_import_matplotlib() -> None:
    code = (
        "import sys, ceuslib, ceuslib.cohort, ceuslib.cohort.eligibility, ceuslib.perfusion, "
        "ceuslib.accuracy, ceuslib.decision, ceuslib.analysis, ceuslib.phantom, ceuslib.report, "
        "ceuslib.cli; print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# ---------------------------------------------------------------- moved modules


#: Names a moved module gives under another name or from another module than its new home.
RENAMED = {
    ("ceuslib.plots_report", "COLOURS"): ("ceuslib.plots.accuracy", "ROC_COLOURS"),
    ("ceuslib.plots_report", "LINE_STYLES"): ("ceuslib.plots.accuracy", "ROC_LINE_STYLES"),
    ("ceuslib.plots_report", "plot_roc"): ("ceuslib.plots.accuracy", "plot_roc"),
}


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_a_moved_module_warns_and_gives_the_same_objects(old: str, new: str) -> None:
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=rf"{old} has moved to {new}") as caught:
        module = importlib.import_module(old)
    sys.modules.pop(old, None)
    assert [w.filename for w in caught] == [__file__], "the warning points at the importer"
    assert module.__all__
    for name in module.__all__:
        home, home_name = RENAMED.get((old, name), (new, name))
        assert getattr(module, name) is getattr(importlib.import_module(home), home_name), name


def test_a_script_importing_a_moved_module_sees_the_warning() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import ceuslib.eligibility"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "DeprecationWarning: ceuslib.eligibility has moved to ceuslib.cohort.eligibility" in (
        result.stderr
    )


def test_nothing_imports_a_moved_module_by_its_old_name() -> None:
    files = [
        *PACKAGE.rglob("*.py"),
        *(ROOT / "tests").rglob("*.py"),
        *(ROOT / "tools").glob("*.py"),
        *(ROOT / "bench").glob("*.py"),
        *(ROOT / "book").glob("*.md"),
    ]
    # the import hook that builds the old modules names them; no file is left under them
    shims = {PACKAGE / "deprecation.py"}
    assert not [old for old in MOVED if (PACKAGE / f"{old.removeprefix('ceuslib.')}.py").exists()]
    old_names = [*MOVED, *(f"from ceuslib import {old.split('.')[1]}" for old in MOVED)]
    found = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in files
        if path not in shims and path != Path(__file__)
        for name in old_names
        if _mentions(path.read_text(encoding="utf-8"), name)
    )
    assert found == []


def _mentions(text: str, name: str) -> bool:
    """Whether ``text`` names the module ``name`` (not a longer name that starts with it)."""
    start = text.find(name)
    while start != -1:
        end = start + len(name)
        if end == len(text) or not (text[end].isalnum() or text[end] in "_"):
            return True
        start = text.find(name, end)
    return False
