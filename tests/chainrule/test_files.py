"""Writes never destroy: Module.save, viz.write and the CLI go through one safe writer."""

from __future__ import annotations

import errno
import io
import os
import re
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from itertools import count
from pathlib import Path

import pytest

import _chainrule_files
from _chainrule_files import NotRegularFileError, write_atomic
from autograd import Value
from chainrule.cli import main
from nn import MLP
from viz import StepThrough, draw, step_through, write

ROOT = Path(__file__).resolve().parents[2]

# the three writers, each given a path: the library's two and the command line's
WRITERS: dict[str, Callable[[Path], object]] = {
    "write_atomic": lambda path: write_atomic(path, b"new"),
    "Module.save": lambda path: MLP(1, [1]).save(path),
    "viz.write": lambda path: (
        write(draw(Value(1.0, "x") * 2), path.with_suffix(".dot"))
        if path.suffix
        else write(draw(Value(1.0, "x") * 2), path, format="dot")
    ),
}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def device_node(tmp_path: Path, name: str = "null") -> Path:
    """A character device like /dev/null, made in tmp_path (root only)."""
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root; the FIFO tests cover the same code path")
    node = tmp_path / name
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return node


@pytest.mark.parametrize("writer", WRITERS)
def test_a_fifo_is_refused_and_stays_a_fifo(tmp_path: Path, writer: str) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFileError, match=r"it is a FIFO, not a regular file"):
        WRITERS[writer](fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("writer", WRITERS)
def test_a_device_node_is_refused_and_stays_a_device(tmp_path: Path, writer: str) -> None:
    node = device_node(tmp_path)
    with pytest.raises(NotRegularFileError, match=r"it is a character device"):
        WRITERS[writer](node)
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_a_symlink_to_a_fifo_is_refused_and_both_stay(tmp_path: Path) -> None:
    fifo, link = tmp_path / "pipe", tmp_path / "model.json"
    os.mkfifo(fifo)
    link.symlink_to(fifo)
    with pytest.raises(
        NotRegularFileError, match=r"model.json \(a symlink to .*pipe\): it is a FIFO"
    ):
        MLP(1, [1]).save(link)
    assert link.is_symlink()
    assert stat.S_ISFIFO(os.stat(link).st_mode)


def test_a_relative_path_to_a_fifo_is_called_what_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    os.mkfifo("m.json")
    os.symlink("m.json", "link.json")
    with pytest.raises(NotRegularFileError) as refused:
        MLP(1, [1]).save("m.json")
    assert str(refused.value).startswith("refusing to write m.json: it is a FIFO, not a regular")
    with pytest.raises(NotRegularFileError) as refused:
        MLP(1, [1]).save("link.json")
    assert str(refused.value).startswith(
        f"refusing to write link.json (a symlink to {tmp_path.resolve() / 'm.json'}): it is a FIFO"
    )
    assert stat.S_ISFIFO(os.lstat("m.json").st_mode)
    assert os.path.islink("link.json")


def test_a_symlink_to_a_regular_file_is_written_through(tmp_path: Path) -> None:
    target, link = tmp_path / "real.json", tmp_path / "model.json"
    target.write_text("old")
    link.symlink_to(target)
    MLP(1, [1]).save(link)
    assert link.is_symlink()
    assert MLP.load(target).state_dict() == MLP(1, [1]).state_dict()


def test_an_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text("old")
    path.chmod(0o600)
    MLP(1, [1]).save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o640)
    write(draw(Value(1.0)), path.with_name("g.dot"))
    write_atomic(path, b"x")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_new_file_gets_what_open_would_give(tmp_path: Path) -> None:
    mask = os.umask(0o027)
    try:
        MLP(1, [1]).save(tmp_path / "m.json")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "m.json").stat().st_mode) == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.json"
    path.write_text("old")

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="No space left"):
        MLP(1, [1]).save(path)
    assert path.read_text() == "old"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("writer", WRITERS)
