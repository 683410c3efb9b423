"""Drawings of Value graphs, and the chainrule command line."""

__all__: list[str] = []
