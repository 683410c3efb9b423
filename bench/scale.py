"""Compiled code at its limits: one scalar call against hand-written floats, and the
digits workload (an epoch of ``MLP(64, [32, 10])`` with cross-entropy) against
hand-written NumPy and PyTorch.

Each measurement runs in a fresh process: ``python -m bench.scale scalar ENGINE`` or
``python -m bench.scale digits ENGINE EPOCHS`` prints JSON. ``scalar`` engines time
the notes' loss (12 inputs, the value and 12 gradients): ``by-hand`` written with
``math.exp``, ``function`` (``Compiled.function``, unchecked) and ``checked``
(``Compiled.__call__``), and ``c`` (``Compiled.to_c()``: the same code as C, through
ctypes). ``digits`` engines run full-batch SGD epochs on the first
1437 shuffled digits: ``chainrule-batched`` (the step of ``fit(compile=True)``),
``numpy`` and ``torch`` (skipped when PyTorch does not import). ``python -m bench.scale
nograd BUILD`` times one multiply of two Values, recorded, inside ``no_grad()``, and
written by hand as float math on ``.data`` wrapped in a new Value, on the ``native``
or ``pure`` build.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import native_site

__all__ = [
    "digit_epochs",
    "main",
    "no_grad_ops",
    "notes_by_hand",
    "run_digits",
    "run_no_grad",
    "run_scalar",
    "scalar_calls",
]

POINT = (0.15, -0.4, 0.05, 0.6, 0.25, -0.1, 0.9, -0.7, 0.3, 1.0, 0.0, 1.0)  # 9 params, x, t
LR = 0.5  # the digits workload's SGD step size
clock = time.process_time


def _sigma(s: float) -> float:
    if s >= 0.0:
        return 1.0 / (1.0 + math.exp(-s))
    e = math.exp(s)
    return e / (1.0 + e)


def notes_by_hand(
    w111: float,
    w211: float,
    b11: float,
    w121: float,
    w221: float,
    b21: float,
    w112: float,
    w212: float,
    b12: float,
    x1: float,
    x2: float,
    t: float,
) -> tuple[float, tuple[float, ...]]:
    """The notes' loss ½(y − t)² and its 12 gradients, by (13), (14), (18)–(22).

    >>> from bench.scale import POINT, notes_by_hand
    >>> from autograd import compile
    >>> value, grads = notes_by_hand(*POINT)
    >>> cvalue, cgrads = _compiled()(*POINT)
    >>> abs(value - cvalue) < 1e-15, max(abs(a - b) for a, b in zip(grads, cgrads)) < 1e-15
    (True, True)
    """
    x11 = _sigma(w111 * x1 + w211 * x2 - b11)
    x21 = _sigma(w121 * x1 + w221 * x2 - b21)
    y = _sigma(w112 * x11 + w212 * x21 - b12)
    d2 = (y - t) * y * (1.0 - y)  # (22)
    d11 = d2 * w112 * x11 * (1.0 - x11)  # (18)
    d21 = d2 * w212 * x21 * (1.0 - x21)  # (19-20)
    dx1 = d11 * w111 + d21 * w121
    dx2 = d11 * w211 + d21 * w221
    grads = (d11 * x1, d11 * x2, -d11, d21 * x1, d21 * x2, -d21, d2 * x11, d2 * x21, -d2)
    return 0.5 * (y - t) ** 2, (*grads, dx1, dx2, -(y - t))


def _compiled() -> Any:
    from autograd import compile, wsum

    def notes_loss(*a: Any) -> Any:
        w111, w211, b11, w121, w221, b21, w112, w212, b12, x1, x2, t = a
        x11 = wsum([w111, w211], [x1, x2], b11).sigmoid()
        x21 = wsum([w121, w221], [x1, x2], b21).sigmoid()
        y = wsum([w112, w212], [x11, x21], b12).sigmoid()
        return 0.5 * (y - t) ** 2

    labels = [f"p{i}" for i in range(12)]
    return compile(notes_loss, labels=labels)


def scalar_calls(engine: str, calls: int = 20_000, repeats: int = 7) -> dict[str, Any]:
    """The time of one call of ``engine`` on the notes' loss (the fastest of ``repeats``).

    >>> scalar_calls("function", calls=10, repeats=1)["value"] == notes_by_hand(*POINT)[0]
    True
    """
    fn: Callable[..., tuple[float, tuple[float, ...]]]
    if engine == "by-hand":
        fn = notes_by_hand
    elif engine == "c":  # the same loss as C (Compiled.to_c()): one ctypes call each time
        fn = _compiled().to_c()
    else:
        compiled = _compiled()
        fn = compiled.function if engine == "function" else compiled
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn(*POINT)
        best = min(best, (time.perf_counter() - start) / calls)
    return {"seconds": best, "value": fn(*POINT)[0]}


def _digits_problem() -> tuple[list[list[float]], list[int], list[list[list[float]]], list[Any]]:
    """The training digits, their classes, and the initial weights of MLP(64, [32, 10])."""
    from nn import MLP, digits

    data = digits()
    random.Random(0).shuffle(data)
    train = data[:1437]
    model = MLP(64, [32, 10], activation="relu", output_activation="linear", seed=0)
    weights = [[[w.data for w in n.w] for n in layer.neurons] for layer in model.layers]
    biases = [[n.b.data for n in layer.neurons] for layer in model.layers]
    return [x for x, _ in train], [int(t) for _, (t,) in train], weights, biases


def _chainrule_step() -> Callable[[], float]:
    """fit(compile=True)'s step for the digits, compiled once; the SGD update on floats."""
    from nn import MLP, cross_entropy, digits
    from nn.train import _batched_loss

    data = digits()
    random.Random(0).shuffle(data)
    train = data[:1437]
    model = MLP(64, [32, 10], activation="relu", output_activation="linear", seed=0)
    params, step = _batched_loss(
        model, [x for x, _ in train], [t for _, (t,) in train], cross_entropy, None
    )
    values = [p.data for p in params]

    def epoch() -> float:
        nonlocal values
        loss, grads = step(*values)
        values = [v - LR * g for v, g in zip(values, grads, strict=True)]
        return loss

    return epoch


