"""Which build of the engine runs: ``autograd.BUILD`` and ``autograd.BUILD_REASON``.

A native wheel carries the engine's modules (``COMPILED``) compiled by mypyc
as extension modules of the same names, which Python imports in place of the
``.py`` beside them (setup.py). Nothing else chooses: a checkout or an editable
install runs the source, and so does the pure wheel (``CHAINRULE_PURE=1 pip wheel .``,
or a build without a C compiler). ``python -m autograd`` prints both.

>>> BUILD in ("native", "pure") and BUILD_REASON != ""
True
"""

from __future__ import annotations

import os
import sysconfig
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from . import engine, functions, ieee, methods, modes, ops, rule, value

__all__ = ["BUILD", "BUILD_REASON", "COMPILED"]

COMPILED = (ieee, rule, functions, ops, modes, methods, value, engine)  # setup.py's ENGINE


def _build() -> tuple[str, str]:
    if all(str(m.__file__).endswith(tuple(EXTENSION_SUFFIXES)) for m in COMPILED):
        reason = "compiled by mypyc: " + ", ".join(m.__name__ for m in COMPILED)
        if os.environ.get("CHAINRULE_PURE", "0") not in ("", "0"):
            reason += "; CHAINRULE_PURE acts when a wheel is built, not here"
        return "native", reason
    package = Path(str(engine.__file__)).resolve().parent
    installed = {Path(sysconfig.get_path(key)).resolve() for key in ("purelib", "platlib")}
    if package.parent in installed:
        return "pure", "the pure wheel, built with CHAINRULE_PURE=1 or without a C compiler"
    return "pure", f"the source in {package}; the compiled engine comes in a native wheel"


BUILD, BUILD_REASON = _build()
