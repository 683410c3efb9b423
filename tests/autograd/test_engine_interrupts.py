"""An interrupt at any line of the engine changes nothing, or (backward) commits whole.

A trace function raises KeyboardInterrupt at the k-th line the engine runs during a call,
for every k until the call completes (the way an asynchronous Ctrl-C lands between two
lines). After each interrupted call every ``.grad`` must hold its value from before (or,
for ``backward`` interrupted after its last write, the value a whole backward gives), the
engine's lock must be free, and the next ``backward()`` and ``grad()`` on the same graph
must give, bit for bit, what a fresh graph in the same state gives. The native build has
no Python lines to interrupt: the sweep runs on the pure build.

One kind of line event is not interrupted: the one CPython reports for a ``with``
statement's line when its body has finished, just before it calls the lock's
``__exit__``. A trace function can raise there; Ctrl-C cannot land there (CPython
handles signals at calls and backward jumps, and there is neither between a body's end
and ``__exit__``), and raising there would leave the lock held by design of the test.
"""

from __future__ import annotations

import ast
import functools
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from compare import bits

import autograd
from autograd import Constant, Value, engine, grad, topological_order

pure_only = pytest.mark.skipif(
    getattr(autograd, "BUILD", "pure") == "native",
    reason="the native build runs no Python lines to interrupt (mypyc compiled the engine)",
)

ENGINE_FILE = engine.__file__


@functools.cache
def with_lines() -> frozenset[int]:
    """The lines of engine.py's ``with`` statements (read on the pure build only: on the
    native one ``engine.__file__`` is the compiled module)."""
    tree = ast.parse(Path(ENGINE_FILE).read_text(encoding="utf-8"))
    return frozenset(node.lineno for node in ast.walk(tree) if isinstance(node, ast.With))


def graph() -> tuple[list[Value], Value]:
    """Twelve nodes and a Constant: a and ab are used more than once,
    relu masks (its input is below 0), and the leaves hold gradients from before."""
    a, b, c = Value(0.5, "a"), Value(-1.5, "b"), Value(2.0, "c")
    a.grad, b.grad, c.grad = 0.25, -2.0, 1.0
    ab = a * b  # shared below
    masked = (ab + a).relu()  # -0.25 below 0: exactly 0 flows back
    t = (ab * 3.0).exp() * ab  # 3.0 becomes a Constant
    out = masked + t + c * a
    out.grad = 7.0  # an interior gradient from before, which backward overwrites
    nodes = [v for v in topological_order(out) if type(v) is not Constant]
    assert len(nodes) == 12
    return nodes, out


def interrupted_at(k: int, call: Callable[[], Any]) -> int:
    """Run ``call`` and raise KeyboardInterrupt at the k-th line it runs in the engine:
    the number of that line in engine.py, or 0 when the call completed with fewer lines."""
    count = 0
    where = 0

    def tracer(frame: FrameType, event: str, arg: object) -> Any:
        if frame.f_code.co_filename != ENGINE_FILE:
            return None
        entered: set[int] = set()  # the with statements this frame has entered

        def local(frame: FrameType, event: str, arg: object) -> Any:
            nonlocal count, where
            if event != "line":
                return local
            if frame.f_lineno in with_lines():
                if frame.f_lineno in entered:  # its body is done: __exit__ comes next
                    return local
                entered.add(frame.f_lineno)
            count += 1
            if count == k:
                where = frame.f_lineno
                raise KeyboardInterrupt
            return local

        return local

    sys.settrace(tracer)
    try:
        call()
    except KeyboardInterrupt:
        return where
    finally:
        sys.settrace(None)
    return 0


def snapshot(nodes: list[Value]) -> list[bytes]:
    return [bits(v.grad) for v in nodes]


def results(nodes: list[Value], out: Value) -> list[bytes]:
    """What later calls give on this graph: grad's values (first and second order), then
    every node's .grad after backward."""
    leaves = [v for v in nodes if not v.op]
    firsts = grad(out, leaves)
    seconds = grad(grad(out, leaves, create_graph=True)[0], leaves)
    out.backward()
    return [bits(g.data) for g in (*firsts, *seconds)] + snapshot(nodes) + [bits(out.data)]


CALLS: dict[str, Callable[[Value, list[Value]], object]] = {
    "backward": lambda out, nodes: out.backward(),
    "grad": lambda out, nodes: grad(out, nodes),
    "grad(create_graph=True)": lambda out, nodes: grad(out, nodes, create_graph=True),
    "topological_order": lambda out, nodes: topological_order(out),
}


def lock_is_free() -> bool:
    """Whether another thread can take the engine's lock now (a leaked lock would hang it)."""
    free: list[bool] = []

    def take() -> None:
        got = engine._LOCK.acquire(blocking=False)
        free.append(got)
        if got:
            engine._LOCK.release()

    thread = threading.Thread(target=take)
    thread.start()
    thread.join()
    return free == [True]


def states(name: str) -> dict[tuple[bytes, ...], list[bytes]]:
    """The ``.grad`` snapshots an interrupted call may leave (as it was; for backward, also
    whole), each with what later calls must give from there, from fresh graphs."""
    nodes, out = graph()
    allowed = {tuple(snapshot(nodes)): results(nodes, out)}
    if name == "backward":
        nodes, out = graph()
        out.backward()
        allowed[tuple(snapshot(nodes))] = results(nodes, out)
    return allowed


@pure_only
@pytest.mark.parametrize("name", list(CALLS))
def test_an_interrupt_at_any_line_changes_nothing(name: str) -> None:
    allowed = states(name)
    broken: list[int] = []  # the engine's lines where an interrupt broke something
    k = 0
    while True:
        k += 1
        nodes, out = graph()
        line = interrupted_at(k, functools.partial(CALLS[name], out, nodes))
        if not line:
            break
        expected = allowed.get(tuple(snapshot(nodes)))
        if expected is None or not lock_is_free():
            broken.append(line)
            continue
        try:
            later = results(nodes, out)
        except Exception:  # a mark left behind can make later calls fail instead
            later = []
        if later != expected:
            broken.append(line)
    assert k > 20  # the sweep reached the engine's lines
    assert broken == [], (
        f"{name}: {len(broken)} of {k - 1} interrupts broke the graph, at lines "
        f"{sorted(set(broken))} of engine.py"
    )


def test_threads_get_exact_sums_on_shared_leaves_of_shared_graphs() -> None:
    w, v = Value(1.0, "w"), Value(0.5, "v")
    shared = w * v + w  # every thread walks the same graph: ∂/∂w = 1.5, ∂/∂v = 1
    per_thread, threads = 40, 6

    def work() -> None:
        for _ in range(per_thread):
            shared.backward()
            (w * 2.0).backward()  # a graph of its own: 2 more for w

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert (w.grad, v.grad) == (3.5 * per_thread * threads, 1.0 * per_thread * threads)
