"""Benchmarks: chainrule against micrograd and hand-written float code, side by side.

Run them with ``make bench`` (or ``python -m bench`` once micrograd is in
``bench/.peers``). Nothing here is imported by the project itself.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

__all__ = ["native_site"]


def native_site() -> Path:
    """The site-packages of ``.venv-native``, where ``make native`` installs the native wheel;
    a worker given ``--autograd`` this folder imports chainrule from there.

    >>> ".venv-native" in native_site().parts
    True
    """
    venv = Path(__file__).resolve().parent.parent / ".venv-native"
    return Path(sysconfig.get_path("platlib", vars={"base": str(venv), "platbase": str(venv)}))
