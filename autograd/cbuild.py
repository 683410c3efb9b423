"""Build printed C with the system's C compiler, cache it, and call it: :class:`CFunction`.

``CFunction(program)`` prints the program's value and gradient as C
(:mod:`autograd.cprint`), compiles it into a shared library with ``cc`` (or ``$CC``)
``-std=c99 -O2 -fPIC -shared -ffp-contract=off -fno-builtin-pow`` (no fast-math, no FMA
contraction; gcc may not rewrite ``pow(x, 2.0)`` as ``x * x``, which is not always libm's
pow), and loads it with :mod:`ctypes`. ctypes is in the standard library, so the C path
needs nothing installed but a compiler; cffi would add a dependency and, in its API
mode, a second compile step, for nothing this fixed ``double *`` interface needs.

The library is cached under ``$XDG_CACHE_HOME/chainrule/c`` (else
``~/.cache/chainrule/c``), named by the SHA-256 of the source, the compiler and the
flags: a second build of the same program loads it without compiling. Each build
writes into a fresh temporary folder and renames its result into place, so two
processes that build the same program at once both succeed and never load half a file.

The cache is bounded: after a build adds a library, the least recently used ones (a
cache hit counts as a use: it sets the file's time) are removed until the cache holds
at most :func:`cache_limit` bytes, ``$CHAINRULE_C_CACHE_LIMIT`` or 200 MB (the notes'
network takes 20 kB, the tape 0.6 MB, the largest program printed as lines about 0.7 MB).
The library just built is kept even alone over the bound. Only this module's files go:
``<hash>.so`` and ``<hash>.c``, whole (they are renamed into place), and a temporary
build folder a day old (its process died); never the folder or anything else in it. A
file another process removed first is no error; one that cannot be removed (a read-only
folder) stays, and the build succeeds. :func:`cache_size` and :func:`clear_cache` show
and empty it.

No compiler, or a failed build: :class:`CBuildError` says what to install or what the
compiler said; :func:`autograd.compile`'s Python is unaffected.
"""

from __future__ import annotations

import array
import contextlib
import ctypes
import hashlib
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from .cprint import PART_SIZE, _checked, print_lines, value_and_grad
from .ctape import TAPE_SOURCE, CTape, print_tape
from .program import Program
from .rule import Rule, as_float

__all__ = [
    "FLAGS",
    "LINES_LIMIT",
    "CBuildError",
    "CFunction",
    "build",
    "cache_dir",
    "cache_limit",
    "cache_size",
    "clear_cache",
    "compiler",
]

LINES_LIMIT = 10_000
"""The largest program (value and gradient equations) printed as lines by default: gcc -O2
builds about 3,000 lines a second, so a larger one is run as a tape (see docs/compiling.md)."""

FLAGS = ("-std=c99", "-O2", "-fPIC", "-shared", "-ffp-contract=off", "-fno-builtin-pow")
_ROW = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.POINTER(ctypes.c_double), ctypes.c_int)
_HOW = (
    "Debian/Ubuntu: sudo apt-get install gcc; Fedora: sudo dnf install gcc; "
    "macOS: xcode-select --install"
)
_INSTALL = (
    f"to_c needs a C compiler: install one ({_HOW}), or name it in the CC environment "
    "variable. compile() without to_c keeps working in Python."
)


class CBuildError(RuntimeError):
    """No C compiler, or the C did not build or load: the message says which and what to do."""


def compiler() -> str:
    """The C compiler to_c runs: ``$CC``, else ``cc``, as a full path; CBuildError if none.

    >>> import os
    >>> os.path.isabs(compiler())  # where a compiler is installed
    True
    """
    name = os.environ.get("CC", "").strip() or "cc"
    found = shutil.which(name)
    if found is None:
        raise CBuildError(f"no C compiler {name!r} on PATH. {_INSTALL}")
    return found


def cache_dir() -> Path:
    """Where built libraries are kept: ``$XDG_CACHE_HOME/chainrule/c``, else
    ``~/.cache/chainrule/c`` (never beside the package).

    >>> cache_dir().parts[-2:]
    ('chainrule', 'c')
    """
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "chainrule" / "c"


