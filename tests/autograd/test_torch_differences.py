"""Every row of ``autograd.RULES`` against PyTorch on the special values, and the table of
differences on docs/pytorch.md ("Coming from PyTorch") checked against what is measured.

Each row runs on every combination of the special values (0, -0.0, ±1, ±inf, nan,
subnormal, huge) in chainrule and in PyTorch 2.13: its value, its first derivatives (with
1, inf and nan arriving from above) and, where the row has them, its second derivatives
(grad of grad); the masking rows also run on a product x·y, so that their second
derivatives pass through the mask, and the rows with quotient partials run in the
compositions where those partials overflow alone (first derivatives). Every disagreement
must be one that :data:`DIFFERENCES` covers, every difference there must still be measured,
and each is a row of docs/pytorch.md's table "What differs from micrograd, and from PyTorch":
the table cannot miss one, nor keep one that is gone. Skipped where PyTorch is not installed.
"""

from __future__ import annotations

import functools
import itertools
import math
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torch_reference import NUMBERS, TORCH, torch

from autograd import RULES, Value, grad
from autograd.ops import apply

INF, NAN = math.inf, math.nan
TINY = sys.float_info.min  # the smallest normal float; below it, subnormals
SPECIAL = [0.0, -0.0, 1.0, -1.0, INF, -INF, NAN, 1e-310, -1e-310, 1e308, -1e308]
PAGE = Path(__file__).resolve().parents[2] / "docs" / "pytorch.md"


PARTIAL_ROWS = {name for name, rule in RULES.items() if rule.helper}
# more points where a row has an edge of its own: pow's exponents where C's pow and
# PyTorch's sqrt/rsqrt part, softplus beyond PyTorch's threshold
EXTRA: dict[str, list[tuple[float, ...]]] = {
    "pow": [(x, c) for x in SPECIAL for c in (0.5, -0.5, 1.5, -1.5, 2.0, 3.0)],
    "softplus": [(25.0,), (-25.0,)],
}
# the masking rows on a product, for second derivatives through the mask
THROUGH_A_PRODUCT: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "relu": (lambda x, y: (x * y).relu(), lambda x, y: torch.relu(x * y)),
    "abs": (lambda x, y: abs(x * y), lambda x, y: torch.abs(x * y)),
    "clamp": (lambda x, y: (x * y).clamp(-1.0, 1.0), lambda x, y: torch.clamp(x * y, -1.0, 1.0)),
    "maximum": (lambda x, y: (x * y).maximum(y), lambda x, y: torch.maximum(x * y, y)),
    "minimum": (lambda x, y: (x * y).minimum(y), lambda x, y: torch.minimum(x * y, y)),
}
# compositions whose first derivatives meet a quotient partial that overflows on its own
# (log's 1/x, div's 1/y and −(x/y)/y at a subnormal input); torch tensors take the same calls
COMPOSITES: dict[str, Callable[..., Any]] = {
    "x·log(x)": lambda x: x * x.log(),
    "x·log2(x)": lambda x: x * x.log2(),
    "x·log10(x)": lambda x: x * x.log10(),
    "y·(x/y)": lambda x, y: y * (x / y),
}


@dataclass(frozen=True)
class Case:
    """One disagreement: ``what`` of ``row`` at ``at`` (the row's own inputs)."""

    row: str
    what: str  # "value", "∂i", "∂i, inf arriving", "∂i∂j", "∂i∂j through x·y"
    at: tuple[float, ...]
    ours: float
    theirs: float


@dataclass(frozen=True)
class Difference:
    """A row of the page's table: the case, PyTorch's answer, chainrule's, and which
    measured disagreements it accounts for."""

    case: str
    pytorch: str
    chainrule: str
    covers: Callable[[Case], bool]

    def line(self) -> str:
        return f"| {self.case} | — | {self.pytorch} | {self.chainrule} |"


def _second(case: Case) -> bool:
    return case.what.count("∂") == 2


def _arriving(case: Case) -> bool:
    return "arriving" in case.what


def _negative_zero(x: float) -> bool:
    return x == 0.0 and math.copysign(1.0, x) < 0.0


