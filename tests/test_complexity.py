"""No function of autograd/, nn/, viz/ or chainrule/ over cyclomatic complexity 15 (radon's
measure, where radon is installed: the dev extra installs it), and no module of autograd/
longer than a sitting: a reader holds each one in their head."""

from __future__ import annotations

from pathlib import Path

import pytest

LIMIT = 15
ROOT = Path(__file__).resolve().parent.parent
NOT_YET: set[Path] = set()  # modules not yet within the limits (none)


def _files() -> list[Path]:
    packages = ("autograd", "nn", "viz", "chainrule")
    found = [p for d in packages for p in sorted((ROOT / d).rglob("*.py"))]
    return [p for p in found if "_vendor" not in p.parts and p not in NOT_YET]


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_function_over_the_limit(path: Path) -> None:
    complexity = pytest.importorskip("radon.complexity")
    blocks = complexity.cc_visit(path.read_text(encoding="utf-8"))
    over = [f"{b.fullname} {b.complexity}" for b in blocks if b.complexity > LIMIT]
    assert not over, f"{path.relative_to(ROOT)}: over {LIMIT}: {over}"


def test_autograd_modules_stay_readable_in_one_sitting() -> None:
    """engine.py within 500 lines, every other module of autograd/ within 600."""
    lines = {
        p.name: len(p.read_text(encoding="utf-8").splitlines())
        for p in sorted((ROOT / "autograd").glob("*.py"))
        if p not in NOT_YET
    }
    over = {name: n for name, n in lines.items() if n > (500 if name == "engine.py" else 600)}
    assert not over, f"modules over their length: {over}"
    assert "engine.py" in lines
