"""Random expression graphs: backward against finite differences, grad(), itself, any float."""

from __future__ import annotations

import math

from compare import equal
from hypothesis import Phase, event, find, given, settings
from hypothesis import strategies as st
from strategies import OPS, ROWS, Graph, graphs

from autograd import Value, grad

# Leaves and constants in [-3, 3], every node kept where derivatives are well conditioned.
TAME = graphs(tame=True)
# The same over every public row of the registry too (atan2, mod, sinc, ...).
TAME_ROWS = graphs(tame=True, ops=(*OPS, *ROWS))
# Any float at all, nan and ±inf included, as leaves and as constants.
WILD = graphs(values=st.floats(), constants=st.floats())


def build(graph: Graph) -> tuple[list[Value], list[Value]]:
    """The graph on fresh leaf Values: (leaves, every node)."""
    leaves = [Value(x, f"x{i}") for i, x in enumerate(graph.leaves)]
    return leaves, graph.build(leaves)


# --- finite differences -------------------------------------------------------------


def finite_difference(graph: Graph, k: int) -> tuple[float, float] | None:
    """∂out/∂node_k by central differences, as (estimate, error bound), or None.

    The output is evaluated with ``math`` alone (Graph.trace) as a function of
    node k's value, never through the engine. Three step sizes h, h/2, h/4 give
    three central differences D; Richardson extrapolation R = D(h/2) + (D(h/2) -
    D(h))/3 removes their h² error term, so two estimates R1 (from h, h/2) and R2
    (from h/2, h/4) remain, and |R1 - R2| measures what is left: higher-order terms
    and rounding noise (which differs between the step sizes). This is done at two
    scales, h = 2**-8·max(1, |node_k|) and h/64, so that a curve too sharp for the
    larger steps (tanh of a huge multiple of x², three rad2deg deep) shows itself.

    The output counts as well conditioned there, and the larger scale's estimate
    is returned, only if (decided from the function alone, never from the engine's
    answer): every node is a finite real at all thirteen points (no overflow, pole
    or domain error); the inputs of every op with a kink, pole, jump or domain
    edge lie on the same smooth piece at all of them, and not on its edge
    (strategies.PIECES); R1 and R2 agree at each scale, and the two scales agree
    with each other, to 1e-4 relative to the estimate plus the rounding noise (the
    largest node's size times a few hundred U, over the smallest step), so the
    estimate is not noise.
    """
    try:
        nodes, centre = graph.trace(graph.leaves)
        if 0.0 in centre:
            return None  # on a kink or a pole itself
        x = nodes[k]
        h = 2.0**-8 * max(1.0, abs(x))
        coarse = _richardson(graph, k, x, h, centre)
        fine = _richardson(graph, k, x, h / 64, centre)
    except (ArithmeticError, ValueError):
        return None
    if coarse is None or fine is None:
        return None
    if abs(coarse[0] - fine[0]) > 1e-4 * (abs(fine[0]) + fine[1]):
        return None
    return coarse


def _richardson(
    graph: Graph, k: int, x: float, h: float, centre: list[float]
) -> tuple[float, float] | None:
    """Finite_difference's estimate and error bound at steps h, h/2, h/4 around node k's
    value x (None: not smooth, or noise); raises where a node is not a finite real."""
    magnitude = 0.0
    differences: list[float] = []
    for step in (h, h / 2, h / 4):
        sides = []
        for shifted in (x + step, x - step):
            nodes, branches = graph.trace(graph.leaves, nudge=(k, shifted))
            if branches != centre:
                return None  # a kink or a pole lies within the step
            sides.append(nodes[-1])
            magnitude = max(magnitude, *map(abs, nodes))
        differences.append((sides[0] - sides[1]) / ((x + step) - (x - step)))
    r1 = differences[1] + (differences[1] - differences[0]) / 3
    r2 = differences[2] + (differences[2] - differences[1]) / 3
    # Rounding noise of a difference quotient: each node rounds by U relative, so
    # the output carries absolute errors of a few hundred U times the largest
    # node (`magnitude`) after up to 80 ops; divided by the smallest step.
    noise = 256 * 2.0**-53 * magnitude / (h / 4)
    spread = abs(r1 - r2)
    if spread > 1e-4 * (abs(r2) + noise):
        return None
    return r2, 16 * spread + noise


