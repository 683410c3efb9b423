"""Build chainrule with its engine compiled by mypyc, or as pure Python when that fails.

The metadata is in pyproject.toml; this file only adds the native build. A
copy of each module of ``autograd._native.NATIVE_MODULES`` is compiled as
``autograd._native.<name>`` (the copies' relative imports then resolve to each
other, natively), and ``autograd/_native/sources.json`` records the hash of
every source compiled, for the check at import. With no mypy, no C compiler,
or a module mypyc rejects, the build says why and installs the pure engine,
which behaves identically. ``make native`` runs ``setup.py build_ext --inplace``.
With ``CHAINRULE_PURE=1`` nothing is compiled and the wheel is pure Python
(``py3-none-any``, what Pyodide and JupyterLite install).
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import shutil
from pathlib import Path
from typing import Any

from setuptools import Distribution, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
WORK = ROOT / "build" / "mypyc"  # the copies mypyc compiles, and its C files
PURE = os.environ.get("CHAINRULE_PURE", "0") not in ("", "0")  # as autograd/_select.py reads it

# autograd/_native/__init__.py read as a plain file: importing autograd would import the engine
_NATIVE = ROOT / "autograd" / "_native" / "__init__.py"
_spec = importlib.util.spec_from_file_location("_chainrule_native", _NATIVE)
if _spec is None or _spec.loader is None:
    raise RuntimeError(f"cannot read {_NATIVE}")
native: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(native)


def say(text: str) -> None:
    """A line of the build's output (pip shows it with -v, setup.py always)."""
    print(f"chainrule: {text}", flush=True)


def native_extensions() -> list[Any]:
    """mypycify the copies of the engine's modules; [] (and the reason said) when it fails."""
    if PURE:
        say("CHAINRULE_PURE is set; building the pure-Python engine")
        return []
    try:
        from mypyc.build import mypycify
    except ImportError as exc:
        say(f"no mypyc ({exc}); installing the pure-Python engine")
        return []
    src = WORK / "src"
    shutil.rmtree(src, ignore_errors=True)
    (src / "autograd" / "_native").mkdir(parents=True)
    (src / "autograd" / "__init__.py").write_text("")
    (src / "autograd" / "_native" / "__init__.py").write_text("")
    files = []
    for name in native.source_hashes(ROOT / "autograd"):
        shutil.copyfile(ROOT / "autograd" / name, src / "autograd" / "_native" / name)
        files.append(f"autograd/_native/{name}")
    cwd = os.getcwd()
    os.chdir(src)  # mypy then sees the copies alone, not the package in the repository
    try:
        return list(
            mypycify(
                ["--strict", *files],
                group_name="autograd._native.chainrule",
                target_dir=str(WORK / "c"),
            )
        )
    except (Exception, SystemExit) as exc:  # mypyc exits on a type error
        say(f"mypyc cannot compile the engine ({exc!r}); installing the pure-Python engine")
        return []
    finally:
        os.chdir(cwd)


class BuildNative(build_ext):
    """build_ext that compiles the engine with mypyc and records what it compiled."""

    def finalize_options(self) -> None:
        """Make the extensions now, only when something is really built."""
        self.distribution.ext_modules = native_extensions()
        super().finalize_options()

    def run(self) -> None:
        """Compile; on success, write the manifest beside every copy of the native modules."""
        if not self.extensions:
            return
        try:
            super().run()
        except Exception as exc:  # no C compiler, or it failed
            say(f"compiling the engine failed ({exc}); installing the pure-Python engine")
            return
        manifest = {
            "sources": native.source_hashes(WORK / "src" / "autograd" / "_native"),
            "python": platform.python_version(),
        }
        targets = {Path(self.get_ext_fullpath(self.extensions[0].name)).parent}
        if self.inplace or getattr(self, "editable_mode", False):
            targets.add(ROOT / "autograd" / "_native")
        for folder in targets:
            (folder / native.MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
        say(f"compiled the engine with mypyc ({', '.join(manifest['sources'])})")


class NativeDistribution(Distribution):
    """A distribution with extension modules (a platform wheel) though they are made late."""

    def has_ext_modules(self) -> bool:
        """Unless CHAINRULE_PURE is set: whether mypyc succeeds is known only in build_ext."""
        return not PURE


setup(distclass=NativeDistribution, cmdclass={"build_ext": BuildNative})