def _at_an_edge(x: float) -> bool:
    """x ≤ 0, ±inf, nan, subnormal or huge: where x ** y's partials have no finite form."""
    return not TINY <= x <= 1e300


def _mixed_at_y_0(case: Case) -> bool:
    """∂²(x ** y)/∂x∂y at y = 0 and a positive x: 1/x, PyTorch's 0."""
    if case.row != "powv" or case.what not in ("∂0∂1", "∂1∂0"):
        return False
    x, y = case.at
    return y == 0.0 and 0.0 < x < INF


DIFFERENCES: list[Difference] = [
    Difference(
        "`softplus` above 20",
        "returns x (threshold 20)",
        "exact `max(x, 0) + log1p(e^−|x|)`, relative difference < 2·10⁻⁹",
        lambda c: c.row == "softplus" and c.at[0] > 20.0 and not _arriving(c),
    ),
    Difference(
        "`abs` at 0 with an inf/nan gradient",
        "nan (`sign(0) · inf`)",
        "0 (the row masks its zero partial)",
        lambda c: c.row == "abs" and _arriving(c) and c.at[0] == 0.0,
    ),
    Difference(
        "`abs′(nan)` (and so second derivatives through `abs` of nan)",
        "0 (`sgn(nan)` is 0)",
        "nan (`sign(nan)`)",
        lambda c: c.row == "abs" and math.isnan(c.at[0]) and c.what != "value",
    ),
    Difference(
        "`sign(nan)`",
        "0",
        "nan (as NumPy's)",
        lambda c: c.row == "sign" and c.what == "value" and math.isnan(c.at[0]),
    ),
    Difference(
        "`relu(-0.0)`",
        "−0.0",
        "+0.0 (`max(x, 0)`): `atan2(relu(x), −1)` at x = −0.0 is π, PyTorch's −π",
        lambda c: c.row == "relu" and c.what == "value" and _negative_zero(c.at[0]),
    ),
    Difference(
        "`x ** 0.5`, `x ** -0.5` at x = −0.0 and −inf (and the derivatives of `x ** 1.5`)",
        "`sqrt`, `rsqrt`: −0.0 and −inf at −0.0, nan at −inf",
        "C's `pow`: +0.0 and +inf at −0.0, +inf and +0.0 at −inf",
        lambda c: (
            c.row == "pow"
            and (_negative_zero(c.at[0]) or c.at[0] == -INF)
            and c.at[1] in (0.5, -0.5, 1.5)
        ),
    ),
    Difference(
        "∂(x ** y)/∂x at y = 0 with an inf/nan gradient (y a Value)",
        "0 (`where(y == 0, 0, …)`)",
        "nan (`inf · 0`; a number exponent, `x ** 0`, gives 0)",
        lambda c: c.row == "powv" and c.what.startswith("∂0,") and c.at[1] == 0.0,
    ),
    Difference(
        "∂²(x ** y)/∂y∂x at y = 0 (∂/∂x, then ∂/∂y)",
        "0 (1/x in the other order)",
        "1/x in both orders, the exact x^(y−1)·(y log x + 1)",
        _mixed_at_y_0,
    ),
    Difference(
        "other second derivatives of `x ** y` (y a Value) at x ≤ 0, ±inf, subnormal or huge",
        "its `where` forms differentiated: 0, ±1/x or nan",
        "`y·x^(y−1)` and `x^y·log x` differentiated: ±inf or nan",
        lambda c: c.row == "powv" and _second(c) and _at_an_edge(c.at[0]) and not _mixed_at_y_0(c),
    ),
    Difference(
        "`atan2`'s second derivatives where x² + y² rounds to 0",
        "nan",
        "0 (the first derivatives are 0 there, PyTorch's convention, and so are theirs)",
        lambda c: c.row == "atan2" and _second(c) and c.at[0] * c.at[0] + c.at[1] * c.at[1] == 0.0,
    ),
    Difference(
        "second derivatives of `relu(x·y)` where x·y is ±inf or nan",
        "nan (its backward's exact 0 flows back through the mask and meets the inf)",
        "the mask's 0 or 1: a mask is flat, nothing flows back through it",
        lambda c: (
            c.row == "relu"
            and c.what.endswith("through x·y")
            and math.isnan(c.theirs)
            and math.isfinite(c.ours)
        ),
    ),
    Difference(
        "`sinc`'s second derivative where x·x·π is 0 (x = 0, subnormal x)",
        "nan (its backward's `where` sends 0 into (πx·cos πx − sin πx)/(x·x·π): 0/0)",
        "0, as for the masks: the masked first derivative is flat (the exact value is −π²/3)",
        lambda c: c.row == "sinc" and _second(c) and c.at[0] * c.at[0] * math.pi == 0.0,
    ),
    Difference(
        "∂(x / y)/∂y where −(x/y)/y overflows, as in `y * (x / y)` at x = y = 1e-310",
        "−(x/y)/y formed alone: ±inf",
        "(g · −(x/y)) / y: `y * (x / y)` gets the exact 0",
        lambda c: c.row == "y·(x/y)" and c.what == "∂1" and math.isinf(c.theirs),
    ),
]


