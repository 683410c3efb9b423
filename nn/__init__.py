"""Neurons, layers and the notes' 2-2-1 network, built on autograd.

>>> from nn import MLP, SGD, fit, squared_error, xor
>>> model = MLP(2, [2, 1])  # the notes' network: 2 inputs, 2 hidden sigmoid units, 1 output
>>> losses = fit(model, xor(), squared_error, SGD(model.parameters(), lr=2.0), 2000)
>>> losses[-1] < 0.01
True
"""

from .backprop import Backprop, delta_rule
from .data import digits, moons, xor
from .losses import binary_cross_entropy, cross_entropy, hinge, l2, mse, softmax, squared_error
from .module import ACTIVATIONS, MLP, Layer, Module, Neuron, weight_name
from .optim import SGD, Adam, Optimizer
from .train import DivergedError, Model, TargetRangeWarning, fit

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "SGD",
    "Adam",
    "Backprop",
    "DivergedError",
    "Layer",
    "Model",
    "Module",
    "Neuron",
    "Optimizer",
    "TargetRangeWarning",
    "binary_cross_entropy",
    "cross_entropy",
    "delta_rule",
    "digits",
    "fit",
    "hinge",
    "l2",
    "moons",
    "mse",
    "softmax",
    "squared_error",
    "weight_name",
    "xor",
]
