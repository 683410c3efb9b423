"""A Griffe extension for the API reference (mkdocs.yml): the docstrings are written for
``help()`` and doctest, so their examples are bare ``>>>`` blocks and their cross-references
Sphinx roles. Each example becomes a fenced ``pycon`` block and each role plain code, so
the Markdown renderer shows them as written."""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:func|class|meth|attr|data|mod|exc|obj|const):`~?([^`]+)`")


def fence_examples(text: str) -> str:
    """Wrap each doctest block (from a ``>>>`` line to the next blank line) in a fence.

    >>> fence_examples("Adds.\\n\\n>>> 1 + 1\\n2\\n\\nDone.").splitlines()
    ['Adds.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'Done.']
    """
    out: list[str] = []
    indent: str | None = None  # the open fence's indentation
    for line in text.splitlines():
        if indent is not None and not line.strip():
            out.append(f"{indent}```")
            indent = None
        elif indent is None and line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
        out.append(line)
    if indent is not None:
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Fence the examples and unwrap the roles of every docstring as it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_examples(ROLE.sub(r"`\1`", obj.docstring.value))
