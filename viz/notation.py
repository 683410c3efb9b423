"""The notes' notation as Graphviz HTML-like labels: escaping, sub- and superscripts, numbers."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

__all__ = [
    "SCRIPT_SCALE",
    "ZERO_NOTE",
    "escape",
    "has_superscript",
    "label_html",
    "label_latex",
    "latex_numbers",
    "notation_base",
    "notation_parts",
    "number",
    "scripts_sized",
    "svg_scripts",
]

SCRIPT_SCALE = 0.7
"""Sub- and superscripts are drawn at this fraction of the text's size."""

ZERO_NOTE = (
    "0 and -0 are the same number: IEEE arithmetic gives -0 where a product or a sum "
    "with a negative part is zero (-δ·0, say), and 0 == -0 is True, so a difference "
    "of -0.0e+00 means the two agree exactly, as 0.0e+00 does. The drawings and "
    "explain() always show 0."
)
"""The note for a table that may print ``-0`` (the demo's side-by-side table)."""

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


def notation_parts(label: str) -> tuple[str, str | None, str | None] | None:
    """A label in the notes' notation as (base, subscript, superscript), else None.

    >>> notation_parts("w_11^(2)"), notation_parts("L"), notation_parts("a_b_c")
    (('w', '11', '(2)'), ('L', None, None), None)
    """
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
    return _scripted(label, escape, escape, "{}<SUB>{}</SUB>", "{}<SUP>{}</SUP>")


def label_latex(label: str) -> str:
    r"""A label in the notes' notation as LaTeX: ``w_{11}^{(2)}``; Greek letters as commands.

    >>> label_latex("w_11^(2)"), label_latex("δ_1^(2)"), label_latex("x^{(0)}")
    ('w_{11}^{(2)}', '\\delta_{1}^{(2)}', 'x^{(0)}')
    >>> label_latex("a_b_c")
    '\\text{a\\_b\\_c}'
    """
    parts = notation_parts(label)
    if parts is None:
        return r"\text{" + _latex_escape(label) + "}"
    return _scripted(label, _latex_word, _latex_escape, "{}_{{{}}}", "{}^{{{}}}")


def _scripted(
    label: str,
    base_text: Callable[[str], str],
    script_text: Callable[[str], str],
    sub_form: str,
    sup_form: str,
) -> str:
    """A label as base, subscript and superscript in one target's forms (or escaped whole)."""
    parts = notation_parts(label)
    if parts is None:
        return base_text(label)
    base, sub, sup = parts
    text = base_text(base)
    if sub is not None:
        text = sub_form.format(text, script_text(sub))
    if sup is not None:
        text = sup_form.format(text, script_text(sup))
    return text


_GREEK = {"δ": r"\delta", "σ": r"\sigma", "η": r"\eta", "∂": r"\partial", "…": r"\ldots"}
_LATEX_SPECIAL = re.compile(r"([#$%&_{}~^\\])")


def _latex_escape(text: str) -> str:
    text = _LATEX_SPECIAL.sub(lambda m: "\\" + m[1] if m[1] not in "~^\\" else " ", text)
    return "".join(_GREEK.get(ch, ch) for ch in text)


def _latex_word(base: str) -> str:
    if base in _GREEK:
        return _GREEK[base]
    if len(base) > 1 and base.isalpha() and base.isascii():
        return r"\mathrm{" + base + "}"
    return _latex_escape(base)


def scripts_sized(label: str, size: float) -> str:
    """A Graphviz HTML-like label with its sub- and superscripts at SCRIPT_SCALE of ``size``.

    >>> scripts_sized("w<SUB>11</SUB>", 12)
    'w<SUB><FONT POINT-SIZE="8.4">11</FONT></SUB>'
    """
    small = f'<FONT POINT-SIZE="{round(size * SCRIPT_SCALE, 1):g}">'
    for tag in ("SUB", "SUP"):
        label = label.replace(f"<{tag}>", f"<{tag}>{small}").replace(
            f"</{tag}>", f"</FONT></{tag}>"
        )
    return label


_TEXT = re.compile(r"^<text (?P<attrs>[^>]*)>(?P<body>.*)</text>$")
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')
_SHIFT = {"sub": 0.3, "super": -0.45}  # of the line's text size, downwards


