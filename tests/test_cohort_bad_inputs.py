"""The corpus of bad inputs: each case must give exactly the problems it lists."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ceuslib.cli import main
from ceuslib.cohort import read_cohort
from ceuslib.errors import DataError

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and p.name[:2].isdigit())


def build(case: str, tmp_path: Path) -> Path:
    folder = tmp_path / "study"
    source = CORPUS / case
    base = (source / "base.txt").read_text().strip() if (source / "base.txt").exists() else "base"
    shutil.copytree(CORPUS / base, folder)
    for item in source.iterdir():
        if item.name == "base.txt":
            continue
        if item.name == "remove.txt":
            for name in item.read_text().split():
                (folder / name).unlink()
        elif item.name == "links.txt":
            for line in item.read_text().splitlines():
                name, target = line.split()
                (folder / name).unlink()
                (folder / name).symlink_to(target)
        elif item.name == "folders.txt":
            for name in item.read_text().split():
                (folder / name).unlink()
                (folder / name).mkdir()
        elif item.name != "expected.txt":
            shutil.copyfile(item, folder / item.name)
    return folder


def expected(case: str, folder: Path) -> list[str]:
    lines = (CORPUS / case / "expected.txt").read_text().splitlines()
    return [line.replace("<DIR>", str(folder)) for line in lines]


def test_the_corpus_has_at_least_25_kinds() -> None:
    assert len(CASES) >= 25


def test_the_base_cohort_is_valid() -> None:
    cohort = read_cohort(CORPUS / "base")
    assert len(cohort.patients) == 4


def test_the_protocol_base_holds_every_file_and_is_valid() -> None:
    from ceuslib.cohort.dictionary import FILES

    curves = [f for f in FILES if f != "parameters.csv"]  # parameters: base_parameters
    assert sorted(p.name for p in (CORPUS / "base_protocol").iterdir()) == sorted(curves)
    cohort = read_cohort(CORPUS / "base_protocol")
    assert len(cohort.patients) == 4 and cohort.reference_tics is not None


def test_the_parameters_base_is_the_protocol_base_with_parameters_for_curves() -> None:
    from ceuslib.cohort.parameters import fitted_parameters

    cohort = read_cohort(CORPUS / "base_parameters")
    assert len(cohort.tics) == 0 and cohort.parameters is not None
    expected = fitted_parameters(read_cohort(CORPUS / "base_protocol"))
    assert cohort.parameters["node_id"].tolist() == expected["node_id"].tolist()
    assert (cohort.parameters["pe"].to_numpy() == expected["pe"].to_numpy()).all()


@pytest.mark.parametrize("case", CASES)
def test_bad_input_gives_its_message(case: str, tmp_path: Path) -> None:
    folder = build(case, tmp_path)
    with pytest.raises(DataError) as caught:
        read_cohort(folder)
    assert sorted(str(p) for p in caught.value.problems) == sorted(expected(case, folder))


@pytest.mark.parametrize("case", ["08_unknown_code", "02_not_utf8", "46_several_problems_at_once"])
def test_validate_command_lists_every_problem(case, tmp_path, capsys) -> None:
    folder = build(case, tmp_path)
    assert main(["validate", str(folder)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    for line in expected(case, folder):
        assert line in captured.err
