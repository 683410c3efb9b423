"""What the playground page runs a learner's code with, inside Pyodide (and in the tests).

:func:`run` executes the code in a fresh namespace that has one name of its own,
:func:`show`, and returns what the page shows, in order, as JSON: a list of items

- ``{"kind": "text", "text": ...}``: what the code printed (stdout and stderr);
- ``{"kind": "explanation", "text": ..., "latex": ...}``: an explanation as text (its
  ``str()``) and as LaTeX, for KaTeX;
- ``{"kind": "drawing", "dot": ...}``: a drawing's DOT text, for Graphviz in WebAssembly;
- ``{"kind": "page", "html": ..., "title": ...}``: a step-through page, for an iframe;
- ``{"kind": "error", "text": ...}``: the traceback of an exception, the runner's frames left out.

``show(x)`` shows ``x`` (a drawing, an explanation, a step-through page; anything else as
its ``repr``), and the value of the code's last line is shown the same way when it is
an expression whose value is not None, as in Jupyter.

>>> import json
>>> code = "from autograd import Value\\nx = Value(2.0, 'x')\\nprint('hi')\\nx * x"
>>> items = json.loads(run(code))
>>> [(i["kind"], i["text"]) for i in items]
[('text', "hi\\nValue(data=4.0, grad=0.0, op='mul')\\n")]
>>> json.loads(run("1 / 0"))[0]["text"].splitlines()[-1]
'ZeroDivisionError: division by zero'
"""

from __future__ import annotations

import ast
import contextlib
import json
import linecache
import traceback
from typing import Any

__all__ = ["run", "show"]

FILENAME = "<playground>"


class Output:
    """The items of one run; printed text goes into the last item while it is text."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []
        self.restart = False  # a carriage return was written: the line's next text replaces it

    def write(self, text: str) -> int:
        """Printed text; after a carriage return the line's next text replaces it (a progress
        bar redrawn)."""
        if not self.items or self.items[-1]["kind"] != "text":
            self.items.append({"kind": "text", "text": ""})
        item = self.items[-1]
        for i, line in enumerate(text.split("\n")):
            if i:
                item["text"] += "\n"
                self.restart = False
            for j, part in enumerate(line.split("\r")):
                self.restart = self.restart or j > 0
                if part and self.restart:
                    item["text"] = item["text"][: item["text"].rfind("\n") + 1]
                    self.restart = False
                item["text"] += part
        return len(text)

    def flush(self) -> None:
        """Nothing to flush: the text is kept."""

    def add(self, kind: str, **fields: str) -> None:
        self.items.append({"kind": kind, **fields})


_output = Output()


def show(*things: Any) -> None:
    """Show each thing below the code: a drawing (``draw``, ``chain_rule``) as a picture, an
    explanation (``explain``) as text and as math, a step-through page in a frame, and
    anything else as its ``repr``."""
    for thing in things:
        _show(thing)


def _show(thing: Any) -> None:
    from viz import Drawing, Explanation, StepThrough

    if isinstance(thing, Drawing):
        thing.check_layout()  # a drawing too costly to lay out is refused, saying why
        _output.add("drawing", dot=thing.source)
    elif isinstance(thing, Explanation):
        _output.add("explanation", text=f"{thing}\n", latex=thing.to_latex())
    elif isinstance(thing, StepThrough):
        _output.add("page", html=thing.html, title=thing.title)
    else:
        _output.write(f"{thing!r}\n")


def run(code: str) -> str:
    """Run ``code`` as the page's Run button does; the items to show, as JSON."""
    global _output
    _output = Output()
    namespace: dict[str, Any] = {"__name__": "__main__", "show": show}
    linecache.cache[FILENAME] = (len(code), None, code.splitlines(keepends=True), FILENAME)
    with contextlib.redirect_stdout(_output), contextlib.redirect_stderr(_output):
        try:
            tree = ast.parse(code, FILENAME)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, FILENAME, "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), FILENAME, "eval"), namespace)
                if value is not None:
                    show(value)
        except BaseException as error:  # the learner's error, shown as Python would show it
            _output.add("error", text=_traceback(error))
    return json.dumps(_output.items)


def _traceback(error: BaseException) -> str:
    """The traceback from the learner's code down: this module's own frames left out."""
    frames = traceback.extract_tb(error.__traceback__)
    keep = next((i for i, f in enumerate(frames) if f.filename == FILENAME), len(frames))
    lines = traceback.format_list(frames[keep:])
    if isinstance(error, SyntaxError) and error.filename == FILENAME:
        lines = []
    head = ["Traceback (most recent call last):\n"] if lines else []
    return "".join(head + lines + traceback.format_exception_only(type(error), error))
