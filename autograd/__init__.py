"""chainrule's engine: scalar Values that record their operations and walk them back.

>>> from autograd import Value
>>> w, x, b = Value(0.5, "w"), Value(2.0, "x"), Value(0.1, "b")
>>> y = (w * x - b).sigmoid()
>>> y.backward()
>>> round(y.data, 4), round(w.grad, 4), round(b.grad, 4)
(0.7109, 0.411, -0.2055)
"""

# First: _select decides which build of autograd.engine and autograd.ops this process uses.
from ._select import BUILD, BUILD_REASON  # isort: skip
from .check import GradcheckError, gradcheck
from .compile import Compiled, compile
from .engine import Constant, Value, detect_anomaly, grad, topological_order, wsum
from .formula import Formula, formulas
from .ops import (
    RULES,
    Notation,
    Rule,
    abs,
    as_float,
    cos,
    div,
    exp,
    log,
    mul0,
    pow,
    powlog,
    register,
    relu,
    sigmoid,
    sign,
    sin,
    sqrt,
    step,
    tanh,
)

__all__ = [
    "BUILD",
    "BUILD_REASON",
    "RULES",
    "Compiled",
    "Constant",
    "Formula",
    "GradcheckError",
    "Notation",
    "Rule",
    "Value",
    "abs",
    "as_float",
    "compile",
    "cos",
    "detect_anomaly",
    "div",
    "exp",
    "formulas",
    "grad",
    "gradcheck",
    "log",
    "mul0",
    "pow",
    "powlog",
    "register",
    "relu",
    "sigmoid",
    "sign",
    "sin",
    "sqrt",
    "step",
    "tanh",
    "topological_order",
    "wsum",
]
