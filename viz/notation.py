"""The notes' notation as Graphviz HTML-like labels: escaping, sub- and superscripts, numbers."""

from __future__ import annotations

import html
import re

__all__ = ["escape", "has_superscript", "label_html", "notation_base", "number"]

# A label in the notes' notation: a base, then an optional subscript after "_" and
# an optional superscript after "^", each either a plain run or wrapped in {braces}.
_NOTATION = re.compile(
    r"(?P<base>[^_^{}]+)"
    r"(?:_(?:\{(?P<subb>[^{}]*)\}|(?P<sub>[^_^{}]+)))?"
    r"(?:\^(?:\{(?P<supb>[^{}]*)\}|(?P<sup>[^_^{}]+)))?"
)
# Characters XML 1.0 forbids (Graphviz refuses them, and an SVG holding them is not XML).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NEWLINE = re.compile("\r\n|\r|\n")


def _visible(match: re.Match[str]) -> str:
    return ascii(match.group())[1:-1]  # "\x01" shows as the four characters \x01


def escape(text: str) -> str:
    """``text`` made safe inside a Graphviz HTML-like label: shown as written, never markup.

    ``& < > " '`` become entities, a line break becomes ``<BR/>``, a tab a space, and a
    character XML forbids (a control character, a lone surrogate) shows as its escape.

    >>> escape('<script>alert("x & y")</script>')
    '&lt;script&gt;alert(&quot;x &amp; y&quot;)&lt;/script&gt;'
    >>> escape("two\\nlines\\x00")
    'two<BR/>lines\\\\x00'
    """
    text = html.escape(text, quote=True)
    if not text.isprintable():
        text = _NEWLINE.sub("<BR/>", _FORBIDDEN.sub(_visible, text.replace("\t", " ")))
    return text


def _parts(label: str) -> tuple[str, str | None, str | None] | None:
    match = _NOTATION.fullmatch(label)
    if match is None:
        return None
    sub = match["subb"] if match["subb"] is not None else match["sub"]
    sup = match["supb"] if match["supb"] is not None else match["sup"]
    return match["base"], sub, sup


def label_html(label: str) -> str:
    """A label in the notes' notation as an HTML-like label with real sub- and superscripts.

    ``base_sub^sup``: the subscript follows ``_`` and the superscript ``^``; either may
    be wrapped in braces. A label that does not fit this shape is shown as written.
    Every piece is escaped.

    >>> label_html("w_11^(2)")
    'w<SUB>11</SUB><SUP>(2)</SUP>'
    >>> label_html("w_10,3^(2)"), label_html("x^{(0)}"), label_html("L")
    ('w<SUB>10,3</SUB><SUP>(2)</SUP>', 'x<SUP>(0)</SUP>', 'L')
    >>> label_html("a_b_c<")
    'a_b_c&lt;'
    """
    parts = _parts(label)
    if parts is None:
        return escape(label)
    base, sub, sup = parts
    text = escape(base)
    if sub is not None:
        text += f"<SUB>{escape(sub)}</SUB>"
    if sup is not None:
        text += f"<SUP>{escape(sup)}</SUP>"
    return text


def has_superscript(label: str) -> bool:
    """Whether :func:`label_html` gives ``label`` a superscript (so a power needs parentheses).

    >>> has_superscript("x_1^(1)"), has_superscript("x_1"), has_superscript("a_b_c")
    (True, False, False)
    """
    parts = _parts(label)
    return parts is not None and parts[2] is not None


def notation_base(label: str) -> str | None:
    """The base of a label in the notes' notation, else None.

    >>> notation_base("S_1^(2)"), notation_base("Score"), notation_base("a_b_c")
    ('S', 'Score', None)
    """
    parts = _parts(label)
    return None if parts is None else parts[0]


def number(x: float, digits: int = 4) -> str:
    """``x`` to ``digits`` significant digits, as shown in the drawings.

    >>> number(0.24026074574152914), number(-3.0), number(1e-12), number(float("nan"))
    ('0.2403', '-3', '1e-12', 'nan')
    """
    return f"{x:.{digits}g}"