_LIMIT, _DEFAULT_LIMIT = "CHAINRULE_C_CACHE_LIMIT", 200_000_000
_UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}
_ENTRY = re.compile(r"[0-9a-f]{40}\.(?:c|so|dll)")  # what build() renames into place
_TEMPORARY = re.compile(r"build-[a-z0-9_]{8}")  # tempfile.mkdtemp(prefix="build-")
_ABANDONED = 24 * 3600.0  # seconds: a build folder untouched this long lost its process


def cache_limit() -> int:
    """The most bytes the C cache keeps: ``$CHAINRULE_C_CACHE_LIMIT``, else 200 MB.

    A number of bytes, or of kB, MB or GB (``k``, ``M``, ``G``: thousands, millions,
    billions; a trailing ``B`` is allowed); ``0`` keeps only the library just built.
    Anything else is a ValueError that says what was given, raised before a build
    changes anything.

    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"CHAINRULE_C_CACHE_LIMIT": "1.5G"}):
    ...     cache_limit()
    1500000000
    >>> with mock.patch.dict(os.environ, {"CHAINRULE_C_CACHE_LIMIT": "lots"}):
    ...     cache_limit()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: CHAINRULE_C_CACHE_LIMIT must be a size ... such as 200M, ...; got 'lots'
    """
    given = os.environ.get(_LIMIT, "")
    if not given.strip():
        return _DEFAULT_LIMIT
    match = re.fullmatch(r"(\d+(?:\.\d*)?)\s*([kmg]?)b?", given.strip(), re.IGNORECASE)
    if match is None:
        raise ValueError(
            f"{_LIMIT} must be a size in bytes, or with k, M or G (thousands, millions, "
            f"billions of bytes), such as 200M, 1.5G or 50000000; got {given!r}"
        )
    return int(float(match[1]) * _UNITS[match[2].lower()])


class _Entry(NamedTuple):
    """A cached library with its C source: when it was last used, its bytes, its files."""

    used: float
    size: int
    files: list[Path]


def _listed(
    folder: Path, pattern: re.Pattern[str], folders: bool
) -> list[tuple[os.DirEntry[str], os.stat_result]]:
    """``(entry, stat)`` of each file (or each of the ``folders``) in ``folder`` whose
    name ``pattern`` matches, never through a symlink; one another process removed since
    the listing is left out, and so is everything of a folder that cannot be read."""
    try:
        listing = list(os.scandir(folder))
    except OSError:  # no cache yet, or not readable: nothing of ours to see
        return []
    found: list[tuple[os.DirEntry[str], os.stat_result]] = []
    for item in listing:
        if not pattern.fullmatch(item.name):
            continue
        try:
            of_its_kind = item.is_dir if folders else item.is_file
            if of_its_kind(follow_symlinks=False):
                found.append((item, item.stat(follow_symlinks=False)))
        except OSError:  # removed by another process since the listing
            continue
    return found


def _entries(folder: Path) -> dict[str, _Entry]:
    """This module's libraries in ``folder``, by name; nothing else that is there."""
    found: dict[str, _Entry] = {}
    for item, stat in _listed(folder, _ENTRY, folders=False):
        name = item.name.split(".")[0]
        used, size, files = found.get(name, _Entry(0.0, 0, []))
        files.append(Path(item.path))
        found[name] = _Entry(max(used, stat.st_mtime), size + stat.st_size, files)
    return found


def _remove(entry: _Entry) -> bool:
    """Remove an entry, the library before its source; whether it is gone."""
    gone = True
    for file in sorted(entry.files, key=lambda f: f.suffix == ".c"):
        try:
            file.unlink()
        except FileNotFoundError:  # another process removed it first
            pass
        except OSError:  # a read-only folder, a library Windows keeps open: it stays
            gone = False
    return gone


def _remove_abandoned(folder: Path) -> None:
    """Remove the temporary build folders of processes that died (a day untouched);
    a build in progress writes into its folder and is never that old."""
    for item, stat in _listed(folder, _TEMPORARY, folders=True):
        if time.time() - stat.st_mtime > _ABANDONED:
            shutil.rmtree(item.path, ignore_errors=True)


def _prune(folder: Path, limit: int, keep: str) -> None:
    """Remove the least recently used libraries until the cache holds ``limit`` bytes,
    never the library ``keep`` (the one just built)."""
    entries = _entries(folder)
    total = sum(entry.size for entry in entries.values())
    for name, entry in sorted(entries.items(), key=lambda item: (item[1].used, item[0])):
        if total <= limit:
            break
        if name != keep and _remove(entry):
            total -= entry.size
    _remove_abandoned(folder)


