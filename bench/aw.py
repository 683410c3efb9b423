"""AW: a 10,000-op random scalar graph, forward and backward, after A. Rogozhnikov's
"Fastest Autograd in the West" (2023): chainrule eager, compiled Python and compiled C
against PyTorch eager and a hand-written C tape, in one run.

The graph: 100 inputs drawn in [-1, 1], then 10,000 ops, each one of softplus (of 1
node), the sum of 4, the product of 2, or the softmax of 4 (its 4 probabilities become 4
nodes; shifted by the largest input, so nothing overflows), chosen at random with a seed.
An op's first operand is the newest node, so the ops form one chain the last node depends
on; the others are any earlier node. Each engine computes the last node's value and its
gradient with respect to the 100 inputs; the gradients must agree with the hand tape's.

Each engine runs in a fresh process: ``python -m bench.aw ENGINE`` prints JSON: the
seconds per run (the median of blocks of runs, CPU time), the seconds of its setup (the
trace and code generation of the compiled forms, the C compiler's run), the value and
the gradients. Engines: ``torch`` (float64 0-d tensors, one thread; skipped when PyTorch
does not import), ``eager`` (chainrule's Values and ``grad``), ``compiled``
(``Compiled(...).function``), ``c`` (``CFunction`` of the traced program, the form it
picks: the compact tape at this size) and ``hand-c`` (bench/aw_tape.c, compiled here with
cc -O2).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import math
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["ENGINES", "Workload", "c_compiler", "main", "measure", "run_aw", "workload"]

N_INPUTS, N_OPS, SEED = 100, 10_000, 0
KINDS = ("softplus", "sum", "prod", "softmax")
ARITY = {"softplus": 1, "sum": 4, "prod": 2, "softmax": 4}
TOLERANCE = 1e-9  # relative to the largest gradient: engines add in different orders
clock = time.process_time


class Workload:
    """The inputs and the ops: ``ops[k] = (kind, operands)``, operands by node number
    (inputs first, then each op's nodes: 1, or 4 for a softmax).

    >>> w = workload(n_ops=3)
    >>> len(w.inputs), [kind for kind, _ in w.ops], w.n_nodes
    (100, ['prod', 'sum', 'softplus'], 103)
    """

    def __init__(self, inputs: list[float], ops: list[tuple[str, tuple[int, ...]]]) -> None:
        self.inputs, self.ops = inputs, ops
        self.n_nodes = len(inputs) + sum(4 if k == "softmax" else 1 for k, _ in ops)

    def run(self, ops: Any, leaves: list[Any]) -> Any:
        """The last node, built with ``ops``: softplus, exp, maximum (all on the nodes'
        type); +, *, - and / are the type's operators."""
        nodes = list(leaves)
        for kind, args in self.ops:
            a = [nodes[i] for i in args]
            if kind == "softplus":
                nodes.append(ops.softplus(a[0]))
            elif kind == "sum":
                nodes.append(a[0] + a[1] + a[2] + a[3])
            elif kind == "prod":
                nodes.append(a[0] * a[1])
            else:
                m = ops.maximum(ops.maximum(a[0], a[1]), ops.maximum(a[2], a[3]))
                e = [ops.exp(z - m) for z in a]
                total = e[0] + e[1] + e[2] + e[3]
                nodes.extend(z / total for z in e)
        return nodes[-1]


def workload(n_inputs: int = N_INPUTS, n_ops: int = N_OPS, seed: int = SEED) -> Workload:
    """The AW graph of ``n_ops`` ops on ``n_inputs`` inputs (see the module)."""
    rng = random.Random(seed)
    inputs = [rng.uniform(-1.0, 1.0) for _ in range(n_inputs)]
    ops: list[tuple[str, tuple[int, ...]]] = []
    size = n_inputs
    for _ in range(n_ops):
        kind = rng.choice(KINDS)
        args = (size - 1, *(rng.randrange(size) for _ in range(ARITY[kind] - 1)))
        ops.append((kind, args))
        size += 4 if kind == "softmax" else 1
    return Workload(inputs, ops)


# --- the engines: each returns (setup seconds, run() -> (value, grads), notes) ------------


def _chainrule_ops() -> Any:
    import autograd

    class Ops:
        softplus = staticmethod(autograd.softplus)
        exp = staticmethod(autograd.exp)
        maximum = staticmethod(autograd.maximum)

    return Ops


def _eager(w: Workload) -> tuple[float, Callable[[], Any], dict[str, Any]]:
    from autograd import Value, grad

    ops = _chainrule_ops()

    def run() -> Any:
        leaves = [Value(x) for x in w.inputs]
        out = w.run(ops, leaves)
        return out.data, [g.data for g in grad(out, leaves)]

    return 0.0, run, {}


def _traced(w: Workload) -> tuple[Any, list[Any]]:
    from autograd import Value

    leaves = [Value(x, f"x{i}") for i, x in enumerate(w.inputs)]
    return w.run(_chainrule_ops(), leaves), leaves


def _compiled(w: Workload) -> tuple[float, Callable[[], Any], dict[str, Any]]:
    from autograd import Compiled

    start = clock()
    out, leaves = _traced(w)
    f = Compiled(out, leaves).function
    setup = clock() - start

    def run() -> Any:
        value, grads = f(*w.inputs)
        return value, list(grads)

    return setup, run, {}


def _c(w: Workload) -> tuple[float, Callable[[], Any], dict[str, Any]]:
    from autograd import trace
    from autograd.cbuild import CFunction

    start = clock()
    wall = time.perf_counter()
    out, leaves = _traced(w)
    f = CFunction(trace(out, leaves))
    setup = clock() - start + f.compile_seconds  # the compiler runs in a process of its own
    notes = {
        "form": f.form,
        "equations": f.equations,
        "print": f.print_seconds,
        "compile": f.compile_seconds,
        "cached": f.cached,
        "wall": time.perf_counter() - wall,
    }

    def run() -> Any:
        value, grads = f(*w.inputs)
        return value, list(grads)

    return setup, run, notes


class _Op(ctypes.Structure):
    _fields_ = [("op", ctypes.c_int), ("a", ctypes.c_int), ("b", ctypes.c_int)]


def tape_ops(w: Workload) -> list[tuple[int, int, int]]:
    """The workload as aw_tape.c's primitive ops: (op, a, b), each writing the next slot.

    >>> tape_ops(workload(n_ops=1))  # the product of the newest node (99) and node 24
    [(2, 99, 24)]
    >>> len(tape_ops(Workload([0.0] * 4, [("softmax", (3, 0, 1, 2))])))  # 3 max, 4 sub, 4 exp, ...
    18
    """
    softplus, add, mul, largest, sub, exp, div = range(7)
    ops: list[tuple[int, int, int]] = []
    where: list[int] = list(range(len(w.inputs)))  # node number -> slot

    def emit(op: int, a: int, b: int = 0) -> int:
        ops.append((op, a, b))
        return len(w.inputs) + len(ops) - 1

    for kind, args in w.ops:
        a = [where[i] for i in args]
        if kind == "softplus":
            where.append(emit(softplus, a[0]))
        elif kind == "sum":
            where.append(emit(add, emit(add, emit(add, a[0], a[1]), a[2]), a[3]))
        elif kind == "prod":
            where.append(emit(mul, a[0], a[1]))
        else:
            m = emit(largest, emit(largest, a[0], a[1]), emit(largest, a[2], a[3]))
            e = [emit(exp, emit(sub, z, m)) for z in a]
            total = emit(add, emit(add, emit(add, e[0], e[1]), e[2]), e[3])
            where.extend(emit(div, z, total) for z in e)
    return ops


def _hand_c(w: Workload) -> tuple[float, Callable[[], Any], dict[str, Any]]:
    start = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="aw-tape-"))
    lib_path = folder / "aw_tape.so"
    source = Path(__file__).with_name("aw_tape.c")
    cmd = ["cc", "-O2", "-fPIC", "-shared", "-o", str(lib_path), str(source), "-lm"]
    subprocess.run(cmd, check=True, capture_output=True)
    lib = ctypes.CDLL(str(lib_path))
    shutil.rmtree(folder)  # the library stays loaded
    ops = tape_ops(w)
    table = (_Op * len(ops))(*(_Op(*op) for op in ops))
    n_in = len(w.inputs)
    x = (ctypes.c_double * n_in)(*w.inputs)
    value, grads = ctypes.c_double(), (ctypes.c_double * n_in)()
    setup = time.perf_counter() - start

    def run() -> Any:
        if lib.aw_run(table, len(ops), n_in, x, ctypes.byref(value), grads):
            raise MemoryError("aw_tape.c: out of memory")
        return value.value, grads[:]

    return setup, run, {"primitive ops": len(ops)}