def _numpy_epochs() -> Callable[[], float]:
    import numpy as np

    xs, ts, weights, biases = _digits_problem()
    x = np.array(xs)
    onehot = np.eye(10)[ts]
    w1, w2 = (np.array(w) for w in weights)  # (units, inputs)
    b1, b2 = (np.array(b) for b in biases)
    n = len(xs)

    def epoch() -> float:
        nonlocal w1, w2, b1, b2
        s1 = x @ w1.T - b1
        h = np.maximum(s1, 0.0)
        z = h @ w2.T - b2
        m = z.max(axis=1, keepdims=True)
        e = np.exp(z - m)
        total = e.sum(axis=1, keepdims=True)
        loss = float((m + np.log(total) - (z * onehot).sum(axis=1, keepdims=True)).mean())
        d2 = (e / total - onehot) / n  # δ^(2)
        d1 = (d2 @ w2) * (s1 > 0.0)  # δ^(1)
        w2, b2 = w2 - LR * (d2.T @ h), b2 + LR * d2.sum(axis=0)
        w1, b1 = w1 - LR * (d1.T @ x), b1 + LR * d1.sum(axis=0)
        return loss

    return epoch


def _torch_epochs() -> Callable[[], float]:
    import torch

    torch.set_num_threads(1)
    xs, ts, weights, biases = _digits_problem()
    x = torch.tensor(xs, dtype=torch.float64)
    t = torch.tensor(ts)
    params = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in (*weights, *biases)]
    w1, w2, b1, b2 = params

    def epoch() -> float:
        z = torch.relu(x @ w1.T - b1) @ w2.T - b2
        loss = torch.nn.functional.cross_entropy(z, t)
        for p in params:
            p.grad = None
        torch.autograd.backward(loss)
        with torch.no_grad():
            for p in params:
                if p.grad is None:
                    raise RuntimeError("PyTorch gave a parameter no gradient")
                p -= LR * p.grad
        return float(loss.detach())

    return epoch


DIGIT_ENGINES = {
    "chainrule-batched": _chainrule_step,
    "numpy": _numpy_epochs,
    "torch": _torch_epochs,
}


