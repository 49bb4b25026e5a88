"""The output contract's module: what it recognises as its own, what it refuses, and how it
puts an output in place (with and without an atomic exchange of folders)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

import ceuslib.filesystem
import ceuslib.outputs
from ceuslib.filesystem import PARTIAL, atomic_path
from ceuslib.outputs import (
    MARKER,
    OLD,
    OutputError,
    file_target,
    first_line_is,
    folder_target,
    shown,
    staged_folder,
    write_file,
)


def write_report(out: Path, files: dict[str, str], *, force: bool = False) -> Path:
    with staged_folder(folder_target(out, kind="report", force=force)) as staged:
        for name, text in files.items():
            staged.write(name, text)
    return out


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_new_folder_gets_its_files_and_a_marker_listing_them(tmp_path) -> None:
    out = write_report(tmp_path / "r", {"a.csv": "1\n", "figures/b.svg": "<svg/>"})
    assert tree(out) == {
        MARKER: json.dumps({"output": "report", "files": ["a.csv", "figures/b.svg"]}, indent=1)
        + "\n",
        "a.csv": "1\n",
        "figures/b.svg": "<svg/>",
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_an_empty_folder_is_used_without_force(tmp_path) -> None:
    (tmp_path / "r").mkdir()
    write_report(tmp_path / "r", {"a.csv": "1\n"})
    assert (tmp_path / "r" / "a.csv").read_text() == "1\n"


def test_a_file_of_the_users_nested_in_an_earlier_output_is_never_replaced(tmp_path) -> None:
    out = write_report(tmp_path / "r", {"figures/b.svg": "<svg/>"})
    (out / "figures" / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"other files \(figures/notes.txt\)"):
        write_report(out, {"a.csv": "2\n"}, force=True)
    assert (out / "figures" / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize(
    "marker",
    ['{"output": "cohort", "files": []}', "not json", '{"output": "report", "files": "a.csv"}'],
    ids=["another-kind", "not-json", "files-not-a-list"],
)
def test_a_marker_of_another_kind_or_unreadable_is_not_ours(marker, tmp_path) -> None:
    out = tmp_path / "r"
    out.mkdir()
    (out / MARKER).write_text(marker)
    with pytest.raises(OutputError, match="is not an earlier report written by ceuslib"):
        write_report(out, {"a.csv": "1\n"}, force=True)
    assert (out / MARKER).read_text() == marker


def test_refusals_change_nothing(tmp_path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(OutputError, match="link: is a symbolic link; give the path it points to"):
        folder_target(tmp_path / "link", kind="report")
    with pytest.raises(OutputError, match="the root folder cannot be an output"):
        folder_target("/", kind="report")
    with pytest.raises(OutputError, match="the output path is empty"):
        folder_target("", kind="report")
    with pytest.raises(OutputError, match="real: is a folder; give the name of the file"):
        file_target(tmp_path / "real", kind="fit", recognise=first_line_is(["x"]))
    data = tmp_path / "data"
    data.mkdir()
    for out, words in ((data, "is the input"), (data / "x", "lies inside the input")):
        with pytest.raises(OutputError, match=words):
            folder_target(out, kind="report", inputs=[data])
    with pytest.raises(OutputError, match="holds the input"):
        folder_target(tmp_path, kind="report", inputs=[data])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "link", "real"]


def test_an_output_that_appears_while_the_command_works_is_not_replaced(tmp_path) -> None:
    out = tmp_path / "r"
    target = folder_target(out, kind="report")
    with pytest.raises(OutputError, match="is not empty and is not an earlier report"):
        with staged_folder(target) as staged:
            staged.write("a.csv", "1\n")
            out.mkdir()
            (out / "theirs.txt").write_text("theirs")
    assert tree(out) == {"theirs.txt": "theirs"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_without_an_atomic_exchange_a_kill_between_the_renames_is_put_back(
    tmp_path, monkeypatch
) -> None:
    """Where the system cannot exchange folders, the old output is renamed aside first; a run
    killed between the two renames leaves it there, and the next run puts it back first."""

    class Killed(BaseException):
        pass

    monkeypatch.setattr(ceuslib.outputs, "exchange", lambda a, b: False)
    out = write_report(tmp_path / "r", {"a.csv": "old\n"})
    old = tree(out)
    renames = []

    def hook(action, path):
        if action == "rename":
            renames.append(path)
            if len(renames) == 2:
                raise Killed

    monkeypatch.setattr(ceuslib.filesystem, "fault_hook", hook)
    with pytest.raises(Killed):
        write_report(out, {"a.csv": "new\n"}, force=True)
    monkeypatch.setattr(ceuslib.filesystem, "fault_hook", None)
    assert not out.exists()
    assert tree(tmp_path / ("r" + OLD)) == old
    assert (tmp_path / ("r" + PARTIAL) / "a.csv").read_text() == "new\n"
    write_report(out, {"a.csv": "newer\n"}, force=True)
    assert (out / "a.csv").read_text() == "newer\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_a_file_output_is_recognised_by_its_first_line(tmp_path) -> None:
    mine = first_line_is(["node_id,pe"])
    path = tmp_path / "fits.csv"
    for text, ours in (
        ("node_id,pe\nA,1\n", True),
        ("\ufeffnode_id,pe\r\nA,1\r\n", True),
        ("node_id,pe,notes\n", False),
        ("", False),
    ):
        path.write_text(text, encoding="utf-8", newline="")
        assert mine(path) is ours, text
    assert mine(tmp_path / "absent.csv") is False
    path.write_text("node_id,pe\n")
    assert write_file(
        file_target(path, kind="fit", recognise=mine, force=True), "node_id,pe\nB,2\n"
    )
    assert path.read_text() == "node_id,pe\nB,2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fits.csv"]


def test_a_file_output_under_a_file_is_one_message(tmp_path) -> None:
    (tmp_path / "plain").write_text("x")
    with pytest.raises(OutputError, match=r"fits\.csv: cannot be written: .*plain is not a folder"):
        file_target(tmp_path / "plain" / "fits.csv", kind="fit", recognise=first_line_is([]))


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_files_and_folders_honour_the_umask(umask, tmp_path) -> None:
    old = os.umask(umask)
    try:
        write_report(tmp_path / "r", {"a.csv": "1\n", "sub/b.csv": "2\n"})
        with atomic_path(tmp_path / "single.txt") as partial:
            partial.write_text("x")
    finally:
        os.umask(old)
    for path in [tmp_path / "r", *(tmp_path / "r").rglob("*"), tmp_path / "single.txt"]:
        expected = (0o777 if path.is_dir() else 0o666) & ~umask
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_atomic_path_removes_a_leftover_and_names_it_clearly(tmp_path) -> None:
    (tmp_path / ("a.txt" + PARTIAL)).write_text("from a killed run")
    with atomic_path(tmp_path / "a.txt") as partial:
        assert partial.name == "a.txt" + PARTIAL and not partial.exists()
        partial.write_text("whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_shown_paths_can_always_be_printed() -> None:
    assert shown(os.fsdecode(b"/data/\xffstudy")) == "/data/\ufffdstudy"
    assert shown(Path("report")) == "report"
