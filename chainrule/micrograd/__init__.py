"""micrograd's API on chainrule's engine: change the imports, keep the code and the numbers.

Code written for micrograd 0.1.0 (its README, its demo notebook, the video's
notebook) runs with ``from micrograd...`` changed to ``from chainrule.micrograd...``:

- :mod:`chainrule.micrograd.engine` has ``Value(data, _children=(), _op='', label='')``;
- :mod:`chainrule.micrograd.nn` has ``Module``, ``Neuron(nin, nonlin=True)``,
  ``Layer(nin, nout, **kwargs)`` and ``MLP(nin, nouts)``, initialised from the
  global ``random`` in micrograd's order, so ``random.seed(1337)`` gives
  micrograd's weights, and computing micrograd's way (``b + w·x``, ReLU hidden
  units, a linear output, one Value out of a one-unit layer).

Every Value computed is an ordinary :class:`autograd.Value`: ``_prev``, ``_op``,
``_backward()``, ``backward()``, ``viz.draw``, ``viz.explain`` and
``autograd.compile`` all take it.

>>> import random
>>> from chainrule.micrograd.engine import Value
>>> from chainrule.micrograd import nn
>>> random.seed(1337)
>>> model = nn.MLP(3, [4, 4, 1])
>>> model
MLP of [Layer of [ReLUNeuron(3), ReLUNeuron(3), ReLUNeuron(3), ReLUNeuron(3)],
 Layer of [ReLUNeuron(4), ReLUNeuron(4), ReLUNeuron(4), ReLUNeuron(4)], Layer of [LinearNeuron(4)]]
>>> y = model([Value(2.0), 3.0, -1.0])
>>> y._op, len(model.parameters())
('+', 41)
"""

from __future__ import annotations

from . import engine, nn

__all__ = ["engine", "nn"]
