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
from .engine import (
    RULES,
    Constant,
    Rule,
    Value,
    detect_anomaly,
    exp,
    grad,
    log,
    relu,
    sigmoid,
    tanh,
    topological_order,
    wsum,
)
from .formula import Formula, formulas

__all__ = [
    "BUILD",
    "BUILD_REASON",
    "RULES",
    "Compiled",
    "Constant",
    "Formula",
    "GradcheckError",
    "Rule",
    "Value",
    "compile",
    "detect_anomaly",
    "exp",
    "formulas",
    "grad",
    "gradcheck",
    "log",
    "relu",
    "sigmoid",
    "tanh",
    "topological_order",
    "wsum",
]
