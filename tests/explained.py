"""explain()'s forms read back: the cases learners bring and the parsers of a shown step.

Shared by tests/viz/test_viz_explain.py (text, LaTeX, Markdown, HTML) and
tests/viz/test_browser_explain.py (the same forms as KaTeX and a browser show them).
"""

from __future__ import annotations

import re

from learners import micrograd_readme, video_neuron

from autograd import Value
from nn import MLP, squared_error
from viz import explain
from viz.explain import Explanation


def notes_sample() -> tuple[MLP, Value]:
    """The notes' network (2 inputs, 2 hidden units, 1 output) and its loss at (1, 0) -> 1."""
    model = MLP(2, [2, 1])
    return model, squared_error(model([1.0, 0.0]), [1.0])


NUMBER = re.compile(r"\d+(?:\.\d+)?(?:\s*e\s*[-+−]?\s*\d+)?")
CALL = re.compile(r"[^\W\d_]+'?(?=\()")  # σ(, tanh(, σ'(: a function's name before its (
DOTS = ("·", "⋅", r"\cdot")  # a product's dot: text, KaTeX's rendering, LaTeX


def explained_cases() -> dict[str, Explanation]:
    """explain() of the graphs learners bring: the notes' network, a plain expression,
    micrograd's README expression (no labels) and the video's labelled neuron."""
    _, L = notes_sample()
    x = Value(3.0)
    plain = explain((x * x + 2 * x - 1).tanh())
    a, b, g = micrograd_readme(Value)  # noqa: RUF059 (explain names the leaves a and b by these)
    readme = explain(g)
    o = video_neuron(Value)["o"]
    return {"notes": explain(L), "plain": plain, "readme": readme, "neuron": explain(o)}


def equation_parts(shown: str) -> list[str]:
    """A step's sides, split at each ``=`` (and at the ", so" of a running sum)."""
    shown = shown.replace(r",\ \text{so}\ ", "=")
    shown = re.sub(r"[\s\u200b]+", " ", shown).replace(", so ", "=")
    return [part.strip() for part in shown.split("=")]


def numeric(part: str) -> bool:
    """Whether a side holds numbers only: ``(-0.129) × 0.666``, ``σ(0.689)``, ``49/2``."""
    rest = NUMBER.sub("", CALL.sub("", part))
    return set(rest) <= set("()×·/^+-− ")


TEN_TO = re.compile(r"(\d+(?:\.\d+)?)\s*(?:×|\\times)\s*\{?1\s*0\}?\s*\^?\{?\s*([-−]?)\s*(\d+)\}?")


def numbers(part: str) -> list[float]:
    """The numbers of a side, in order; 2.77 × 10^-12 (LaTeX) is 2.77e-12 (the text's)."""
    part = TEN_TO.sub(r"\1e\2\3", part)
    return [float(re.sub(r"\s", "", m).replace("−", "-")) for m in NUMBER.findall(part)]


def balanced(shown: str) -> bool:
    depth = 0
    for ch in shown:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def empty_factor(shown: str) -> str | None:
    """The first place a product has nothing on one side of its dot, else None."""
    tight = re.sub(r"[\s\u200b]|\\,|\\ ", "", shown).replace(r"\cdot", "·").replace("⋅", "·")
    tight = tight.replace(r"\times", "×").replace(r"\left(", "(").replace(r"\right)", ")")
    found = re.search(r"··|·[=×),&]|[=×(,&]·|^·|·$|\\text\{\}|\(\)", tight)
    return None if found is None else tight[max(0, found.start() - 12) : found.end() + 12]


def same_numbers(shown: str, text: str) -> None:
    """Each side of ``text`` that is numbers only has the same numbers in ``shown``."""
    mine, theirs = equation_parts(shown), equation_parts(text)
    assert len(mine) == len(theirs), (shown, text)
    for got, want in zip(mine, theirs, strict=True):
        if numeric(want):
            assert sorted(numbers(got)) == sorted(numbers(want)), (got, want)


def html_text(markup: str) -> str:
    """What a browser shows of an HTML fragment: tags dropped, entities read."""
    import html

    return html.unescape(re.sub(r"<[^>]*>", "", markup))
