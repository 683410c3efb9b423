"""Writing a file so that nothing is ever destroyed: the one writer of nn and viz.

Standard library only, and importing nothing of chainrule's, so that ``nn`` and
``viz`` can both use it without importing each other. Every file chainrule
writes (``Module.save``, ``viz.write``, the command line's outputs) goes through
:func:`write_atomic`.
"""

from __future__ import annotations

import os
import re
import stat
import threading
from itertools import count
from pathlib import Path

__all__ = ["NotRegularFileError", "check_target", "write_atomic"]

_counter = count()
_lock = threading.Lock()


class NotRegularFileError(OSError):
    """The path names something that is not a regular file; chainrule will not replace it.

    >>> print(NotRegularFileError(Path("/tmp/x"), "a FIFO"))
    refusing to write /tmp/x: it is a FIFO, not a regular file; choose a path to a regular file
    """

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(
            f"refusing to write {path}: it is {kind}, not a regular file; "
            "choose a path to a regular file"
        )
        self.path = path


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def check_target(path: str | os.PathLike[str]) -> Path:
    """The file that writing ``path`` would replace, checked; raises OSError if it is unsafe.

    A symlink is followed: its target gets the new content and the link stays.
    The target must be a regular file or not exist yet, and its directory must
    exist; otherwise :class:`NotRegularFileError` or ``FileNotFoundError`` says so.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> check_target(folder / "new.txt") == folder.resolve() / "new.txt"
    True
    >>> check_target(folder)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    _chainrule_files.NotRegularFileError: refusing to write ...: it is a directory, not ...
    """
    path = Path(path)
    try:
        target = path.resolve()  # follows every symlink, including one whose target is missing
    except (OSError, RuntimeError) as error:  # a symlink loop
        raise OSError(f"cannot write {path}: {error}") from None
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise FileNotFoundError(
                f"cannot write {path}: the directory {target.parent} does not exist"
            ) from None
        return target
    if not stat.S_ISREG(mode):
        shown = path if path == target else Path(f"{path} (a symlink to {target})")
        raise NotRegularFileError(shown, _kind(mode))
    return target


def _remove_stale(target: Path) -> None:
    """Remove temporary files of ``target`` left by writers that no longer run (a kill -9)."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(\d+)\.\d+\.tmp")
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        m = pattern.fullmatch(name)
        if m is None or int(m[1]) == os.getpid():
            continue
        try:
            os.kill(int(m[1]), 0)
        except ProcessLookupError:  # that writer is gone: its file is garbage
            stale = target.parent / name
            if stale.is_file() and not stale.is_symlink():
                stale.unlink(missing_ok=True)
        except (PermissionError, OverflowError):  # alive (another user's), or not a pid
            continue


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and safely; return the path of the file written.

    - The bytes go to a temporary file ``.NAME.PID.N.tmp`` beside the target,
      which then replaces it in one ``os.replace``: a crash leaves the old file or
      the new one, never half of one, and a failure leaves no temporary file. A
      temporary file left by a writer that was killed (``kill -9``) is removed by
      the next write of the same file.
    - Only a regular file is ever replaced (:func:`check_target`): a device node,
      a FIFO, a socket or a directory is refused with :class:`NotRegularFileError`,
      also behind a symlink; a symlink to a regular file is written through.
    - An existing file keeps its permissions; a new one gets what ``open()`` gives.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = write_atomic(path, b"one")
    >>> path.chmod(0o600)
    >>> _ = write_atomic(path, b"two")
    >>> path.read_bytes(), oct(path.stat().st_mode & 0o777), [p.name for p in path.parent.iterdir()]
    (b'two', '0o600', ['x.txt'])
    """
    target = check_target(path)
    _remove_stale(target)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        mode = 0o666 & ~mask
    with _lock:
        n = next(_counter)
    tmp = target.parent / f".{target.name}.{os.getpid()}.{n}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:  # name the file asked for, not the temporary one
        raise type(error)(error.errno, f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
