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
    except OSError as error:  # a name too long, a folder that may not be read, ...
        raise type(error)(error.errno, f"cannot write {path}: {error.strerror}") from None
    if not stat.S_ISREG(mode):
        shown = Path(f"{path} (a symlink to {target})") if path.is_symlink() else path
        raise NotRegularFileError(shown, _kind(mode))
    return target


_TEMPORARY = re.compile(r"\.chainrule\.(\d+)\.\d+\.tmp")
"""A temporary file's name, ``.chainrule.PID.N.tmp``: short, so that beside a file
whose name has the longest length allowed (255 bytes) it still fits."""


def _remove_stale(folder: Path) -> None:
    """Remove the temporary files in ``folder`` of writers that no longer run (a kill -9)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        m = _TEMPORARY.fullmatch(name)
        if m is None or int(m[1]) == os.getpid():
            continue
        try:
            os.kill(int(m[1]), 0)
        except ProcessLookupError:  # that writer is gone: its file is garbage
            stale = folder / name
            if stale.is_file() and not stale.is_symlink():
                stale.unlink(missing_ok=True)
        except (PermissionError, OverflowError):  # alive (another user's), or not a pid
            continue


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and safely; return the path of the file written.

    - The bytes go to a temporary file ``.chainrule.PID.N.tmp`` beside the target
      (a short name: it fits wherever the target's name fits), which then replaces
      the target in one ``os.replace``: a crash leaves the old file or the new one,
      never half of one, and a failure (a full disk, say) leaves no temporary file
      and raises OSError naming ``path`` and saying that nothing was changed. A
      temporary file left by a writer that was killed (``kill -9``) is removed by
      the next write into the same folder.
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
    _remove_stale(target.parent)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        mode = 0o666 & ~mask
    while True:
        with _lock:
            n = next(_counter)
        tmp = target.parent / f".chainrule.{os.getpid()}.{n}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            break
        except FileExistsError:  # left by an earlier process that had this pid: the next n
            continue
        except OSError as error:  # name the file asked for, not the temporary one
            raise type(error)(error.errno, f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as error:
        tmp.unlink(missing_ok=True)
        if not isinstance(error, OSError):  # Ctrl-C, say: as it came
            raise
        # a full disk, say: name the file asked for, not the temporary one
        message = f"cannot write {path}: {error.strerror or error}; nothing was changed"
        raise (OSError(error.errno, message) if error.errno else OSError(message)) from None
    return target
