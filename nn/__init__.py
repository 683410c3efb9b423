"""Neurons, layers and the notes' 2-2-1 network, built on autograd."""

__all__: list[str] = []
