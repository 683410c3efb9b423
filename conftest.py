"""Which engine build the suite runs on: printed in the header, and doctests kept to the source.

``make test`` runs the suite twice, on the native build and with CHAINRULE_PURE=1
(see autograd/_select.py). Under the native build ``autograd.engine`` and
``autograd.ops`` are the compiled modules, which pytest cannot match to their
``.py`` files; their doctests run in the pure run, every other test in both.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import autograd
from autograd._native import NATIVE_MODULES

__all__: list[str] = []

_COMPILED = {Path(autograd.__file__).parent / f"{name}.py" for name in NATIVE_MODULES}


def pytest_report_header(config: pytest.Config) -> str:
    """The build under test, and why it was chosen."""
    return f"chainrule engine: {autograd.BUILD} ({autograd.BUILD_REASON})"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Under the native build, the compiled modules' sources are not collected for doctests."""
    if autograd.BUILD == "native" and collection_path in _COMPILED:
        return True
    return None
