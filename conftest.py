"""Which engine build the suite runs on, and from where: printed in the header.

``make test`` runs the suite twice: on this checkout's source (the pure build)
and on the native wheel installed into ``.venv-native``, imported from there and
not from the checkout (see autograd/_select.py and the Makefile).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import autograd

__all__: list[str] = []


def pytest_report_header(config: pytest.Config) -> str:
    """The build under test, why it was chosen, and where autograd comes from."""
    where = Path(autograd.__file__).parent
    return f"chainrule engine: {autograd.BUILD} ({autograd.BUILD_REASON}), autograd in {where}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The examples that build C (autograd.cbuild, ``Compiled.to_c``) are skipped, with the
    reason, where there is no C compiler; tests/autograd/test_cprint.py skips itself."""
    if shutil.which(os.environ.get("CC", "").strip() or "cc"):
        return
    skip = pytest.mark.skip(reason="no C compiler (cc): install gcc or clang to run C examples")
    for item in items:
        if item.name.startswith("autograd.cbuild") or item.name.endswith(".to_c"):
            item.add_marker(skip)