def _torch(w: Workload) -> tuple[float, Callable[[], Any], dict[str, Any]]:
    import torch

    torch.set_num_threads(1)

    class Ops:
        softplus = staticmethod(torch.nn.functional.softplus)
        exp = staticmethod(torch.exp)
        maximum = staticmethod(torch.maximum)

    def run() -> Any:
        leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in w.inputs]
        out = w.run(Ops, leaves)
        grads = torch.autograd.grad(out, leaves, allow_unused=True)  # an input may be unused
        return float(out), [0.0 if g is None else float(g) for g in grads]

    return 0.0, run, {"version": torch.__version__}


ENGINES: dict[str, Callable[[Workload], tuple[float, Callable[[], Any], dict[str, Any]]]] = {
    "torch": _torch,
    "eager": _eager,
    "compiled": _compiled,
    "c": _c,
    "hand-c": _hand_c,
}
LABELS = {
    "torch": "PyTorch eager (float64, 1 thread)",
    "eager": "chainrule eager",
    "compiled": "chainrule compiled (Python)",
    "c": "chainrule compiled (C)",
    "hand-c": "hand-written C tape",
}


def measure(engine: str, n_ops: int = N_OPS, seconds: float = 2.0) -> dict[str, Any]:
    """Set ``engine`` up, run it once untimed, then time blocks of runs for ``seconds``.

    >>> r = measure("hand-c", n_ops=50, seconds=0.01)
    >>> len(r["grads"]), r["per_run"] > 0
    (100, True)
    """
    w = workload(n_ops=n_ops)
    setup, run, notes = ENGINES[engine](w)
    start = clock()
    value, grads = run()
    first = clock() - start
    per_block = max(1, int(0.2 / max(first, 1e-6)))  # blocks of about 0.2 s
    blocks: list[float] = []
    spent = 0.0
    while spent < seconds or len(blocks) < 3:
        start = clock()
        for _ in range(per_block):
            run()
        took = clock() - start
        blocks.append(took / per_block)
        spent += took
    return {
        "per_run": statistics.median(blocks),
        "setup": setup,
        "value": value,
        "grads": grads,
        "notes": notes,
    }


