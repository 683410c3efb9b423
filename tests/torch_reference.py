"""PyTorch's counterpart of every row, the one table the PyTorch tests share.

tests/autograd/test_torch_differences.py compares the rows with these on the special values,
tests/autograd/test_torch_rows.py at ordinary points. Importing it skips the importing
test module where PyTorch is not installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

__all__ = ["NUMBERS", "TORCH", "torch"]

torch: Any = pytest.importorskip(
    "torch", reason="PyTorch is not installed: pip install torch==2.13.0 to compare with it"
)


def _where(condition: Any, yes: Any, no: Any) -> Any:
    return torch.where(condition, torch.as_tensor(yes, dtype=torch.float64), no)


def _zero(t: Any) -> Any:
    return torch.zeros_like(t)


# each row's PyTorch counterpart; a row used only inside other rows' partials stands for
# the quantity PyTorch's own backward computes there (step: relu's threshold_backward, ...)
TORCH: dict[str, Callable[..., Any]] = {
    "add": lambda x, y: x + y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y,
    "pow": lambda x, c: x**c,  # a number exponent: PyTorch's pow.Tensor_Scalar
    "powv": lambda x, y: x**y,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "sin": torch.sin,
    "cos": torch.cos,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "step": lambda x: _where(torch.relu(x) <= 0.0, 0.0, _zero(x) + 1.0),
    "sign": torch.sign,
    "mul0": lambda x, y: _where(x == 0.0, 0.0, x * y),  # pow_backward's where
    "powlog": lambda x, y: _where((x == 0.0) & (y >= 0.0), 0.0, x**y * torch.log(x)),
    "tan": torch.tan,
    "asin": torch.asin,
    "acos": torch.acos,
    "atan": torch.atan,
    "atan2": torch.atan2,
    "inv_hypot2": lambda x, y: _where(x * x + y * y == 0.0, 0.0, 1.0 / (x * x + y * y)),
    "sinh": torch.sinh,
    "cosh": torch.cosh,
    "log1p": torch.log1p,
    "expm1": torch.expm1,
    "log2": torch.log2,
    "log10": torch.log10,
    "softplus": torch.nn.functional.softplus,
    "clamp": lambda x, lo, hi: torch.clamp(x, lo, hi),
    "between": lambda x, lo, hi: ((x >= lo) & (x <= hi)).double(),
    "maximum": torch.maximum,
    "minimum": torch.minimum,
    "above": lambda x, y: _where(x < y, 0.0, _where(x == y, 0.5, _zero(x) + 1.0)),
    "mod": torch.remainder,
    "floordiv": lambda x, y: torch.div(x, y, rounding_mode="floor"),
    "wsum": lambda w, x, b: w * x - b,  # one weight: w·x - b
    "exp2": torch.exp2,
    "asinh": torch.asinh,
    "acosh": torch.acosh,
    "atanh": torch.atanh,
    "reciprocal": torch.reciprocal,
    "deg2rad": torch.deg2rad,
    "rad2deg": torch.rad2deg,
    "sinc": torch.sinc,
    "erf": torch.erf,
    "div0": lambda x, y: _where(y == 0.0, 0.0, x / y),  # sinc_backward's where
}
NUMBERS = {"pow": (1,), "clamp": (1, 2), "between": (1, 2)}  # arguments that are numbers