def cache_size() -> int:
    """The bytes the C cache holds: the built libraries and their C sources.

    >>> import os, tempfile
    >>> from unittest import mock
    >>> from autograd import Value, trace
    >>> with tempfile.TemporaryDirectory() as home, mock.patch.dict(
    ...     os.environ, {"XDG_CACHE_HOME": home}  # an empty cache of this example's own
    ... ):
    ...     empty = cache_size()
    ...     f = CFunction(trace(Value(2.0, "x") ** 3))
    ...     library = f.path.stat().st_size + f.path.with_suffix(".c").stat().st_size
    ...     empty, cache_size() == library
    (0, True)
    """
    return sum(entry.size for entry in _entries(cache_dir()).values())


def clear_cache() -> int:
    """Empty the C cache: remove every library this module built (and the temporary folder
    of a build that died); the bytes freed. The next ``to_c()`` compiles again; a
    CFunction made before keeps working. Anything else in the folder stays, and so does
    the folder.

    >>> import os, tempfile
    >>> from unittest import mock
    >>> from autograd import Value, trace
    >>> with tempfile.TemporaryDirectory() as home, mock.patch.dict(
    ...     os.environ, {"XDG_CACHE_HOME": home}  # an empty cache of this example's own
    ... ):
    ...     f = CFunction(trace(Value(2.0, "x") ** 3))
    ...     size = cache_size()
    ...     clear_cache() == size, cache_size(), f(2.0)
    (True, 0, (8.0, (12.0,)))
    """
    folder = cache_dir()
    freed = sum(entry.size for entry in _entries(folder).values() if _remove(entry))
    _remove_abandoned(folder)
    return freed


def _suffix() -> str:
    return ".dll" if sys.platform == "win32" else ".so"