@given(st.one_of(TAME, TAME_ROWS))
def test_backward_matches_finite_differences(graph: Graph) -> None:
    # every node's grad, leaves and interior nodes alike, is ∂out/∂node: so each
    # op's rule is checked in place, wherever it sits in the graph
    _, nodes = build(graph)
    out = nodes[-1]
    out.backward()
    checked = 0
    for k, node in enumerate(nodes):
        estimate = finite_difference(graph, k)
        if estimate is None:
            continue
        numeric, error = estimate
        # the analytic gradient may differ from the estimate by the estimate's own
        # error bound plus 1e-6 relative (the engine's rounding, far below that)
        allowed = error + 1e-6 * abs(numeric)
        assert abs(node.grad - numeric) <= allowed, (
            f"∂out/∂{graph.name(k)} ({node.op or 'leaf'}): backward {node.grad!r}, "
            f"finite differences {numeric!r} (allowed ±{allowed:.3g})"
        )
        checked += 1
    # The forward values must agree too wherever a derivative was checked: each
    # op is the same math on both sides (compositions such as a/b = a·b**-1
    # round a little differently from a/b), which a well-conditioned graph
    # amplifies by far less than the 1e7 that 1e-9 relative would take.
    if checked:
        reference = graph.evaluate(graph.leaves)
        assert math.isclose(out.data, reference, rel_tol=1e-9, abs_tol=1e-12), (
            f"forward: engine {out.data!r}, math {reference!r}"
        )
    event(f"nodes checked against finite differences: {10 * (10 * checked // len(nodes))}%")


# --- the walks agree with each other --------------------------------------------------


@given(st.one_of(TAME, WILD))
def test_backward_matches_grad_to_the_bit(graph: Graph) -> None:
    # backward() and grad() read the same table rows and sum the contributions
    # in the same (reverse topological) order, and IEEE arithmetic is exactly
    # reproducible, so they agree to the last bit, nan and inf included, for
    # the leaves and for every interior node.
    _, nodes = build(graph)
    out = nodes[-1]
    out.backward()
    by_grad = grad(out, nodes)
    for k, (node, g) in enumerate(zip(nodes, by_grad, strict=True)):
        assert equal(node.grad, g.data), (
            f"∂out/∂{graph.name(k)}: backward {node.grad!r}, grad {g.data!r}"
        )


@given(st.one_of(TAME, WILD))
def test_grad_with_create_graph_gives_the_same_numbers(graph: Graph) -> None:
    # With create_graph=True the rows run on Values instead of floats, doing the
    # same IEEE operations (1 - out as 1 + (-out), exact), so the numbers agree
    # to the bit with grad() on floats.
    leaves, nodes = build(graph)
    plain = grad(nodes[-1], leaves)
    as_graphs = grad(nodes[-1], leaves, create_graph=True)
    for i, (p, g) in enumerate(zip(plain, as_graphs, strict=True)):
        assert equal(p.data, g.data), f"∂out/∂x{i}: grad {p.data!r}, create_graph {g.data!r}"


@given(st.one_of(TAME, WILD))
def test_backward_twice_doubles_every_leaf_gradient_exactly(graph: Graph) -> None:
    # Leaves accumulate: the second call adds this call's gradient, which equals
    # the first, and g + g = 2g is exact in IEEE arithmetic. Interior nodes hold
    # this call's gradient only, so they come out as after the first call.
    leaves, nodes = build(graph)
    out = nodes[-1]
    out.backward()
    first = [v.grad for v in nodes]
    out.backward()
    for i, leaf in enumerate(leaves):
        assert equal(leaf.grad, 2 * first[i]), (
            f"x{i}: first backward {first[i]!r}, after the second {leaf.grad!r}"
        )
    for k in range(len(leaves), len(nodes)):
        assert equal(nodes[k].grad, first[k]), (
            f"n{k}: first backward {first[k]!r}, after the second {nodes[k].grad!r}"
        )


# --- any float in, no exception out ---------------------------------------------------------


@given(WILD)
def test_no_op_raises_on_any_float(graph: Graph) -> None:
    # IEEE arithmetic: overflow, poles and domain errors give inf or nan, in the
    # forward pass, in backward(), in grad(), in grad(create_graph=True), and in
    # differentiating those gradients again.
    leaves, nodes = build(graph)
    out = nodes[-1]
    out.backward()
    grad(out, leaves)
    firsts = grad(out, leaves, create_graph=True)
    for first in firsts:
        grad(first, leaves)
        first.backward()


# --- the strategy itself ---------------------------------------------------------------------


def test_strategy_builds_deep_graphs_that_share_nodes_and_use_every_op() -> None:
    # Draws graphs until, between them, they have shown every feature the
    # properties above rely on; find() raises NoSuchExample if 1000 draws don't.
    wanted = {*OPS, "depth >= 45", "an op using a node twice", "a node used 4 times"}
    seen: set[str] = set()

    def shows_everything(g: Graph) -> bool:
        seen.update(s.op for s in g.steps)
        if g.depth >= 45:
            seen.add("depth >= 45")
        if any(len(set(s.args)) < len(s.args) for s in g.steps):
            seen.add("an op using a node twice")  # x * x, or a wsum with x as w and x
        if g.max_uses >= 4:
            seen.add("a node used 4 times")  # a shared subexpression
        return seen >= wanted

    quick = settings(database=None, derandomize=True, max_examples=1000, phases=[Phase.generate])
    find(graphs(), shows_everything, settings=quick)