def digit_epochs(engine: str, epochs: int) -> dict[str, Any]:
    """Compile (setup), an untimed epoch, then ``epochs`` timed epochs of ``engine``.

    >>> r = digit_epochs("numpy", 2)
    >>> len(r["losses"]), r["losses"][1] < r["losses"][0]
    (3, True)
    """
    start = clock()
    epoch = DIGIT_ENGINES[engine]()
    setup = clock() - start
    losses = [epoch()]
    seconds = []
    for _ in range(epochs):
        start = clock()
        losses.append(epoch())
        seconds.append(clock() - start)
    return {"losses": losses, "seconds": seconds, "setup": setup}


def torch_available() -> bool:
    """Whether PyTorch imports here (``make bench-torch`` installs 2.13.0, CPU)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def no_grad_ops(calls: int = 200_000, repeats: int = 7) -> dict[str, Any]:
    """Seconds per multiply of two Values: recorded, inside ``no_grad()``, and by hand.

    "by hand" is the float math on ``.data`` with the result wrapped in a new Value,
    what a user would write to keep a product out of the graph; "floats" is the
    multiply of two floats alone. The fastest of ``repeats``.

    >>> times = no_grad_ops(calls=100, repeats=1)
    >>> sorted(times)
    ['build', 'by-hand', 'floats', 'no_grad', 'recorded']
    """
    import autograd
    from autograd import Value, no_grad

    x, y = Value(1.5), Value(2.5)
    a, b = 1.5, 2.5

    def best(f: Callable[[], object]) -> float:
        return min(timeit.repeat(f, number=calls, repeat=repeats, timer=clock)) / calls

    times: dict[str, Any] = {"build": autograd.BUILD, "recorded": best(lambda: x * y)}
    with no_grad():
        times["no_grad"] = best(lambda: x * y)
    times["by-hand"] = best(lambda: Value(x.data * y.data))
    times["floats"] = best(lambda: a * b)
    return times


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.scale scalar ENGINE``, ``... digits ENGINE EPOCHS`` or
    ``... nograd BUILD``: JSON out."""
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("task", choices=("scalar", "digits", "nograd"))
    parser.add_argument("engine")
    parser.add_argument("epochs", type=int, nargs="?", default=5)
    parser.add_argument("--autograd", metavar="DIR", help="import autograd from DIR first")
    args = parser.parse_args(argv)
    if args.autograd:
        sys.path.insert(0, args.autograd)
    if args.task == "scalar":
        result = scalar_calls(args.engine)
    elif args.task == "nograd":
        result = no_grad_ops()
    else:
        result = digit_epochs(args.engine, args.epochs)
    json.dump(result, sys.stdout)


