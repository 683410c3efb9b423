"""Writes never destroy: Module.save, viz.write and the CLI go through one safe writer."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from _chainrule_files import NotRegularFileError, write_atomic
from autograd import Value
from chainrule.cli import main
from nn import MLP
from viz import draw, write

ROOT = Path(__file__).resolve().parent.parent

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
    assert leftovers(tmp_path) == [f".m.json.{child.pid}.0.tmp"]
    MLP(1, [1]).save(path)
    assert leftovers(tmp_path) == []
    assert MLP.load(path).n_in == 1


def test_a_live_writers_temporary_file_is_left_alone(tmp_path: Path) -> None:
    mine = tmp_path / f".m.json.{os.getppid()}.0.tmp"  # the parent process is alive
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