def build(source: str) -> tuple[Path, bool, float]:
    """The shared library of ``source``: its path, whether it came from the cache, and the
    seconds the compiler took (0 for a cache hit). A new library may remove the least
    recently used ones, to keep the cache within :func:`cache_limit`."""
    limit = cache_limit()
    cc = compiler()
    key = hashlib.sha256("\0".join([source, cc, *FLAGS, sys.platform]).encode()).hexdigest()
    folder = cache_dir()
    target = folder / f"{key[:40]}{_suffix()}"
    if target.is_file():
        with contextlib.suppress(OSError):  # not ours to touch, read-only: still a hit
            os.utime(target)  # used now: pruning removes the least recently used first
        return target, True, 0.0
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        work = Path(tempfile.mkdtemp(prefix="build-", dir=folder))
    except OSError as e:
        raise CBuildError(f"cannot write the C cache folder {folder}: {e}") from e
    try:
        c_file, lib = work / "program.c", work / f"program{_suffix()}"
        c_file.write_text(source, encoding="utf-8")
        start = time.perf_counter()
        proc = subprocess.run(
            [cc, *FLAGS, "-o", str(lib), str(c_file), "-lm"],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - start
        if proc.returncode != 0 or not lib.is_file():
            said = (proc.stderr or proc.stdout).strip()[-2000:]
            raise CBuildError(
                f"the C compiler {cc} failed (exit {proc.returncode}) on the printed program:\n"
                f"{said}\nIf the compiler builds nothing else either, reinstall it ({_HOW}); if it "
                "does, this is a bug of chainrule's C printer: please report it with the program."
            )
        os.replace(c_file, target.with_suffix(".c"))  # beside it, for reading
        os.replace(lib, target)  # atomic: a reader sees no library or a whole one
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _prune(folder, limit, keep=key[:40])
    return target, False, seconds


def _loaded(source: str) -> tuple[Path, bool, float, ctypes.CDLL]:
    """:func:`build`, then the library loaded (kept by the CFunction: its functions live
    while it does). One another process's pruning removed first is built again."""
    for _ in range(3):
        path, cached, seconds = build(source)
        try:
            return path, cached, seconds, ctypes.CDLL(str(path))
        except OSError as e:
            error = e
        if path.is_file():  # there, and it does not load
            break
    raise CBuildError(f"the built library {path} does not load: {error}") from error


class CFunction:
    """A program's value and gradient as compiled C, called like ``Compiled.function``.

    ``f(*floats)`` returns ``(value, grads)``: the value and the gradient with respect
    to each input at the positions ``wrt`` (default: all), as a tuple of floats, bit for
    bit the Python program's numbers. ``f.many(samples)`` runs it on many points with the
    loop in C: ``samples`` holds ``n_inputs`` float64 numbers per point, contiguous (a
    NumPy array of shape (n, n_inputs), an ``array.array('d')``), and the result holds
    ``n_outputs`` per point (the value, then the gradients): a NumPy array of shape
    (n, n_outputs) for a NumPy input, else an ``array.array('d')``.

    ``form`` is "lines" (each equation a line of C: the fastest code, ``f.source`` reads
    as the program), "tape" (the program as numbers run by one C loop that is built
    once: no compile time for a large program) or "auto": lines up to
    :data:`LINES_LIMIT` equations (value and gradient together), else the tape.
    ``f.compile_seconds`` is what the compiler took (0 when the cache had it).
    ``gradient=False`` runs the program's own outputs instead (``many`` gives them).

    >>> from autograd import Value, trace
    >>> x, y = Value(2.0, "x"), Value(3.0, "y")
    >>> f = CFunction(trace(x * y + x.exp(), [x, y]))
    >>> f(2.0, 3.0) == (2.0 * 3.0 + math.exp(2.0), (3.0 + math.exp(2.0), 2.0))
    True
    >>> f.many(array.array("d", [2.0, 3.0, 0.0, 1.0])).tolist()
    [13.38905609893065, 10.38905609893065, 2.0, 1.0, 2.0, 0.0]
    >>> CFunction(trace(x * y + x.exp(), [x, y]), form="tape")(2.0, 3.0) == f(2.0, 3.0)
    True
    """

    def __init__(
        self,
        program: Program,
        wrt: Sequence[int] | None = None,
        *,
        names: Sequence[str] | None = None,
        form: str = "auto",
        part_size: int = PART_SIZE,
        gradient: bool = True,
    ) -> None:
        if form not in ("auto", "lines", "tape"):
            raise ValueError(f"form must be 'auto', 'lines' or 'tape', got {form!r}")
        start = time.perf_counter()
        joint = value_and_grad(_checked(program), wrt) if gradient else _checked(program)
        if form == "auto":
            form = "lines" if len(joint.equations) <= LINES_LIMIT else "tape"
        self.form = form
        self.inputs: tuple[str, ...] = tuple(names or (v.name for v in program.inputs))
        if len(self.inputs) != len(joint.inputs):
            raise ValueError(f"names gives {len(self.inputs)} names for {len(joint.inputs)} inputs")
        self.n_inputs, self.n_outputs = len(joint.inputs), len(joint.outputs)
        self.equations = len(joint.equations)
        if form == "lines":
            printed = print_lines(joint, part_size)
            self.source, rules = printed.source, printed.callbacks
        else:
            tape = print_tape(joint)
            self.source, rules = TAPE_SOURCE, tape.callbacks
        self.callbacks: tuple[str, ...] = tuple(r.name for r in rules)
        self.print_seconds = time.perf_counter() - start
        self.path, self.cached, self.compile_seconds, self._lib = _loaded(self.source)
        self._errors: list[BaseException] = []
        self._rows = [self._row(r) for r in rules]  # the callbacks live as long as we do
        self._cb = (_ROW * len(rules))(*self._rows) if rules else None
        self._zeros = array.array("d", bytes(8 * self.n_outputs))  # copied for each call
        self._many = self._lib.cr_many if form == "lines" else self._taped(tape)

    def _taped(self, tape: CTape) -> Any:
        """``run(in, out, n, cb)`` for a tape: its numbers bound to the one C loop."""
        integer = ctypes.c_ushort if tape.narrow else ctypes.c_int
        code = (integer * max(1, len(tape.code)))(*tape.code)
        consts = (ctypes.c_double * max(1, len(tape.constants)))(*tape.constants)
        outs = (ctypes.c_int * max(1, len(tape.outputs)))(*tape.outputs)
        run = self._lib.cr_tape16 if tape.narrow else self._lib.cr_tape32
        fixed = (
            code,
            consts,
            len(tape.constants),
            tape.n_inputs,
            outs,
            len(tape.outputs),
            ctypes.c_long(tape.n_slots),
            tape.widest,
        )

        def many(c_in: Any, c_out: Any, n: Any, cb: Any) -> int:
            return int(run(*fixed, c_in, c_out, n, cb))

        return many

    def _row(self, rule: Rule) -> Any:
        forward, errors = rule.forward, self._errors

        def call(args: Any, n: int) -> float:
            try:
                return float(forward(*args[:n]))
            except BaseException as e:  # raised again once the C returns
                errors.append(e)
                return math.nan

        return _ROW(call)

    def __repr__(self) -> str:
        grads = self.n_outputs - 1
        return (
            f"<CFunction ({self.form}, {self.equations} equation{'s' * (self.equations != 1)}) "
            f"of {', '.join(self.inputs)}: the value and {grads} gradient{'s' * (grads != 1)}>"
        )

    def __call__(self, *args: float) -> tuple[float, tuple[float, ...]]:
        if len(args) != self.n_inputs:
            raise TypeError(
                f"this C function takes {self.n_inputs} numbers ({', '.join(self.inputs)}), "
                f"got {len(args)}"
            )
        try:
            numbers = array.array("d", args)
        except TypeError:
            floats = (as_float(x, f"input {n!r}") for x, n in zip(args, self.inputs, strict=True))
            numbers = array.array("d", floats)
        out = self._zeros[:]
        self._check(self._many(_address(numbers), _address(out), _ONE, self._cb))
        values = out.tolist()
        return values[0], tuple(values[1:])

    def _check(self, status: int) -> None:
        if status:
            raise MemoryError("the C function could not allocate its workspace")
        if self._errors:
            error = self._errors[0]
            self._errors.clear()
            raise RuntimeError(f"a row called back from C raised {error!r}") from error

    def many(self, samples: Any, out: Any = None) -> Any:
        """The value and gradients at each of n points, the loop in C (see the class)."""
        view = _floats(samples, "samples")
        count = view.nbytes // 8
        if self.n_inputs == 0 or count % self.n_inputs:
            raise ValueError(
                f"many needs {self.n_inputs} numbers per point; got {count}, not a multiple"
            )
        n = count // self.n_inputs
        if out is None:
            out = _empty_like(samples, n, self.n_outputs)
        target = _floats(out, "out")
        if target.readonly or target.nbytes != 8 * n * self.n_outputs:
            raise ValueError(
                f"out must be {n * self.n_outputs} writable float64 numbers "
                f"({n} points × {self.n_outputs}); got {target.nbytes // 8}"
                f"{', read-only' if target.readonly else ''}"
            )
        source = samples if not view.readonly else bytearray(view.cast("B"))
        c_in = (ctypes.c_char * max(1, view.nbytes)).from_buffer(source) if n else None
        c_out = (ctypes.c_char * max(1, target.nbytes)).from_buffer(out) if n else None
        self._check(self._many(c_in, c_out, ctypes.c_long(n), self._cb))
        return out


_ONE = ctypes.c_long(1)


def _address(numbers: array.array[float]) -> ctypes.c_void_p:
    """Where an array's numbers are, for C (the array must outlive the call)."""
    return ctypes.c_void_p(numbers.buffer_info()[0])


def _floats(buffer: Any, what: str) -> memoryview:
    try:
        view = memoryview(buffer)
    except TypeError:
        raise TypeError(
            f"{what} must be float64 numbers in a buffer (a NumPy array, "
            f"array.array('d')); got {type(buffer).__name__}"
        ) from None
    if view.format != "d" or not view.c_contiguous:
        raise TypeError(
            f"{what} must be contiguous float64 numbers (a NumPy float64 array, "
            f"array.array('d')); got format {view.format!r}"
            f"{'' if view.c_contiguous else ', not contiguous'}"
        )
    return view


def _empty_like(samples: Any, n: int, width: int) -> Any:
    """The result of ``many``: NumPy's (n, width) for a NumPy input, else array.array."""
    if type(samples).__module__ == "numpy":
        import numpy as np

        return np.empty((n, width), dtype=np.float64)
    return array.array("d", bytes(8 * n * width))


def c_function_of(compiled: Any, form: str = "auto") -> CFunction:
    """``Compiled.to_c()``: the compiled function's traced program, as C, with the
    gradients of its ``wrt``."""
    program = compiled._traced
    wrt = [compiled.inputs.index(name) for name in compiled.wrt]
    return CFunction(program, wrt, names=compiled.inputs, form=form)
