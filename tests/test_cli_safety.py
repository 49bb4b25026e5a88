"""The command line's safety contract, case by case: what it refuses, what it never touches,
the modes it creates files with, and the one message it gives for hostile input.

Each message is checked whole: ``error: PATH: what is wrong``, naming the user's path.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ceuslib.cli import main
from ceuslib.cohort import simulate_cohort


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A valid study (20 patients: every accuracy table has counts in each cell)."""
    return simulate_cohort(20, seed=3).write(tmp_path_factory.mktemp("pristine") / "study")


@pytest.fixture
def study(pristine, tmp_path) -> Path:
    """A copy of the study's four files and dictionary, as a user's folder holds them."""
    folder = tmp_path / "study"
    folder.mkdir()
    for name in ("screening.csv", "patients.csv", "nodes.csv", "tics.csv", "data_dictionary.csv"):
        shutil.copyfile(pristine / name, folder / name)
    return folder


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


REPORT = ("--n-boot", "100")


# --- never delete or overwrite what the command did not create -------------------------


def test_report_refuses_a_folder_holding_a_users_file(study, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    for force in ([], ["--force"]):
        code, _, err = run(capsys, "report", study, "--out", out, *REPORT, *force)
        assert code == 1
        assert err == (
            f"error: {out}: is not empty and is not an earlier report written by ceuslib "
            "(it holds keep.txt); nothing was changed\n"
        )
    assert files(out) == {"keep.txt": b"mine"}


def test_report_refuses_to_write_onto_its_input(study, capsys) -> None:
    before = files(study)
    code, _, err = run(capsys, "report", study, "--out", study, *REPORT, "--force")
    assert (code, err) == (1, f"error: {study}: is the input {study}; write the output elsewhere\n")
    assert files(study) == before


def test_report_refuses_the_working_folder_that_holds_the_input(
    study, tmp_path, monkeypatch, capsys
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "report", "study", "--out", ".", *REPORT)
    assert (code, err) == (1, "error: .: holds the input study; write the output elsewhere\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "study"]


def test_report_replaces_its_own_earlier_report_only_with_force(study, tmp_path, capsys) -> None:
    out = tmp_path / "report"
    assert run(capsys, "report", study, "--out", out, *REPORT)[0] == 0
    code, _, err = run(capsys, "report", study, "--out", out, *REPORT)
    assert (code, err) == (
        1,
        f"error: {out}: holds an earlier report written by ceuslib; pass --force to replace it\n",
    )
    assert run(capsys, "report", study, "--out", out, *REPORT, "--force")[0] == 0
    (out / "mine.txt").write_text("mine")
    code, _, err = run(capsys, "report", study, "--out", out, *REPORT, "--force")
    assert (code, err) == (
        1,
        f"error: {out}: holds an earlier report written by ceuslib and other files "
        "(mine.txt); it is not replaced, even with --force\n",
    )
    assert (out / "mine.txt").read_text() == "mine" and (out / "index.html").is_file()


def test_simulate_never_writes_over_a_study_it_did_not_write(study, capsys) -> None:
    before = files(study)
    for force in ([], ["--force"]):
        code, _, err = run(capsys, "simulate", "--patients", "3", "--out", study, *force)
        assert code == 1
        assert err == (
            f"error: {study}: is not empty and is not an earlier cohort written by ceuslib "
            "(it holds data_dictionary.csv, nodes.csv, patients.csv and 2 more); nothing was "
            "changed\n"
        )
    assert files(study) == before


def test_fit_refuses_to_overwrite_its_own_input(study, capsys) -> None:
    before = files(study)
    out = study / "tics.csv"
    code, _, err = run(capsys, "fit", study, "--out", out, "--force")
    assert (code, err) == (
        1,
        f"error: {out}: lies inside the input {study}; write the output elsewhere\n",
    )
    assert files(study) == before


def test_fit_replaces_only_a_file_that_starts_with_its_header(study, tmp_path, capsys) -> None:
    out = tmp_path / "fits.csv"
    out.write_text("node_id,my own notes\n")
    code, _, err = run(capsys, "fit", study, "--out", out, "--force")
    assert (code, err) == (
        1,
        f"error: {out}: exists and is not an earlier fit written by ceuslib; nothing was changed\n",
    )
    assert out.read_text() == "node_id,my own notes\n"
    out.unlink()
    assert run(capsys, "fit", study, "--out", out, "--model", "gamma")[0] == 0
    code, _, err = run(capsys, "fit", study, "--out", out)
    assert (code, err) == (
        1,
        f"error: {out}: holds an earlier fit written by ceuslib; pass --force to replace it\n",
    )
    assert run(capsys, "fit", study, "--out", out, "--force")[0] == 0
    assert pd.read_csv(out)["model"].eq("lognormal").all()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fits.csv", "study"]


@pytest.mark.parametrize("command", ["simulate", "report"])
def test_an_out_that_is_a_file_is_one_plain_message(command, study, tmp_path, capsys) -> None:
    out = tmp_path / "taken"
    out.write_text("mine")
    args = ["simulate", "--patients", "3"] if command == "simulate" else ["report", study]
    code, _, err = run(capsys, *args, "--out", out)
    assert (code, err) == (1, f"error: {out}: is a file, not a folder\n")
    assert out.read_text() == "mine"


def test_a_failed_write_names_the_users_path_and_leaves_nothing(
    study, tmp_path, monkeypatch, capsys
) -> None:
    import ceuslib.outputs

    def full(path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(ceuslib.outputs, "write_new", full)
    out = tmp_path / "fits.csv"
    code, _, err = run(capsys, "fit", study, "--out", out)
    assert (code, err) == (1, f"error: {out}: cannot be written: No space left on device\n")
    code, _, err = run(capsys, "simulate", "--patients", "3", "--out", tmp_path / "c")
    assert (code, err) == (
        1,
        f"error: {tmp_path / 'c'}: cannot be written: No space left on device\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study"]


# --- the umask applies -------------------------------------------------------------


def modes(path: Path) -> set[tuple[str, int]]:
    found = {("dir" if path.is_dir() else "file", stat.S_IMODE(path.stat().st_mode))}
    if path.is_dir():
        for item in path.rglob("*"):
            found.add(("dir" if item.is_dir() else "file", stat.S_IMODE(item.stat().st_mode)))
    return found


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_outputs_are_created_with_the_umask(umask, study, tmp_path, capsys) -> None:
    old = os.umask(umask)
    try:
        assert run(capsys, "simulate", "--patients", "3", "--out", tmp_path / "c")[0] == 0
        assert run(capsys, "fit", study, "--out", tmp_path / "f.csv")[0] == 0
        if umask == 0o077:
            assert run(capsys, "report", study, "--out", tmp_path / "r", *REPORT)[0] == 0
    finally:
        os.umask(old)
    for name in ("c", "f.csv", "r"):
        if (tmp_path / name).exists():
            assert modes(tmp_path / name) <= {("dir", 0o777 & ~umask), ("file", 0o666 & ~umask)}


# --- hostile input: one message, exit 1, nothing written ------------------------------


def rewrite(path: Path, transform) -> None:
    path.write_bytes(transform(path.read_bytes()))


@pytest.mark.parametrize("command", ["validate", "fit", "report"])
@pytest.mark.parametrize(
    ("file", "transform", "problem"),
    [
        (
            "nodes.csv",
            lambda data: data.replace(b",left,", b',"left,', 1),
            "a quoted cell is not closed before the end of the file (a stray quote?)",
        ),
        (
            "patients.csv",
            lambda data: data.replace(b"\n", b"\n" + b"x" * 200_000, 1),
            "a cell is longer than 131072 characters (a stray quote?)",
        ),
        (
            "tics.csv",
            lambda data: data.split(b"\n", 1)[0] + b"\n",
            "tics.csv: has no data rows: every node examined with CEUS needs its curve",
        ),
        ("screening.csv", lambda data: data[:40] + b"\0" + data[40:], "holds a NUL byte"),
    ],
    ids=["stray-quote", "huge-cell", "header-only-curves", "nul-byte"],
)
def test_hostile_files_give_one_message_in_every_command(
    command, file, transform, problem, study, tmp_path, capsys
) -> None:
    rewrite(study / file, transform)
    out = tmp_path / ("fits.csv" if command == "fit" else "report")
    args = [command, study]
    if command != "validate":
        args += ["--out", out]
    if command == "report":
        args += list(REPORT)
    code, stdout, err = run(capsys, *args)
    assert code == 1 and stdout == ""
    assert err.startswith("error: 1 problem in the input data:\n") and problem in err
    assert "Traceback" not in err and not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study"]


def test_a_study_folder_whose_name_is_not_utf8(study, tmp_path, capsys) -> None:
    odd = tmp_path / os.fsdecode(b"study-\xff")
    study.rename(odd)
    code, out, _ = run(capsys, "validate", odd)
    assert code == 0 and out.startswith(f"{tmp_path}/study-\ufffd: valid (Cohort(")
    assert run(capsys, "report", odd, "--out", tmp_path / "r", *REPORT)[0] == 0
    assert "study-\ufffd" in (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    (odd / "nodes.csv").unlink()
    code, _, err = run(capsys, "validate", odd)
    assert (code, err) == (
        1,
        f"error: 1 problem in the input data:\n  nodes.csv: file is missing from "
        f"{tmp_path}/study-\ufffd\n",
    )


def test_an_imaged_node_without_its_curve_stops_fit_and_report(study, tmp_path, capsys) -> None:
    tics = pd.read_csv(study / "tics.csv")
    first = tics["node_id"].iloc[0]
    tics[tics["node_id"] != first].to_csv(study / "tics.csv", index=False)
    row = pd.read_csv(study / "nodes.csv")["node_id"].tolist().index(first) + 1
    line = (
        f"  nodes.csv, row {row}, column 'node_id': value '{first}': examined with CEUS "
        "(ceus_imaged is yes) but tics.csv has no curve for this node\n"
    )
    for args in (
        ["fit", study, "--out", tmp_path / "f.csv"],
        ["report", study, "--out", tmp_path / "r", *REPORT],
    ):
        code, _, err = run(capsys, *args)
        assert (code, err) == (1, "error: 1 problem in the input data:\n" + line)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda t: t.assign(intensity=np.round(10 * np.log10(t["intensity"] / 1e-5), 2)),
            "no curve rises to 2 times its lowest value",
        ),
        (
            lambda t: t.assign(unit="db"),
            "every value lies in 0 to 1 dB",
        ),
        (
            lambda t: t.assign(time_s=np.round(t["time_s"] / 60, 5)),
            "the curve lasts less than 10 s",
        ),
    ],
    ids=["db-declared-linear", "linear-declared-db", "minutes"],
)
def test_wrong_units_stop_fit(change, problem, study, tmp_path, capsys) -> None:
    change(pd.read_csv(study / "tics.csv")).to_csv(study / "tics.csv", index=False)
    code, _, err = run(capsys, "fit", study, "--out", tmp_path / "f.csv")
    assert code == 1 and problem in err and not (tmp_path / "f.csv").exists()


def test_fit_assumes_no_saturation_level_unless_the_data_declare_one(study, tmp_path, capsys):
    tics = pd.read_csv(study / "tics.csv")
    tics.assign(intensity=tics["intensity"] * 10).to_csv(study / "tics.csv", index=False)
    assert run(capsys, "fit", study, "--out", tmp_path / "a.csv")[0] == 0
    flags = pd.read_csv(tmp_path / "a.csv", keep_default_na=False)["flag"]
    assert not flags.str.contains("clipped").any(), "linear a.u. above 1.0 are not saturated"
    top = tics["intensity"] / tics["intensity"].max()
    tics.assign(intensity=top.round(5), unit="normalized").to_csv(study / "tics.csv", index=False)
    assert run(capsys, "fit", study, "--out", tmp_path / "b.csv")[0] == 0
    flags = pd.read_csv(tmp_path / "b.csv", keep_default_na=False)["flag"]
    assert flags.str.contains("clipped or saturated").sum() == 1, "normalized data declare 1.0"


def test_an_unknown_model_is_a_misused_command_line(study, tmp_path, capsys) -> None:
    code, _, err = run(capsys, "fit", study, "--out", tmp_path / "f.csv", "--model", "spline")
    assert code == 2 and err.startswith("error: unknown model 'spline'")