def _agree(ours: float, theirs: float, signed: bool) -> bool:
    if math.isnan(ours) or math.isnan(theirs):
        return math.isnan(ours) and math.isnan(theirs)
    if ours == theirs:  # a zero's sign counts in values only: sums order it differently
        return not signed or math.copysign(1.0, ours) == math.copysign(1.0, theirs)
    return math.isfinite(theirs) and abs(ours - theirs) <= 1e-12 * abs(theirs)


def _points(name: str) -> Iterator[tuple[float, ...]]:
    rule = RULES[name]
    yield from itertools.product(SPECIAL, repeat=3 if rule.arity in (0, 3) else rule.arity)
    yield from EXTRA.get(name, [])


def _ours(f: Callable[..., Any], args: list[Any], upstream: float) -> tuple[Any, ...]:
    """The value, first derivatives (times ``upstream``) and, for 1, second derivatives."""
    leaves = [a for a in args if isinstance(a, Value)]
    out = f(*args)
    if upstream != 1.0:
        return out.data, [g.data for g in grad(out * upstream, leaves)], []
    firsts = grad(out, leaves, create_graph=True)
    return out.data, [g.data for g in firsts], [[h.data for h in grad(g, leaves)] for g in firsts]


def _theirs(f: Callable[..., Any], args: list[Any], upstream: float) -> tuple[Any, ...]:
    leaves = [a for a in args if isinstance(a, torch.Tensor)]
    out = f(*args)
    n = len(leaves)
    if not out.requires_grad:  # a mask of comparisons: flat, no graph
        return out.item(), [0.0] * n, [[0.0] * n for _ in range(n)]
    seed = torch.tensor(upstream, dtype=torch.float64)
    firsts = torch.autograd.grad(out, leaves, seed, create_graph=True, allow_unused=True)
    numbers = [0.0 if g is None else g.item() for g in firsts]
    if upstream != 1.0:
        return out.item(), numbers, []
    seconds = []
    for g in firsts:
        if g is None or not g.requires_grad:
            seconds.append([0.0] * n)
            continue
        hs = torch.autograd.grad(g, leaves, retain_graph=True, allow_unused=True)
        seconds.append([0.0 if h is None else h.item() for h in hs])
    return out.item(), numbers, seconds


def _compare(
    row: str, at: tuple[float, ...], ours: tuple[Any, ...], theirs: tuple[Any, ...], how: str
) -> Iterator[Case]:
    (value, firsts, seconds), (t_value, t_firsts, t_seconds) = ours, theirs
    if how == "" and not _agree(value, t_value, signed=True):
        yield Case(row, "value", at, value, t_value)
    for i, (a, b) in enumerate(zip(firsts, t_firsts, strict=True)):
        if not _agree(a, b, signed=False):
            yield Case(row, f"∂{i}{how}", at, a, b)
    for i, (row_a, row_b) in enumerate(zip(seconds, t_seconds, strict=True)):
        for j, (a, b) in enumerate(zip(row_a, row_b, strict=True)):
            if not _agree(a, b, signed=False):
                yield Case(row, f"∂{i}∂{j}{how}", at, a, b)


