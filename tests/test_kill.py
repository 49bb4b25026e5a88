"""Kill every writing command at every step it takes, and check that nothing is lost.

``ceuslib.filesystem.fault_hook`` is called before every change the output contract makes
(create, write, fsync, rename, exchange, remove).  Each test first counts the steps of a
clean run, then runs the command again once per step, stopped at that step, and checks:

- the input study and a file of the user's beside the output are untouched;
- the output is either the old one (or absent, when there was none) or the new one, whole;
- at most one leftover exists, ``OUT.ceuslib-partial``;
- the next run succeeds, gives the new output, and removes the leftover.

In-process the stop is an exception that no cleanup code catches (as a kill would run
none); a few steps are also checked with a real ``SIGKILL`` in a subprocess.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import ceuslib.cohort
import ceuslib.filesystem
import ceuslib.plots.report
import ceuslib.report
from ceuslib.cli import main
from ceuslib.cohort import simulate_cohort
from ceuslib.filesystem import PARTIAL


class Killed(BaseException):
    """Stops a command at a step; no ``except Exception`` (no cleanup) catches it."""


def snapshot(path: Path) -> dict[str, bytes] | None:
    """Every file under ``path`` (or ``path`` itself) as bytes; ``None`` when it is absent."""
    if not path.exists():
        return None
    if path.is_file():
        return {"": path.read_bytes()}
    return {
        p.relative_to(path).as_posix(): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def run(argv: list[str], monkeypatch, stop_at: int | None = None) -> list[tuple[str, str]]:
    """Run the command line; stop it at step ``stop_at``; return the steps taken."""
    steps: list[tuple[str, str]] = []

    def hook(action: str, path: Path) -> None:
        if stop_at is not None and len(steps) == stop_at:
            raise Killed(action, path)
        steps.append((action, Path(path).name))

    monkeypatch.setattr(ceuslib.filesystem, "fault_hook", hook)
    try:
        code = main(argv)
    except Killed:
        return steps
    finally:
        monkeypatch.setattr(ceuslib.filesystem, "fault_hook", None)
    assert stop_at is None, f"the run ended (code {code}) before step {stop_at}"
    assert code == 0
    return steps


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    return simulate_cohort(20, seed=3).write(tmp_path_factory.mktemp("input") / "study")


@pytest.fixture(scope="module")
def computed(study, tmp_path_factory):
    """What the commands compute, computed once: the cohorts, the study read, the reports and
    their figures.  The in-process kill runs use them, so that each of their many runs only
    writes (the subprocess runs below compute everything)."""
    from ceuslib.cohort import read_cohort

    cohort = read_cohort(study)
    reports = {seed: ceuslib.report.build_report(cohort, n_boot=100, seed=seed) for seed in (1, 2)}
    figures = {}
    for seed, report in reports.items():
        folder = tmp_path_factory.mktemp("figures")
        captions = ceuslib.plots.report.save_report_figures(report, folder)
        figures[seed] = captions, {p.name: p.read_bytes() for p in folder.iterdir()}
    simulated = {(n, seed): simulate_cohort(n, seed=seed) for n, seed in ((3, 1), (4, 2))}
    return cohort, simulated, reports, figures


@pytest.fixture
def writes_only(computed, monkeypatch):
    """The commands with their computations replaced by the results computed once."""
    cohort, simulated, reports, figures = computed

    def draw(report, folder):
        captions, files = figures[report.seed]
        for name, data in files.items():
            (Path(folder) / name).write_bytes(data)
        return captions

    monkeypatch.setattr(ceuslib.cohort, "read_cohort", lambda directory: cohort)
    monkeypatch.setattr(
        ceuslib.cohort, "simulate_cohort", lambda n, seed, **options: simulated[n, seed]
    )
    monkeypatch.setattr(ceuslib.report, "build_report", lambda data, **kw: reports[kw["seed"]])
    monkeypatch.setattr(ceuslib.plots.report, "save_report_figures", draw)
    # A kill is not a power cut: what fsync guards against is not tested here.
    monkeypatch.setattr(os, "fsync", lambda handle: None)


def commands(kind: str, study: Path, out: Path) -> tuple[list[str], list[str]]:
    """The arguments that write an earlier output, and those that write the new one
    (``--out`` last)."""
    if kind == "simulate":
        return (
            ["simulate", "--patients", "3", "--seed", "1", "--out", str(out)],
            ["simulate", "--patients", "4", "--seed", "2", "--out", str(out)],
        )
    if kind == "fit":
        return (
            ["fit", str(study), "--model", "gamma", "--out", str(out)],
            ["fit", str(study), "--out", str(out)],
        )
    return (
        ["report", str(study), "--n-boot", "100", "--seed", "2", "--out", str(out)],
        ["report", str(study), "--n-boot", "100", "--seed", "1", "--out", str(out)],
    )


@pytest.mark.parametrize("kind", ["simulate", "fit", "report"])
@pytest.mark.parametrize("earlier", [False, True], ids=["new", "replacing"])
def test_a_kill_at_any_step_loses_nothing(
    kind, earlier, study, writes_only, tmp_path, monkeypatch
) -> None:
    work = tmp_path / "work"
    out = work / ("fits.csv" if kind == "fit" else "out")
    old_args, new_args = commands(kind, study, out)
    force = ["--force"] if earlier else []
    inputs = snapshot(study)
    pristine = tmp_path / "pristine"
    pristine.mkdir()
    (pristine / "notes.txt").write_text("the user's own file")
    if earlier:
        run([*old_args[:-1], str(pristine / out.name)], monkeypatch)
    shutil.copytree(pristine, work)
    old = snapshot(out)
    steps = run([*new_args, *force], monkeypatch)
    new = snapshot(out)
    assert new is not None and new != old
    actions = {action for action, _ in steps}
    assert actions >= {"create", "write", "fsync"}
    if earlier and kind != "fit":
        assert "exchange" in actions and "remove" in actions
    failures = []
    for stop in range(len(steps)):
        shutil.rmtree(work)
        shutil.copytree(pristine, work)
        run([*new_args, *force], monkeypatch, stop_at=stop)
        state = snapshot(out)
        leftovers = sorted(p.name for p in work.iterdir())
        allowed = {"notes.txt", out.name, out.name + PARTIAL}
        problems = []
        if state not in (old, new):
            problems.append("the output is neither the old one nor the new one")
        if not set(leftovers) <= allowed:
            problems.append(f"unexpected entries {leftovers}")
        if (work / "notes.txt").read_text() != "the user's own file":
            problems.append("the user's file changed")
        if snapshot(study) != inputs:
            problems.append("the input changed")
        try:
            run([*new_args, "--force"] if state is not None else new_args, monkeypatch)
        except AssertionError:
            problems.append("the next run failed")
        if snapshot(out) != new or sorted(p.name for p in work.iterdir()) != sorted(
            {"notes.txt", out.name}
        ):
            problems.append("the next run did not give the new output alone")
        if problems:
            failures.append(f"stopped before step {stop} {steps[stop]}: {'; '.join(problems)}")
    assert not failures, "\n".join(failures)
    assert len(steps) >= (5 if kind == "fit" else 20)


KILLER = """
import os, signal, sys
import ceuslib.cohort
import ceuslib.filesystem
stop, count = int(sys.argv[1]), [0]
def hook(action, path):
    if count[0] == stop:
        os.kill(os.getpid(), signal.SIGKILL)
    count[0] += 1
