"""The chain rule, said out loud: the forward and backward passes as equations with numbers.

:func:`explain` turns a graph into one equation per forward node and one
chain-rule step per edge of the backward pass, in reverse topological order::

    ∂L/∂w_11^(2) = δ_1^(2) · x_1^(1) = -0.000364 × 0.981 = -0.000357      (14)

Nodes are called by their names (:mod:`autograd.names`: a label, or what the
node computes, never an internal id). A node labelled ``S_j^(k)`` is a unit's
weighted sum, and ∂L/∂S_j^(k) is the notes' local error δ_j^(k); the steps of
an ``nn`` graph carry the notes' equation numbers (docs/notes.md): (13) and
(14) for the parameters, (16) for ∂S/∂x, (18), (19-20) and (22) for the δ's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autograd import RULES, Constant, Value, topological_order
from autograd.formula import Formula, latex_parentheses
from autograd.ops import ATOM, POWER
from autograd.program import Var

from .drawing import DEFAULT_MAX_NODES, check_digits, check_size
from .forms import derivative_name, html, latex, text
from .notation import (
    label_html,
    label_latex,
    latex_numbers,
    notation_base,
    notation_parts,
    number,
)
from .view import Edge, Node, View, _negation, graph_view

__all__ = ["Explanation", "Step", "equation_tag", "explain"]

STYLES = ("text", "html", "latex")
_PRINT: dict[str, Callable[..., str]] = {"text": text, "html": html, "latex": latex}
_LABEL: dict[str, Callable[[str], str]] = {
    "text": lambda s: s,
    "html": label_html,
    "latex": label_latex,
}
_RELATION = re.compile(r" (=|\\mathrel\{\+\}=) ")  # a step's first = (or +=), where rows align
_TIMES = {"text": " × ", "html": " × ", "latex": r" \times "}
_DOT = {"text": " · ", "html": " · ", "latex": r" \cdot "}


@dataclass(frozen=True)
class Step:
    """One equation: a node's value (forward), or one edge of the chain rule (backward).

    ``phase`` is "forward", "loss" (the root's value) or "backward"; ``node`` the node whose value
    or gradient the step gives; ``via`` (backward) the node above it whose
    gradient it passes down. ``text``, ``html`` and ``latex`` say it three ways;
    ``tag`` is the notes' equation number ("(14)") or "".
    """

    phase: str
    node: Value
    via: Value | None
    text: str
    html: str
    latex: str
    tag: str
    value: float


@dataclass(frozen=True)
class Explanation:
    """The steps of :func:`explain`: ``str()`` for the REPL; HTML (:meth:`to_html`, what
    Jupyter shows), LaTeX (:meth:`to_latex`) and Markdown for notebooks and documents."""

    root: Value
    steps: tuple[Step, ...]

    @property
    def backward(self) -> tuple[Step, ...]:
        """The chain-rule steps, from ∂L/∂L = 1 down."""
        return tuple(s for s in self.steps if s.phase == "backward")

    def __str__(self) -> str:
        lines: list[str] = []
        width = max((len(s.text) for s in self.steps if s.tag), default=0)  # tags in a column
        heading = ""
        for s in self.steps:
            title = "backward (the chain rule)" if s.phase == "backward" else "forward"
            if title != heading:
                lines.append(("" if not lines else "\n") + title + ":")
                heading = title
            lines.append(f"  {s.text:<{width}}  {s.tag}".rstrip())
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Explanation of {len(self.steps)} steps>"

    def to_latex(self) -> str:
        r"""The steps as one LaTeX ``aligned`` block, aligned at each step's first ``=``, with
        the notes' equation numbers in a column of their own.

        >>> x = Value(2.0, "x")
        >>> f = x * x
        >>> f.label = "f"
        >>> print(explain(f).to_latex())
        \begin{aligned}
        f &= x \cdot x = 2 \cdot 2 = 4 \\
        \frac{\partial f}{\partial f} &= 1 \\
        \frac{\partial f}{\partial x} &= \frac{\partial f}{\partial f} \cdot x = 1 \times 2 = 2 \\
        \frac{\partial f}{\partial x} &\mathrel{+}= ... \text{so}\ \frac{\partial f}{\partial x} = 4
        \end{aligned}
        """
        rows = []
        for s in self.steps:
            row = _RELATION.sub(r" &\1 ", s.latex, count=1)
            rows.append(row + (rf" && \text{{{s.tag}}}" if s.tag else ""))
        return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"

    def _repr_latex_(self) -> str:
        return "$$" + self.to_latex() + "$$"

    def to_html(self) -> str:
        """The steps as an HTML table (real sub- and superscripts, no maths renderer needed):
        a heading row per pass, one row per step, the equation numbers in their own column.

        >>> x = Value(2.0, "x")
        >>> print(explain(x * x).to_html())  # doctest: +ELLIPSIS
        <table class="chainrule-explain" ...>
        <tr><th ...>forward</th></tr>
        <tr><td ...>x·x = 2·2 = 4</td><td ...></td></tr>
        <tr><th ...>backward (the chain rule)</th></tr>
        <tr><td ...>∂(x·x)/∂(x·x) = 1</td><td ...></td></tr>
        ...
        </table>
        """
        cell = 'style="text-align:left; padding:1px 8px; white-space:nowrap"'
        rows = ['<table class="chainrule-explain" style="border-collapse:collapse">']
        heading = ""
        for s in self.steps:
            title = "backward (the chain rule)" if s.phase == "backward" else "forward"
            if title != heading:
                rows.append(f'<tr><th colspan="2" {cell}>{title}</th></tr>')
                heading = title
            rows.append(f"<tr><td {cell}>{s.html}</td><td {cell}>{s.tag}</td></tr>")
        rows.append("</table>")
        return "\n".join(rows)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_markdown_(self) -> str:
        r"""The steps as a Markdown list, each one ``$...$`` of LaTeX with its equation number.

        A label's characters stay inside the maths: no ``<``, ``>`` or ``&`` that a
        Markdown renderer would read as HTML (``\lt``, ``\gt``, ``\And`` instead), no
        line break that would end the ``$...$`` early, and a ``$`` escaped (``\$``).

        >>> x = Value(2.0, "<b>x</b>")
        >>> print(explain(x * 3)._repr_markdown_().splitlines()[0])
        1. $\lt b\gt x\lt /b\gt \cdot 3 = 2 \cdot 3 = 6$
        """
        lines = []
        for s in self.steps:
            tag = f" &nbsp; {s.tag}" if s.tag else ""
            lines.append(f"1. ${_markdown_math(s.latex)}${tag}")
        return "\n".join(lines)


def explain(
    root: Value, *, digits: int = 3, max_nodes: int | None = DEFAULT_MAX_NODES
) -> Explanation:
    """The forward pass and the backward pass of ``root``'s graph, one equation per step.

    Forward: each node's value from its inputs, in topological order. Backward:
    ∂L/∂L = 1, then one step per edge, in reverse topological order: the
    gradient of the node above times the local derivative of the edge (the
    rule's own derivative name where it has one, σ'(S)), with the numbers, to
    ``digits`` significant digits. Where a node feeds several others, each
    step adds its term (``+=``) and says the sum so far. Gradients are computed
    fresh (no ``.grad`` is read or changed).

    ``max_nodes`` (default :data:`~viz.drawing.DEFAULT_MAX_NODES`, as the drawings';
    None for no limit) bounds the nodes of the graph, counted before anything is
    named or computed: a larger graph raises :class:`~viz.drawing.GraphTooLargeError`
    (its explanation would be thousands of lines, and slow to make).

    >>> from autograd import Value
    >>> w, x, b = Value(0.5, "w"), Value(2.0, "x"), Value(0.1, "b")
    >>> f = (w * x - b).sigmoid()
    >>> f.label = "f"
    >>> print(explain(f))
    forward:
      w·x = 0.5·2 = 1
      w·x − b = 1 − 0.1 = 0.9
      f = σ(w·x − b) = σ(0.9) = 0.711
    <BLANKLINE>
    backward (the chain rule):
      ∂f/∂f = 1
      ∂f/∂(w·x − b) = ∂f/∂f · σ'(w·x − b) = 1 × 0.206 = 0.206
      ∂f/∂(w·x) = ∂f/∂(w·x − b) = 0.206
      ∂f/∂b = −∂f/∂(w·x − b) = -0.206
      ∂f/∂w = ∂f/∂(w·x) · x = 0.206 × 2 = 0.411
      ∂f/∂x = ∂f/∂(w·x) · w = 0.206 × 0.5 = 0.103
    """
    if not isinstance(root, Value):
        raise TypeError(f"explain needs a Value, got {type(root).__name__}")
    digits = check_digits(digits, "explain")
    check_size(len(topological_order(root)), max_nodes, "explain")  # before names, gradients
    view = graph_view(root)
    say = _Say(view, digits)
    steps: list[Step] = [say.forward(n) for n in view.nodes if n.edges]
    steps.append(say.start())
    for node in reversed(view.nodes):
        for edge in node.edges:
            if view.node(edge.child).kind != "constant":
                steps.append(say.backward(node, edge))
    return Explanation(root, tuple(steps))


def equation_tag(node: Node, child: Node, view: View) -> str:
    """The notes' equation number of the chain-rule step from ``node`` down to ``child``.

    For the notes' nn graphs (weighted sums labelled ``S_j^(k)``): (14) for
    ∂L/∂w, (13) for ∂L/∂b, (16) for ∂L/∂x through a sum, (22) for the output
    layer's δ, (18) and (19-20) for δ_1^(1) and δ_2^(1), (15) for any other
    hidden δ. "" elsewhere.
    """
    if node.value.op == "wsum":
        base = notation_base(child.value.label)
        if not child.value.inputs and base in ("w", "b"):
            return "(14)" if base == "w" else "(13)"
        return "(16)" if child.value.inputs else ""
    if len(node.edges) != 1 or notation_base(child.value.label) != "S":
        return ""
    users = [n for n in view.nodes if any(e.child is node.value for e in n.edges)]
    if not any(u.value.op == "wsum" for u in users):
        return "(22)"  # the output layer: δ = ∂L/∂y · σ'(S)
    parts = notation_parts(child.value.label)
    where = (parts[1], parts[2]) if parts else None
    hidden: dict[tuple[str | None, str | None] | None, str] = {
        ("1", "(1)"): "(18)",
        ("2", "(1)"): "(19-20)",
    }
    return hidden.get(where, "(15)")


class _Say:
    """Writes each step in the three styles."""

    def __init__(self, view: View, digits: int) -> None:
        self.view = view
        self.digits = digits
        self.root = view.node(view.root)
        self.shown = {n.value for n in view.nodes}
        self.terms: dict[Value, int] = {}  # contributions written so far, per node
        self.total: dict[Value, float] = {}
        self.incoming: dict[Value, int] = {}
        for n in view.nodes:
            for e in n.edges:
                self.incoming[e.child] = self.incoming.get(e.child, 0) + 1

    def num(self, x: float) -> str:
        return number(x, self.digits)

    def factor(self, x: float) -> str:
        text = self.num(x)
        return f"({text})" if text.startswith("-") else text

    def name(self, node: Node, style: str, wrap: bool = False) -> str:
        """A node's name; with ``wrap``, parenthesised unless it is one symbol (∂L/∂(y − t))."""
        composite = isinstance(node.name, Formula) and node.name.rule is not None
        if wrap and composite:
            shown = _PRINT[style](node.name)
            return latex_parentheses(shown) if style == "latex" else f"({shown})"
        return _PRINT[style](node.name, precedence=ATOM if wrap else 0)

    def gradient(self, node: Node, style: str) -> str:
        """δ_j^(k) for a weighted sum S_j^(k); else ∂L/∂node."""
        label = node.value.label
        if notation_base(label) == "S":
            return _LABEL[style]("δ" + label[1:])
        top, bottom = self.name(self.root, style, True), self.name(node, style, True)
        if style == "latex":
            return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"
        return f"∂{top}/∂{bottom}"

    def forward(self, node: Node) -> Step:
        value = node.value
        eq = self.view.equations[value]  # only nodes with inputs are explained forward
        rule, ins = eq.rule, [self.view.graph[a] for a in eq.inputs if isinstance(a, Var)]
        bare = rule.arity == 1 and rule.notation.kind == "call"  # σ(-0.159), no (( ))
        substituted = Formula("", rule, tuple(self.numbers(x, bare) for x in ins))
        definition = Formula("", rule, tuple(self.view.names[x] for x in ins))
        said: dict[str, str] = {}
        for style in STYLES:
            parts = [self.name(node, style), _PRINT[style](definition)]
            parts += [_PRINT[style](substituted), self.num(value.data)]
            said[style] = " = ".join(_dedupe(parts))
        said["latex"] = _one_line(latex_numbers(said["latex"]))
        phase = "loss" if value is self.view.root else "forward"
        return Step(phase, value, None, said["text"], said["html"], said["latex"], "", value.data)

    def numbers(self, x: Value, bare: bool = False) -> Any:
        """An input as its number, for the substituted line; a folded −b as − number."""
        if isinstance(x, Constant):
            return x.data
        inner = _negation(x)
        if inner is not None and x not in self.shown:
            return Formula("", RULES["mul"], (self.numbers(inner), -1.0))
        return Formula(self.num(x.data) if bare else self.factor(x.data))

    def start(self) -> Step:
        said = {s: f"{self.gradient(self.root, s)} = 1" for s in STYLES}
        said["latex"] = _one_line(said["latex"])
        root = self.view.root
        return Step("backward", root, None, said["text"], said["html"], said["latex"], "", 1.0)

    def backward(self, node: Node, edge: Edge) -> Step:
        child = self.view.node(edge.child)
        g = self.view.grads[node.value]
        p = edge.value
        contribution = g * p if p != 0.0 else 0.0
        k = self.terms.get(edge.child, 0) + 1
        self.terms[edge.child] = k
        self.total[edge.child] = self.total.get(edge.child, 0.0) + contribution
        added = self.incoming[edge.child] > 1 and k > 1  # a later term of a sum: "+="
        said: dict[str, str] = {}
        for style in STYLES:
            symbolic, numeric = self._product(node, edge, g, style)
            equals = " = "
            if added:  # "+=" as one relation: LaTeX would space a "+" before "="
                equals = r" \mathrel{+}= " if style == "latex" else " += "
            parts = [symbolic] + ([numeric] if numeric else []) + [self.num(contribution)]
            line = self.gradient(child, style) + equals + " = ".join(parts)
            if added:
                so = r",\ \text{so}\ " if style == "latex" else ", so "
                line += f"{so}{self.gradient(child, style)} = {self.num(self.total[edge.child])}"
            said[style] = line
        said["latex"] = _one_line(latex_numbers(said["latex"]))
        tag = equation_tag(node, child, self.view)
        return Step(
            "backward",
            edge.child,
            node.value,
            said["text"],
            said["html"],
            said["latex"],
            tag,
            contribution,
        )

    def _product(self, node: Node, edge: Edge, g: float, style: str) -> tuple[str, str]:
        """∂L/∂node times the edge's local derivative, in symbols and in numbers ("" when
        the numbers would say nothing new: a factor 1, or −g of a positive g)."""
        upper = self.gradient(node, style)
        if isinstance(edge.partial, float) and edge.partial == 1.0:
            return upper, ""
        if isinstance(edge.partial, float) and edge.partial == -1.0:
            minus = "-" if style == "latex" else "−"
            return minus + upper, f"{minus}{self.factor(g)}" if g < 0 else ""  # −(−0.2) = 0.2
        named = None
        if len(node.value.inputs) == 1:
            named = derivative_name(node.value.op, self.view.names[node.value.inputs[0]])
        local = named if named is not None else edge.partial
        symbolic = upper + _DOT[style] + _wrap_product(local, style)
        return symbolic, self.factor(g) + _TIMES[style] + self.factor(edge.value)


_TEXT = re.compile(r"\\text\{((?:[^{}\\]|\\.)*)\}")  # \text{...}: a label's braces are escaped
_HTML_CHARS = {"<": r"\lt ", ">": r"\gt ", "&": r"\And "}


def _markdown_math(latex: str) -> str:
    r"""LaTeX made safe inside Markdown's ``$...$``: ``<``, ``>`` and ``&`` as the maths
    commands ``\lt``, ``\gt``, ``\And`` (taken out of a ``\text{...}``, where commands are
    not read), so that no renderer sees HTML; :func:`explain` keeps each step on one line.

    >>> print(_markdown_math(r"\text{a<b} < c \& d"))
    \text{a}\lt \text{b} \lt  c \And  d
    """

    def outside_text(m: re.Match[str]) -> str:
        parts = re.split(r"(\\?[<>&])", m[1])  # "\&" is LaTeX's escaped &
        out = []
        for part in parts:
            char = part[-1:] if part in ("<", ">", "&", "\\&") else ""
            out.append(f"}}{_HTML_CHARS[char]}\\text{{" if char else part)
        return "\\text{" + "".join(out) + "}"

    latex = _TEXT.sub(outside_text, latex).replace("\\text{}", "")
    latex = latex.replace("\\&", "&")
    return re.sub("[<>&]", lambda m: _HTML_CHARS[m[0]], latex)


def _one_line(latex: str) -> str:
    """LaTeX with each run of white space (a label's line breaks too) as one space: a blank
    line would end a Markdown paragraph, and its maths, early (the same TeX either way).

    >>> _one_line("a\\n\\n  b")
    'a b'
    """
    return " ".join(latex.split())


def _dedupe(parts: list[str]) -> list[str]:
    out: list[str] = []
    for p in parts:
        if not out or out[-1] != p:
            out.append(p)
    return out


def _wrap_product(t: Any, style: str) -> str:
    """A local derivative as the right factor of a product: anything looser than a power
    (a sum, a product, a negation) goes in parentheses: ``∂L/∂u · (−w)``."""
    return _PRINT[style](t, precedence=POWER)