def _row_cases(name: str) -> Iterator[Case]:
    numbers = NUMBERS.get(name, ())
    ours_f = functools.partial(apply, name)
    for at in _points(name):
        for upstream in (1.0, INF, NAN):
            if upstream != 1.0 and name in PARTIAL_ROWS:
                continue
            ours_args = [x if i in numbers else Value(x) for i, x in enumerate(at)]
            theirs_args = [
                x if i in numbers else torch.tensor(x, dtype=torch.float64, requires_grad=True)
                for i, x in enumerate(at)
            ]
            ours = _ours(ours_f, ours_args, upstream)
            theirs = _theirs(TORCH[name], theirs_args, upstream)
            if name in PARTIAL_ROWS:  # its derivatives are its user's second derivatives
                ours, theirs = (ours[0], [], []), (theirs[0], [], [])
            how = "" if upstream == 1.0 else f", {upstream} arriving"
            yield from _compare(name, at, ours, theirs, how)


def _through_a_product(name: str) -> Iterator[Case]:
    ours_f, theirs_f = THROUGH_A_PRODUCT[name]
    for x, y in itertools.product(SPECIAL, repeat=2):
        ours = _ours(ours_f, [Value(x), Value(y)], 1.0)
        tx, ty = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (x, y))
        theirs = _theirs(theirs_f, [tx, ty], 1.0)
        at = (x * y, y) if name in ("maximum", "minimum") else (x * y,)
        ours = (ours[0], [], ours[2])  # the product's own first derivatives are the row's
        theirs = (theirs[0], [], theirs[2])
        yield from _compare(name, at, ours, theirs, " through x·y")


def _composite(name: str) -> Iterator[Case]:
    f = COMPOSITES[name]
    for at in itertools.product(SPECIAL, repeat=f.__code__.co_argcount):
        ours = _ours(f, [Value(x) for x in at], 1.0)
        theirs = _theirs(
            f, [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in at], 1.0
        )
        yield from _compare(name, at, (ours[0], ours[1], []), (theirs[0], theirs[1], []), "")


@functools.cache
def measured() -> tuple[Case, ...]:
    """Every disagreement with PyTorch, on every row, at every special point."""
    cases = [c for name in RULES for c in _row_cases(name)]
    cases += [c for name in THROUGH_A_PRODUCT for c in _through_a_product(name)]
    cases += [c for name in COMPOSITES for c in _composite(name)]
    return tuple(cases)


def _table() -> list[str]:
    """docs/pytorch.md's table "What differs from micrograd, and from PyTorch", one line a row."""
    text = PAGE.read_text(encoding="utf-8")
    start = text.index("What differs from micrograd, and from PyTorch")
    lines = text[start:].splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table = list(itertools.takewhile(lambda line: line.startswith("|"), lines[first:]))
    return table[2:]  # after the header and its rule


# the table's rows about PyTorch that no special value measures: behaviour, not numbers
NOT_NUMBERS = ("`x.grad = None`", "`%`", "a leaf's gradient `-0.0`", "pickling a graph")


def test_every_row_has_a_pytorch_counterpart() -> None:
    assert set(TORCH) == set(RULES), "a row needs its counterpart in tests/torch_reference.py"


def test_every_disagreement_with_pytorch_is_in_the_table() -> None:
    unlisted = [c for c in measured() if not any(d.covers(c) for d in DIFFERENCES)]
    shown = "\n".join(f"  {c}" for c in unlisted[:40])
    assert not unlisted, f"{len(unlisted)} disagreements with PyTorch no row covers:\n{shown}"


def test_every_difference_in_the_table_is_still_measured() -> None:
    cases = measured()
    for d in DIFFERENCES:
        assert any(d.covers(c) for c in cases), f"no longer differs from PyTorch: {d.case}"


def test_the_pages_table_is_the_list_of_differences() -> None:
    table = _table()
    for d in DIFFERENCES:
        assert d.line() in table, f"docs/pytorch.md's table lacks the row:\n{d.line()}"
    lines = {d.line() for d in DIFFERENCES}
    behaviour = tuple(f"| {name} |" for name in NOT_NUMBERS)
    for line in table:
        micrograd, pytorch = [cell.strip() for cell in line.split(" | ")][1:3]
        if micrograd != "—" or pytorch == "—" or line.startswith(behaviour):
            continue
        assert line in lines, f"docs/pytorch.md's table has a row no test measures:\n{line}"
