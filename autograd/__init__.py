"""chainrule's engine: scalar Values that record their operations and walk them back.

>>> from autograd import Value
>>> w, x, b = Value(0.5, "w"), Value(2.0, "x"), Value(0.1, "b")
>>> y = (w * x - b).sigmoid()
>>> y.backward()
>>> round(y.data, 4), round(w.grad, 4), round(b.grad, 4)
(0.7109, 0.411, -0.2055)
"""

# Which build of the engine runs: the source, or the mypyc-compiled modules of a native wheel.
from ._select import BUILD, BUILD_REASON  # isort: skip
from .check import GradcheckError, gradcheck
from .compile import Compiled, compile
from .engine import Constant, Parameter, Value, grad, topological_order, wsum
from .formula import Formula, formulas
from .forward import hessian, hvp, jvp, tangents
from .modes import detect_anomaly, no_grad
from .ops import RULES, Notation, Rule, as_float, e, pi, register
from .program import Program, trace

# every public row's function (autograd._surface writes the list from the rows):
# --- begin generated: imports (python -m autograd._surface writes this; do not edit) ---
from .functions import (  # isort: skip
    abs,
    acos,
    acosh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    clamp,
    cos,
    cosh,
    deg2rad,
    div,
    erf,
    exp,
    exp2,
    expm1,
    floordiv,
    log,
    log1p,
    log2,
    log10,
    maximum,
    minimum,
    mod,
    pow,
    rad2deg,
    reciprocal,
    relu,
    sigmoid,
    sign,
    sin,
    sinc,
    sinh,
    softplus,
    sqrt,
    tan,
    tanh,
)


# --- end generated: imports ---

__all__ = [
    "BUILD",
    "BUILD_REASON",
    "RULES",
    "Compiled",
    "Constant",
    "Formula",
    "GradcheckError",
    "Notation",
    "Parameter",
    "Program",
    "Rule",
    "Value",
    "as_float",
    "compile",
    "detect_anomaly",
    "e",
    "formulas",
    "grad",
    "gradcheck",
    "hessian",
    "hvp",
    "jvp",
    "no_grad",
    "pi",
    "register",
    "tangents",
    "topological_order",
    "trace",
    "wsum",
]
# --- begin generated: names (python -m autograd._surface writes this; do not edit) ---
__all__ += [
    "abs",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "clamp",
    "cos",
    "cosh",
    "deg2rad",
    "div",
    "erf",
    "exp",
    "exp2",
    "expm1",
    "floordiv",
    "log",
    "log1p",
    "log2",
    "log10",
    "maximum",
    "minimum",
    "mod",
    "pow",
    "rad2deg",
    "reciprocal",
    "relu",
    "sigmoid",
    "sign",
    "sin",
    "sinc",
    "sinh",
    "softplus",
    "sqrt",
    "tan",
    "tanh",
]


# --- end generated: names ---