def svg_scripts(svg: str) -> str:
    r"""Graphviz's SVG with each line that has sub- or superscripts as one ``<text>``.

    Graphviz writes ``w``, ``11`` and ``(2)`` as separate ``<text>`` elements at
    positions from its own font metrics, so with the viewer's font they overlap or
    gap, and a ``baseline-shift`` on ``<text>`` is drawn differently by browsers
    and rasterisers. Here each such line becomes one ``<text>`` of ``<tspan>``\ s
    that the viewer lays out itself, shifted with ``dy`` (the same in Chromium
    and librsvg).

    >>> svg = '\n'.join([
    ...     '<text text-anchor="start" x="8" y="-15" font-size="14.00">w</text>',
    ...     '<text text-anchor="start" x="20" y="-15" baseline-shift="sub" '
    ...     'font-size="9.80">11</text>',
    ...     '<text text-anchor="start" x="31" y="-15" font-size="14.00"> = 3.9</text>'])
    >>> print(svg_scripts(svg))  # doctest: +NORMALIZE_WHITESPACE
    <text xml:space="preserve" text-anchor="start" x="8" y="-15" font-size="14.00"><tspan
    font-size="14.00">w</tspan><tspan font-size="9.80" dy="4.2">11</tspan><tspan
    font-size="14.00" dy="-4.2"> = 3.9</tspan></text>
    """
    lines = svg.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        group: list[tuple[dict[str, str], str]] = []
        while i + len(group) < len(lines):
            m = _TEXT.match(lines[i + len(group)])
            if m is None:
                break
            attrs = dict(_ATTR.findall(m["attrs"]))
            if attrs.get("text-anchor") != "start" or (
                group and attrs.get("y") != group[0][0]["y"]
            ):
                break
            group.append((attrs, m["body"]))
        if not any("baseline-shift" in attrs for attrs, _ in group):
            out.append(lines[i])
            i += 1
            continue
        out.append(_merged(group))
        i += len(group)
    return "\n".join(out)


def _merged(group: list[tuple[dict[str, str], str]]) -> str:
    first = group[0][0]
    size = max(float(attrs.get("font-size", "14")) for attrs, _ in group)
    dropped = ("baseline-shift", "font-size", "xml:space")  # newer Graphviz writes xml:space
    keep = {k: v for k, v in first.items() if k not in dropped}
    head = " ".join(f'{k}="{v}"' for k, v in keep.items())
    pieces, shift = [], 0.0
    for attrs, body in group:
        wanted = _SHIFT.get(attrs.get("baseline-shift", ""), 0.0) * size
        extra = "".join(
            f' {k}="{v}"'
            for k, v in attrs.items()
            if k in ("font-size", "fill", "font-weight", "font-style", "font-family")
            and (k == "font-size" or v != first.get(k))
        )
        dy = f' dy="{round(wanted - shift, 2):g}"' if wanted != shift else ""
        pieces.append(f"<tspan{extra}{dy}>{body}</tspan>")
        shift = wanted
    font = f' font-size="{first.get("font-size", size)}"'
    return f'<text xml:space="preserve" {head}{font}>{"".join(pieces)}</text>'


def has_superscript(label: str) -> bool:
    """Whether :func:`label_html` gives ``label`` a superscript (so a power needs parentheses).

    >>> has_superscript("x_1^(1)"), has_superscript("x_1"), has_superscript("a_b_c")
    (True, False, False)
    """
    parts = notation_parts(label)
    return parts is not None and parts[2] is not None


def notation_base(label: str) -> str | None:
    """The base of a label in the notes' notation, else None.

    >>> notation_base("S_1^(2)"), notation_base("Score"), notation_base("a_b_c")
    ('S', 'Score', None)
    """
    parts = notation_parts(label)
    return None if parts is None else parts[0]


def number(x: float, digits: int = 4) -> str:
    """``x`` to ``digits`` significant digits, as shown in the drawings; zero is ``0``.

    ``-0.0`` equals ``0.0`` (IEEE compares them equal; only the sign bit differs, from
    a product with a negative number), so it is shown as ``0``: a student never sees
    ``-0``.

    >>> number(0.24026074574152914), number(-3.0), number(1e-12), number(float("nan"))
    ('0.2403', '-3', '1e-12', 'nan')
    >>> number(-0.0), number(-1e-30, 3)
    ('0', '-1e-30')
    """
    return "0" if x == 0.0 else f"{x:.{digits}g}"


_E_NUMBER = re.compile(r"(?<![\w.\\])(\d+(?:\.\d+)?)e([-+]?)0*(\d+)(?![\w.])")
_NOT_A_NUMBER = re.compile(r"(?<![\w\\])(nan|inf)(?!\w)")


def latex_numbers(latex: str) -> str:
    r"""LaTeX with each number written by :func:`number` set as mathematics: ``2.77e-12`` as
    ``2.77 \times {10}^{-12}`` (not the variable e minus 12), ``inf`` as ``\infty``, ``nan``
    upright.

    >>> print(latex_numbers(r"1 \times 2.77e-12 = 2.77e-12"))
    1 \times 2.77 \times {10}^{-12} = 2.77 \times {10}^{-12}
    >>> print(latex_numbers("1e+03 - inf + nan"))
    1 \times {10}^{3} - \infty + \mathrm{nan}
    """
    latex = _E_NUMBER.sub(
        lambda m: rf"{m[1]} \times {{10}}^{{{'-' if m[2] == '-' else ''}{m[3]}}}", latex
    )
    return _NOT_A_NUMBER.sub(lambda m: r"\infty" if m[1] == "inf" else r"\mathrm{nan}", latex)
