"""Build chainrule's wheel with the engine compiled by mypyc, the way black's wheels are made.

The metadata is in pyproject.toml; this file only compiles ``ENGINE``: each module
becomes an extension module of the same name (``autograd/engine.cpython-…so``
beside ``engine.py``), which Python imports in place of the source. The wheel is
pure Python (``py3-none-any``), and the build says why, when ``CHAINRULE_PURE=1``
is set or when mypyc or the C compiler fails. An editable install compiles
nothing: a checkout always runs its source.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from setuptools import Distribution, setup
from setuptools.command.build_ext import build_ext

# the engine and everything it calls per op: the rows, their functions, the Value node
ENGINE = [
    "autograd/ieee.py",
    "autograd/rule.py",
    "autograd/functions.py",
    "autograd/ops.py",
    "autograd/modes.py",
    "autograd/methods.py",
    "autograd/value.py",
    "autograd/engine.py",
]
PURE = os.environ.get("CHAINRULE_PURE", "0") not in ("", "0")


class BuildEngine(build_ext):
    """build_ext that compiles ENGINE with mypyc, or makes the wheel pure Python."""

    def finalize_options(self) -> None:
        """mypycify now, when something is really built: mypy takes seconds."""
        self.distribution.ext_modules = self.engine()
        super().finalize_options()

    def engine(self) -> list[Any]:
        if self.inplace or getattr(self, "editable_mode", False):
            return self.pure("an editable or in-place build runs the source")
        try:
            from mypyc.build import mypycify

            # skip: mypy reads ENGINE alone, not the package around it (compile.py imports numpy)
            options = ["--strict", "--follow-imports=skip"]
            return list(mypycify([*options, *ENGINE], group_name="autograd.chainrule"))
        except (Exception, SystemExit) as exc:  # no mypy, or mypyc exits on a type error
            return self.pure(f"mypyc cannot compile the engine ({exc!r})")

    def run(self) -> None:
        """Compile; on failure remove what was made and make the wheel pure."""
        if not self.extensions:
            return
        try:
            super().run()
        except Exception as exc:  # no C compiler, or it failed
            for ext in self.extensions:
                Path(self.get_ext_fullpath(ext.name)).unlink(missing_ok=True)
            self.pure(f"compiling the engine failed ({exc})")
        else:
            print(f"chainrule: compiled {', '.join(ENGINE)} with mypyc", flush=True)

    def pure(self, reason: str) -> list[Any]:
        """Say why nothing is compiled; tag the wheel, if one is built, py3-none-any."""
        print(f"chainrule: {reason}; the engine is pure Python", flush=True)
        wheel = self.distribution.command_obj.get("bdist_wheel")
        if wheel is not None:
            wheel.root_is_pure = True
        return []


class EngineDistribution(Distribution):
    """A platform wheel unless CHAINRULE_PURE is set (BuildEngine.pure may still make it pure)."""

    def has_ext_modules(self) -> bool:
        return not PURE


setup(distclass=EngineDistribution, cmdclass={"build_ext": BuildEngine})