class FullDisk(io.FileIO):
    """A file on a full disk: every write fails."""

    def write(self, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def full(*args: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("failing", ["write", "fsync", "replace"])
def test_a_full_disk_names_the_file_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: str, failing: str
) -> None:
    path = tmp_path / "m.dot"
    path.write_text("old")
    if failing == "write":
        monkeypatch.setattr(os, "fdopen", lambda fd, mode: FullDisk(fd, mode))
    else:
        monkeypatch.setattr(os, failing, full)
    expected = f"cannot write {path}: No space left on device; nothing was changed"
    with pytest.raises(OSError, match=re.escape(expected)) as failed:
        WRITERS[writer](path)
    assert failed.value.errno == errno.ENOSPC
    assert path.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_a_full_disk_is_one_line_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(os, "fsync", full)
    assert main(["grad", "x*x", "x=1", "--svg", str(tmp_path / "g.dot")]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"chainrule grad: error: [Errno 28] cannot write {tmp_path / 'g.dot'}: "
        "No space left on device; nothing was changed\n"
    )
    assert list(tmp_path.iterdir()) == []


def long_name(size: int, char: str, suffix: str) -> str:
    """A file name of exactly ``size`` bytes in UTF-8: ``char`` repeated, then ``suffix``."""
    room = size - len(suffix)
    name = char * (room // len(char.encode())) + "a" * (room % len(char.encode())) + suffix
    assert len(name.encode()) == size
    return name


def page() -> StepThrough:
    return step_through(Value(2.0, "x") * 3, svg="<svg></svg>")


# every writer, given a file name that ends as it needs: (suffix, write, the file's text)
NAMED_WRITERS: dict[str, tuple[str, Callable[[Path], object], str]] = {
    "write_atomic": (".txt", lambda path: write_atomic(path, b"new"), "new"),
    "Module.save": (".json", lambda path: MLP(1, [1], seed=3).save(path), '"chainrule.nn"'),
    "viz.write": (".dot", lambda path: write(draw(Value(1.0, "x") * 2), path), "digraph"),
    "StepThrough.write": (".html", lambda path: page().write(path), "<!DOCTYPE html>"),
    "the command line": (
        ".html",
        lambda path: main(["grad", "x*3", "x=2", "--html", str(path)]),
        "<!DOCTYPE html>",
    ),
}


@pytest.mark.parametrize("writer", NAMED_WRITERS)
@pytest.mark.parametrize("size", [250, 255])
@pytest.mark.parametrize("char", ["a", "é", "€", "😀"])
def test_a_name_of_the_longest_length_allowed_is_written(
    tmp_path: Path, writer: str, size: int, char: str
) -> None:
    suffix, write_to, expected = NAMED_WRITERS[writer]
    path = tmp_path / long_name(size, char, suffix)
    write_to(path)
    assert expected in path.read_text()
    write_to(path)  # and replaced
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_the_demo_writes_into_a_folder_whose_name_has_the_longest_length(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / long_name(255, "é", "")
    assert main(["demo", "--steps", "2", "--out", str(out)]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert {"backprop.html", "model.json"} <= set(written)
    assert not [name for name in written if name.startswith(".")]
    assert MLP.load(out / "model.json").n_in == 2


def test_a_name_one_byte_too_long_is_refused_with_the_name(tmp_path: Path) -> None:
    path = tmp_path / long_name(256, "é", ".json")
    expected = f"cannot write {path}: File name too long"
    with pytest.raises(OSError, match=re.escape(expected)) as refused:
        MLP(1, [1]).save(path)
    assert refused.value.errno == errno.ENAMETOOLONG
    assert list(tmp_path.iterdir()) == []


def test_a_temporary_name_left_by_an_earlier_process_with_this_pid_is_stepped_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_chainrule_files, "_counter", count())
    theirs = [tmp_path / f".chainrule.{os.getpid()}.{n}.tmp" for n in range(3)]
    for file in theirs:
        file.write_text("theirs")
    write_atomic(tmp_path / "m.json", b"mine")
    assert (tmp_path / "m.json").read_bytes() == b"mine"
    assert [file.read_text() for file in theirs] == ["theirs"] * 3


def test_a_missing_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"cannot write .*g\.dot: the directory .*no/such"):
        write(draw(Value(1.0)), tmp_path / "no" / "such" / "g.dot")


def test_a_temporary_file_left_by_kill_9_is_removed_by_the_next_save(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    hang = (
        "import os, sys, time\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import _chainrule_files\n"
        "def stuck(*args):\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(60)\n"
        "os.replace = stuck\n"
        f"_chainrule_files.write_atomic({str(path)!r}, b'half')\n"
    )
    child = subprocess.Popen([sys.executable, "-c", hang], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "writing\n"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert leftovers(tmp_path) == [f".chainrule.{child.pid}.0.tmp"]
    MLP(1, [1]).save(path)
    assert leftovers(tmp_path) == []
    assert MLP.load(path).n_in == 1


def test_a_live_writers_temporary_file_is_left_alone(tmp_path: Path) -> None:
    mine = tmp_path / f".chainrule.{os.getppid()}.0.tmp"  # the parent process is alive
    mine.write_text("in progress")
    write_atomic(tmp_path / "m.json", b"x")
    assert mine.exists()


@pytest.mark.parametrize("kind", ["device", "fifo behind a symlink"])
def test_the_cli_refuses_a_non_regular_file_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    if kind == "device":
        target = device_node(tmp_path, "null.svg")
        expected = "it is a character device, not a regular file"
    else:
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        target = tmp_path / "g.svg"
        target.symlink_to(fifo)
        expected = "it is a FIFO, not a regular file"
    assert main(["grad", "x*x", "x=1", "--svg", str(target)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("f = x*x = 1.0")
    assert err.startswith("chainrule grad: error: refusing to write ")
    assert expected in err
    assert err.count("\n") == 1
    assert not stat.S_ISREG(os.stat(target).st_mode)
