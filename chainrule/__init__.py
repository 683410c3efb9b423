"""chainrule: a scalar autograd engine for watching the chain rule work, in one import.

The everyday names of ``autograd``, ``nn`` and ``viz`` are here, so one import
will do; ``python -m chainrule`` and the ``chainrule`` command run the demos and
``chainrule grad``.

>>> import chainrule
>>> w = chainrule.Value(0.5, "w")
>>> y = (w * 2.0).sigmoid()
>>> (dw,) = chainrule.grad(y, [w])
>>> round(dw.data, 4)
0.3932

If the ``autograd``, ``nn`` or ``viz`` that Python finds is not chainrule's own
(another project of the same name installed over it, or a file of that name in
the working directory), these names raise :class:`ForeignPackageError`, whose
one sentence says what happened and how to fix it; :func:`foreign_package`
returns that sentence, or None.
"""

from __future__ import annotations

__version__ = "0.1.0"

from ._packages import ForeignPackageError, foreign_package

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "Constant",
    "DivergedError",
    "ForeignPackageError",
    "Value",
    "__version__",
    "binary_cross_entropy",
    "chain_rule",
    "compile",
    "delta_rule",
    "detect_anomaly",
    "draw",
    "fit",
    "foreign_package",
    "grad",
    "gradcheck",
    "hinge",
    "l2",
    "moons",
    "mse",
    "plot_decision_boundary",
    "plot_loss",
    "squared_error",
    "write",
    "xor",
]

if foreign_package() is None:
    from autograd import Constant, Value, compile, detect_anomaly, grad, gradcheck
    from nn import (
        MLP,
        SGD,
        Adam,
        DivergedError,
        binary_cross_entropy,
        delta_rule,
        fit,
        hinge,
        l2,
        moons,
        mse,
        squared_error,
        xor,
    )
    from viz import chain_rule, draw, plot_decision_boundary, plot_loss, write


def __getattr__(name: str) -> object:
    problem = foreign_package()
    if problem is not None and name in __all__:
        raise ForeignPackageError(problem)
    raise AttributeError(f"module 'chainrule' has no attribute {name!r}")
