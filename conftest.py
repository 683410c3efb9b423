"""Which engine build the suite runs on, and from where: printed in the header.

``make test`` runs the suite twice: on this checkout's source (the pure build)
and on the native wheel installed into ``.venv-native``, imported from there and
not from the checkout (see autograd/_select.py and the Makefile).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import autograd

__all__: list[str] = []


def pytest_report_header(config: pytest.Config) -> str:
    """The build under test, why it was chosen, and where autograd comes from."""
    where = Path(autograd.__file__).parent
    return f"chainrule engine: {autograd.BUILD} ({autograd.BUILD_REASON}), autograd in {where}"
