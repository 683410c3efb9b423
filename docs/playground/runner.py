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

With a function ``emit``, the page's worker gets the items while the code runs, too:
printed text in pieces (item ``at``'s text from character ``from`` on), other items whole.

>>> updates = []
>>> code = "for i in range(3): print(i)\\nfrom viz import explain\\nexplain(x * x)"
>>> items = json.loads(run("from autograd import Value\\nx = Value(2.0)\\n" + code, updates.append))
>>> [item["kind"] for item in items]
['text', 'explanation']
>>> shown = ""
>>> for update in map(json.loads, updates[:-1]):
...     shown = shown[: update["from"]] + update["text"]
>>> shown == items[0]["text"] == "0\\n1\\n2\\n"
True
>>> json.loads(updates[-1]) == {"at": 1, "item": items[1]}
True
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import linecache
import time
import traceback
from collections.abc import Callable
from typing import Any

__all__ = ["run", "show"]

FILENAME = "<playground>"
EVERY = 0.05
"""Printed text reaches ``emit`` (the page) at most this often, in seconds."""


class Output:
    """The items of one run; printed text goes into the last item while it is text.

    With an ``emit`` function, the items are also passed to it as they come, each update
    as JSON: ``{"at": i, "item": ...}`` for a new item that is not text, ``{"at": i, "from":
    n, "text": ...}`` for printed text (item ``i``'s text from character ``n`` on, ``n``
    less than what was sent before when a carriage return redrew a line). Printed text is
    passed on at most every :data:`EVERY` seconds, and what is left when the run ends.
    """

    def __init__(self, emit: Callable[[str], object] | None = None) -> None:
        self.items: list[dict[str, str]] = []
        self.emit = emit
        self.text: io.StringIO | None = None  # the last item's text, while it is text
        self.line = 0  # where its current line starts: a carriage return goes back there
        self.restart = False  # a carriage return was written: the line's next text replaces it
        self.sent = 0  # how much of self.text emit has had (and still holds)
        self.last = -EVERY  # when emit last had text (time.monotonic)

    def write(self, text: str) -> int:
        """Printed text; after a carriage return the line's next text replaces it (a progress
        bar redrawn)."""
        if self.text is None:
            self.items.append({"kind": "text", "text": ""})
            self.text, self.line, self.sent = io.StringIO(), 0, 0
        buffer = self.text
        for i, line in enumerate(text.split("\n")):
            if i:
                buffer.write("\n")
                self.line = buffer.tell()
                self.restart = False
            for j, part in enumerate(line.split("\r")):
                self.restart = self.restart or j > 0
                if part and self.restart:
                    buffer.seek(self.line)
                    buffer.truncate()
                    self.sent = min(self.sent, self.line)
                    self.restart = False
                buffer.write(part)
        if self.emit is not None and time.monotonic() - self.last >= EVERY:
            self._send_text()
        return len(text)

    def flush(self) -> None:
        """Nothing to flush: the text is kept (and passed on at most every ``EVERY`` s)."""

    def add(self, kind: str, **fields: str) -> None:
        """A new item, after the text printed before it."""
        self._end_text()
        self.items.append({"kind": kind, **fields})
        if self.emit is not None:
            self.emit(json.dumps({"at": len(self.items) - 1, "item": self.items[-1]}))

    def done(self) -> list[dict[str, str]]:
        """Every item, emit having had them all."""
        self._end_text()
        return self.items

    def _end_text(self) -> None:
        if self.text is not None:
            self._send_text()
            self.items[-1]["text"] = self.text.getvalue()
            self.text = None

    def _send_text(self) -> None:
        if self.emit is None or self.text is None:
            return
        self.text.seek(self.sent)
        new = self.text.read()  # back at the end, where the next text goes
        if new:
            update = {"at": len(self.items) - 1, "from": self.sent, "text": new}
            self.emit(json.dumps(update))
            self.sent = self.text.tell()
        self.last = time.monotonic()


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


def run(code: str, emit: Callable[[str], object] | None = None) -> str:
    """Run ``code`` as the page's Run button does; the items to show, as JSON. With ``emit``,
    the items are passed to it as they come too (see :class:`Output`), for the page to show
    them while the code runs."""
    global _output
    _output = Output(emit)
    namespace: dict[str, Any] = {"__name__": "__main__", "show": show}
    linecache.cache[FILENAME] = (len(code), None, code.splitlines(keepends=True), FILENAME)
    with contextlib.redirect_stdout(_output), contextlib.redirect_stderr(_output):
        try:
            tree = ast.parse(code, FILENAME)
            last = tree.body[-1] if tree.body else None
            if isinstance(last, ast.Expr):
                tree.body.pop()  # evaluated on its own, for its value
            else:
                last = None
            exec(compile(tree, FILENAME, "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), FILENAME, "eval"), namespace)
                if value is not None:
                    show(value)
        except BaseException as error:  # the learner's error, shown as Python would show it
            _output.add("error", text=_traceback(error))
    return json.dumps(_output.done())


def _traceback(error: BaseException) -> str:
    """The traceback from the learner's code down: this module's own frames left out."""
    frames = traceback.extract_tb(error.__traceback__)
    keep = next((i for i, f in enumerate(frames) if f.filename == FILENAME), len(frames))
    lines = traceback.format_list(frames[keep:])
    if isinstance(error, SyntaxError) and error.filename == FILENAME:
        lines = []
    head = ["Traceback (most recent call last):\n"] if lines else []
    return "".join(head + lines + traceback.format_exception_only(type(error), error))
