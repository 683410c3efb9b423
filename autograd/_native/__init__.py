"""The mypyc-compiled build of ``autograd.ops`` and ``autograd.engine``, from the same source.

``setup.py`` fills this folder (``make native`` rebuilds it in place): a copy of
each module of :data:`NATIVE_MODULES` compiled as ``autograd._native.<name>``,
and :data:`MANIFEST`, the SHA-256 of every source compiled. The modules here are
imported only through :mod:`autograd._select`, which checks those hashes first.
This file uses the standard library alone: ``setup.py`` reads it by path.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["MANIFEST", "NATIVE_MODULES", "source_hashes"]

NATIVE_MODULES = (
    "ops",
    "modes",
    "engine",
)  # autograd/<name>.py, compiled as autograd._native.<name>
MANIFEST = "sources.json"  # written here by setup.py after a native build


def source_hashes(package: Path) -> dict[str, str]:
    """SHA-256 of each module of NATIVE_MODULES that exists in ``package``, by file name.

    >>> autograd = Path(__file__).resolve().parent.parent
    >>> list(source_hashes(autograd)) == [
    ...     f"{m}.py" for m in NATIVE_MODULES if (autograd / f"{m}.py").is_file()]
    True
    """
    return {
        f"{name}.py": hashlib.sha256((package / f"{name}.py").read_bytes()).hexdigest()
        for name in NATIVE_MODULES
        if (package / f"{name}.py").is_file()
    }
