"""Benchmarks: chainrule against micrograd and hand-written float code, side by side.

Run them with ``make bench`` (or ``python -m bench`` once micrograd is in
``bench/.peers``). Nothing here is imported by the project itself.
"""

__all__: list[str] = []
