"""No function of nn/, viz/ or chainrule/ over cyclomatic complexity 15 (radon's measure):
a reader holds each one in their head. Runs where radon is installed."""

from __future__ import annotations

from pathlib import Path

import pytest

LIMIT = 15
ROOT = Path(__file__).resolve().parent.parent


def _files() -> list[Path]:
    found = [p for d in ("nn", "viz", "chainrule") for p in sorted((ROOT / d).rglob("*.py"))]
    return [p for p in found if "_vendor" not in p.parts]


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_function_over_the_limit(path: Path) -> None:
    complexity = pytest.importorskip("radon.complexity")
    blocks = complexity.cc_visit(path.read_text(encoding="utf-8"))
    over = [f"{b.fullname} {b.complexity}" for b in blocks if b.complexity > LIMIT]
    assert not over, f"{path.relative_to(ROOT)}: over {LIMIT}: {over}"