def _run(*args: str, pure: bool = False) -> dict[str, Any]:
    # one thread of BLAS for every engine (PyTorch sets its own): the CPU time of a
    # process then counts work, not threads spinning while they wait for it
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    native = [] if pure else ["--autograd", str(native_site())]  # the source when absent
    proc = subprocess.run(
        [sys.executable, "-m", "bench.scale", *args, *native],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"bench.scale {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.2f} µs"


def run_scalar(report: Any, rounds: int) -> None:
    """S: one call of the notes' loss, compiled (unchecked and checked) against by hand."""
    engines: tuple[str, ...] = ("by-hand", "function", "checked")
    if shutil.which("cc"):
        engines += ("c",)
    times: dict[str, list[float]] = {e: [] for e in engines}
    for _ in range(rounds):
        for e in engines:
            result = _run("scalar", e)
            if abs(result["value"] - notes_by_hand(*POINT)[0]) > 1e-15:
                raise RuntimeError(f"scalar {e}: value {result['value']!r} differs")
            times[e].append(result["seconds"])
    hand = statistics.median(times["by-hand"])
    for e in engines:
        med = statistics.median(times[e])
        per_round = [a / b for a, b in zip(times[e], times["by-hand"], strict=True)]
        report.say(
            f"    {e:<18}{_fmt(med):>12} / call   {med / hand:.2f}× the hand-written time "
            f"(per round {min(per_round):.2f}–{max(per_round):.2f})"
        )
    function, checked = (statistics.median(times[e]) for e in ("function", "checked"))
    cells = {"floats": _fmt(hand), "chainrule-compiled": _fmt(function)}
    note = ""
    if "c" in times:
        cells["chainrule-c"] = _fmt(statistics.median(times["c"]))
        note = f", to_c() call {statistics.median(times['c']) / hand:.2f}×"
    report.table.append(
        (
            "S the notes' loss, one call (12 inputs, value + 12 grads)",
            cells,
            f"compiled.function {function / hand:.2f}×, checked call {checked / hand:.2f}×"
            f"{note} of by hand",
        )
    )


def run_no_grad(report: Any, rounds: int, builds: tuple[str, ...] = ("native", "pure")) -> None:
    """N: a multiply inside ``no_grad()`` against float math on ``.data`` wrapped by hand."""
    times: dict[str, dict[str, list[float]]] = {b: {} for b in builds}
    for _ in range(rounds):
        for build in builds:
            result = _run("nograd", build, pure=build == "pure")
            if result["build"] != build:
                raise RuntimeError(f"nograd {build}: ran the {result['build']} build")
            for key in ("recorded", "no_grad", "by-hand", "floats"):
                times[build].setdefault(key, []).append(result[key])
    cells, notes = {}, []
    for build in builds:
        med = {key: statistics.median(ts) for key, ts in times[build].items()}
        per_round = [
            a / b for a, b in zip(times[build]["no_grad"], times[build]["by-hand"], strict=True)
        ]
        ns = {key: f"{t * 1e9:.0f} ns" for key, t in med.items()}
        report.say(
            f"    {build:<8} recorded {ns['recorded']}, no_grad {ns['no_grad']}, "
            f"by hand Value(x.data * y.data) {ns['by-hand']}, floats {ns['floats']}: "
            f"no_grad {med['no_grad'] / med['by-hand']:.2f}× by hand "
            f"(per round {min(per_round):.2f}–{max(per_round):.2f})"
        )
        cells[f"chainrule ({build})" if build == "pure" else "chainrule"] = ns["no_grad"]
        notes.append(f"{build} {med['no_grad'] / med['by-hand']:.2f}× by hand")
    report.table.append(("N x * y inside no_grad()", cells, ", ".join(notes)))


def run_digits(report: Any, rounds: int, epochs: int) -> None:
    """D: an epoch of the digits (full-batch SGD, 1437 images), against NumPy and PyTorch."""
    engines = ["chainrule-batched", "numpy"]
    if torch_available():
        engines.append("torch")
    else:
        report.say("    torch: not installed here, skipped (make bench-torch installs 2.13.0, CPU)")
    times: dict[str, list[float]] = {e: [] for e in engines}
    setups: dict[str, list[float]] = {e: [] for e in engines}
    for _ in range(rounds):
        results = {e: _run("digits", e, str(epochs)) for e in engines}
        reference = results["numpy"]["losses"]
        for e, result in results.items():
            for k, (a, b) in enumerate(zip(result["losses"], reference, strict=True)):
                if not abs(a - b) <= 1e-9 * max(1.0, abs(b)):
                    raise RuntimeError(f"digits {e}: loss at epoch {k} is {a!r}, numpy's {b!r}")
            times[e].append(statistics.median(result["seconds"]))
            setups[e].append(result["setup"])
    base = statistics.median(times["numpy"])
    cells = {}
    for e in engines:
        med = statistics.median(times[e])
        cells[e] = _fmt(med)
        report.say(
            f"    {e:<18}{_fmt(med):>12} / epoch   {med / base:.2f}× numpy's time   "
            f"(setup {_fmt(statistics.median(setups[e]))})"
        )
    mine = statistics.median(times["chainrule-batched"])
    ratio = f"batched {mine / base:.2f}× numpy's time"
    if "torch" in times:
        theirs = statistics.median(times["torch"])
        ratio += f", {mine / theirs:.2f}× PyTorch's ({_fmt(theirs)})"
    report.table.append(("D digits MLP(64, [32, 10]), one epoch", cells, ratio))


if __name__ == "__main__":
    main()