ceuslib.filesystem.fault_hook = hook
from ceuslib.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("kind", ["simulate", "fit", "report"])
def test_a_real_sigkill_leaves_the_old_or_the_new_output(kind, study, tmp_path, monkeypatch):
    """SIGKILL in a subprocess at three steps: a write, the swap into place, the removal of the
    old output; the state matches what the in-process kills check."""
    out = tmp_path / ("fits.csv" if kind == "fit" else "out")
    old_args, new_args = commands(kind, study, out)
    pristine = tmp_path / "pristine"
    run([*old_args[:-1], str(pristine)], monkeypatch)
    shutil.copytree(pristine, out) if pristine.is_dir() else shutil.copy(pristine, out)
    old = snapshot(out)
    steps = run([*new_args, "--force"], monkeypatch)
    new = snapshot(out)
    swap = next(i for i, (action, _) in enumerate(steps) if action in ("exchange", "rename"))
    chosen = [steps.index(next(s for s in steps if s[0] == "write")), swap]
    if swap + 1 < len(steps):
        chosen.append(swap + 1)
    for stop in chosen:
        if pristine.is_dir():
            shutil.rmtree(out)
            shutil.copytree(pristine, out)
        else:
            shutil.copy(pristine, out)
        result = subprocess.run(
            [sys.executable, "-c", KILLER, str(stop), *new_args, "--force"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == -signal.SIGKILL, result.stderr
        assert snapshot(out) == (old if stop <= swap else new), f"step {stop} {steps[stop]}"
        assert {p.name for p in tmp_path.iterdir()} <= {
            "pristine",
            out.name,
            out.name + PARTIAL,
        }
        run([*new_args, "--force"], monkeypatch)
        assert snapshot(out) == new
        assert not (tmp_path / (out.name + PARTIAL)).exists()


def test_a_kill_while_importing_parameters_loses_nothing(tmp_path, monkeypatch) -> None:
    """``import-parameters`` writes one file into the study folder: a kill at any step leaves
    the old or the new ``parameters.csv`` (or none), the study's other files untouched."""
    from ceuslib.cohort import read_cohort
    from ceuslib.cohort.parameters import fitted_parameters

    monkeypatch.setattr(os, "fsync", lambda handle: None)
    source = simulate_cohort(6, seed=3)
    pristine = source.write(tmp_path / "pristine")
    (pristine / "tics.csv").unlink()
    table = fitted_parameters(source)
    label = table["node_id"] + table["roi"].map({"node": "", "reference": " ref"})
    export = tmp_path / "export.csv"
    names = {
        "pe": "PE",
        "wiauc": "WiAUC",
        "rt": "RT",
        "mttl": "mTTl",
        "ttp": "TTP",
        "wir": "WiR",
        "wipi": "WiPI",
        "woauc": "WoAUC",
        "wiwoauc": "WiWoAUC",
        "ft": "FT",
        "wor": "WoR",
        "qof": "QOF",
    }
    table[list(names)].rename(columns=names).assign(ROI=label).to_csv(export, index=False)
    old_export = tmp_path / "old.csv"
    first = table[list(names)].rename(columns=names).assign(ROI=label).iloc[:2]
    first.to_csv(old_export, index=False)
    study = tmp_path / "study"
    args = ["import-parameters", str(export), "--study", str(study), "--force"]
    shutil.copytree(pristine, study)
    run(["import-parameters", str(old_export), "--study", str(study)], monkeypatch)
    before = snapshot(study)
    old = (study / "parameters.csv").read_bytes()
    steps = run(args, monkeypatch)
    new = (study / "parameters.csv").read_bytes()
    assert new != old and len(read_cohort(study).parameters) == len(table)
    after = snapshot(study)
    failures = []
    for stop in range(len(steps)):
        shutil.rmtree(study)
        shutil.copytree(pristine, study)
        (study / "parameters.csv").write_bytes(old)
        run(args, monkeypatch, stop_at=stop)
        state = snapshot(study)
        state.pop("parameters.csv" + PARTIAL, None)
        if state not in (before, after):
            failures.append(f"stopped before step {stop} {steps[stop]}: neither old nor new")
        run(args, monkeypatch)
        if snapshot(study) != after:
            failures.append(f"stopped before step {stop} {steps[stop]}: next run differs")
    assert not failures, "\n".join(failures)
    assert len(steps) >= 4