def _subprocess(engine: str, n_ops: int, native: str | None) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.aw", engine, "--ops", str(n_ops)]
    if native:
        cmd += ["--autograd", native]
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=900, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"bench.aw {engine} failed:\n{proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def _agree(name: str, got: dict[str, Any], ref: dict[str, Any]) -> None:
    scale = max(1.0, max(abs(g) for g in ref["grads"]))
    worst = max(abs(a - b) for a, b in zip(got["grads"], ref["grads"], strict=True))
    if not (
        worst <= TOLERANCE * scale and math.isclose(got["value"], ref["value"], rel_tol=TOLERANCE)
    ):
        raise RuntimeError(
            f"AW: {name} differs from the hand tape: value {got['value']!r} vs "
            f"{ref['value']!r}, largest gradient difference {worst:.3g}"
        )


def c_compiler() -> bool:
    """Whether ``cc`` is here: the hand tape and chainrule's C need it."""
    return shutil.which("cc") is not None


def run_aw(report: Any, native: str | None = None, n_ops: int = N_OPS) -> None:
    """AW: every engine in a process of its own; ratios against the hand C tape."""
    from .scale import torch_available

    if not c_compiler():
        report.say("    no C compiler (cc): AW is measured against the hand C tape, skipped")
        return
    engines = [e for e in ENGINES if e != "torch" or torch_available()]
    if "torch" not in engines:
        report.say("    PyTorch does not import here: its row is skipped (make bench-torch)")
    results = {e: _subprocess(e, n_ops, native if e != "hand-c" else None) for e in engines}
    hand = results["hand-c"]["per_run"]
    for e in engines:
        _agree(LABELS[e], results[e], results["hand-c"])
        report.say(_line(e, results[e], hand))
    ratios = "; ".join(f"{e} {results[e]['per_run'] / hand:,.1f}×" for e in engines)
    cells = {
        "chainrule-compiled": _fmt(results["compiled"]["per_run"]),
        "chainrule-c": _fmt(results["c"]["per_run"]),
    }
    report.table.append(
        (
            f"AW {n_ops:,}-op graph, value + gradient, per run",
            cells,
            f"vs the hand C tape: {ratios}",
        )
    )


def _line(engine: str, r: dict[str, Any], hand: float) -> str:
    extra = f"; setup {r['setup']:.2f} s" if engine in ("compiled", "c") else ""
    if engine == "c":
        n = r["notes"]
        extra += (
            f" ({n['form']}, {n['equations']:,} equations: traced and printed in "
            f"{n['print']:.2f} s, cc {n['compile']:.2f} s"
            f"{', from the cache' if n['cached'] else ''})"
        )
    ratio = r["per_run"] / hand
    return (
        f"    {LABELS[engine]:<36}{_fmt(r['per_run']):>10} / run {ratio:9,.1f}× the hand "
        f"C tape{extra}"
    )


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms" if seconds < 1.0 else f"{seconds:.2f} s"


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.aw ENGINE [--ops N] [--autograd DIR]``: JSON out."""
    parser = argparse.ArgumentParser(prog="python -m bench.aw")
    parser.add_argument("engine", choices=list(ENGINES))
    parser.add_argument("--ops", type=int, default=N_OPS)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--autograd", metavar="DIR", help="import autograd from DIR first")
    args = parser.parse_args(argv)
    if args.autograd:
        sys.path.insert(0, args.autograd)
    json.dump(measure(args.engine, args.ops, args.seconds), sys.stdout)


if __name__ == "__main__":
    main()
