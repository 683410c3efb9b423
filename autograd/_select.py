"""Which engine runs: the mypyc-compiled build of the same source, or the source itself.

``setup.py`` compiles a copy of each module in ``autograd._native.NATIVE_MODULES`` as
``autograd._native.<name>`` (so the copies import each other natively) and
writes ``sources.json`` beside them: the SHA-256 of every source it compiled.
This module runs first in ``autograd/__init__.py``. It takes the native build
only when the manifest lists exactly the sources that exist and every hash
equals that of the ``.py`` file here, so an edit after a build falls back to
the source at once instead of silently running old native code. Setting
``CHAINRULE_PURE=1`` forces the source (e.g. to step through it in a debugger).

One class per process: whichever build is chosen is entered in ``sys.modules``
under both names, ``autograd.engine`` and ``autograd._native.engine`` (and the
same for ``ops``), before anything else can import either. ``autograd.Value``,
``autograd.engine.Value`` and what ``nn``, ``viz`` and ``compile`` import are
then one object. (A pickle loads under the build that made it: mypyc's native
classes pickle their attributes in a form the pure class does not read back.)

``python -m autograd`` prints the choice and its reason.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from types import ModuleType

from ._native import MANIFEST, NATIVE_MODULES, source_hashes

__all__ = ["BUILD", "BUILD_REASON", "ENV", "stale"]

ENV = "CHAINRULE_PURE"  # set to 1 to run the pure-Python source
PACKAGE = Path(__file__).resolve().parent


def stale(package: Path) -> str:
    """Why the native build in ``package/_native`` must not run; ``""`` when it matches.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as empty:
    ...     stale(Path(empty))
    'no native build (no _native/sources.json: install with a C compiler, or run make native)'
    """
    try:
        built = json.loads((package / "_native" / MANIFEST).read_text(encoding="utf-8"))["sources"]
    except (OSError, ValueError, KeyError, TypeError):
        return (
            f"no native build (no _native/{MANIFEST}: install with a C compiler, "
            "or run make native)"
        )
    current = source_hashes(package)
    changed = sorted(
        name for name in built.keys() | current.keys() if built.get(name) != current.get(name)
    )
    if changed:
        return (
            f"stale native build: {', '.join(changed)} changed since it was compiled "
            "(run make native)"
        )
    return ""


def _alias(modules: dict[str, ModuleType]) -> None:
    """Enter each module under both its names, so either import gives the same classes."""
    for name, module in modules.items():
        for full in (f"autograd.{name}", f"autograd._native.{name}"):
            sys.modules[full] = module
            parent = sys.modules[full.rpartition(".")[0]]
            setattr(parent, name, module)


def _select() -> tuple[str, str]:
    """Load the chosen build of NATIVE_MODULES; return ``(build, reason)``."""
    reason = f"{ENV}={os.environ[ENV]} is set" if os.environ.get(ENV, "0") not in ("", "0") else ""
    reason = reason or stale(PACKAGE)
    if not reason:
        try:
            native = {n: importlib.import_module(f"autograd._native.{n}") for n in _present()}
        except Exception as exc:  # e.g. built for another Python: the source runs instead
            reason = f"the native build does not import ({type(exc).__name__}: {exc})"
        else:
            _alias(native)
            return "native", f"compiled by mypyc from {', '.join(source_hashes(PACKAGE))}"
    pure = {n: importlib.import_module(f"autograd.{n}") for n in _present()}
    _alias(pure)
    return "pure", reason


def _present() -> list[str]:
    return [name for name in NATIVE_MODULES if (PACKAGE / f"{name}.py").is_file()]


BUILD, BUILD_REASON = _select()
