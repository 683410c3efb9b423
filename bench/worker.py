"""One measurement in a fresh process: ``python -m bench.worker ENGINE TASK N``, JSON on stdout.

Each engine runs in a process of its own, so the garbage one engine leaves
behind (and the collector's work on it) is never billed to another.
Tasks: ``W1``/``W2`` (N blocks of training steps), ``chain`` (forward and backward of an
N-op chain), ``survive`` (does the N-op chain complete?) and ``memory``
(tracemalloc peak while building the N-node W4 graph).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import tracemalloc
from typing import Any

from .problem import Engine, problem

__all__ = ["ENGINES", "load", "main", "run"]

ENGINES = {  # name: (module, attribute)
    "chainrule": ("bench.chainrule", "ENGINE"),
    "chainrule-raw": ("bench.chainrule", "RAW"),
    "micrograd": ("bench.micrograd", "ENGINE"),
    "floats": ("bench.floats", "ENGINE"),
    "chainrule-compiled": ("bench.compiled", "COMPILED"),
    "chainrule-batched": ("bench.compiled", "BATCHED"),
    "chainrule-c": ("bench.compiled", "C_COMPILED"),
    "numpy": ("bench.matrices", "ENGINE"),
}
clock = time.process_time


def load(name: str) -> Engine:
    """The engine called ``name``, imported only in the process that measures it.

    >>> load("floats").name
    'floats'
    """
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; expected one of {', '.join(ENGINES)}")
    module, attribute = ENGINES[name]
    engine: Engine = getattr(importlib.import_module(module), attribute)
    return engine


def run(engine: Engine, task: str, n: int, block: int = 1) -> dict[str, Any]:
    """Measure ``task`` of size ``n`` on ``engine``; every result carries what it computed.

    Times are this process's CPU time (user + system), so that other processes
    on the machine inflate them less than they would wall-clock time. For W1
    and W2, ``n`` is the number of blocks of ``block`` steps, each timed as a
    whole and reported per step.

    >>> r = run(load("floats"), "chain", 3)
    >>> r["y"], r["dydx"] == 1.0000001**3
    (0.5000001500000151, True)
    """
    if task in ("W1", "W2"):  # step 0 warms up; then n blocks of `block` steps
        start = clock()
        step = engine.trainer(problem(task))  # builds the model (and compiles, if it does)
        setup = clock() - start
        losses = [step(0)]
        blocks = []
        k = 1
        for _ in range(n):
            start = clock()
            for j in range(k, k + block):
                losses.append(step(j))
            blocks.append((clock() - start) / block)
            k += block
        return {"losses": losses, "seconds": blocks, "setup": setup}
    if task in ("chain", "survive"):
        start = clock()
        backward = engine.chain(n)
        middle = clock()
        try:
            y, dydx = backward()
        except RecursionError as exc:
            return {"ok": False, "error": f"RecursionError: {exc}", "forward": middle - start}
        end = clock()
        return {
            "ok": True,
            "y": y,
            "dydx": dydx,
            "forward": middle - start,
            "backward": end - middle,
        }
    if task == "memory":  # the graph as built; then, for a graph with backward(), its peak
        tracemalloc.start()
        graph, value = engine.graph(n)
        current, peak = tracemalloc.get_traced_memory()
        result: dict[str, Any] = {"current": current, "peak": peak, "value": value}
        run_backward = getattr(graph, "backward", None)
        if callable(run_backward):
            tracemalloc.reset_peak()
            try:
                run_backward()
                result["backward_peak"] = tracemalloc.get_traced_memory()[1]
            except RecursionError:
                result["backward_peak"] = None
        tracemalloc.stop()
        del graph
        return result
    raise ValueError(f"unknown task {task!r}; expected W1, W2, chain, survive or memory")


def main(argv: list[str] | None = None) -> None:
    """Parse ``ENGINE TASK N [--autograd DIR]``, run it and print the result as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument("engine", choices=ENGINES)
    parser.add_argument("task", choices=("W1", "W2", "chain", "survive", "memory"))
    parser.add_argument("n", type=int)
    parser.add_argument("--block", type=int, default=1, help="W1/W2: steps per timed block")
    parser.add_argument(
        "--autograd", metavar="DIR", help="import autograd from DIR (a before/after comparison)"
    )
    args = parser.parse_args(argv)
    if args.autograd:
        sys.path.insert(0, args.autograd)
    result = run(load(args.engine), args.task, args.n, args.block)
    autograd = sys.modules.get("autograd")
    if autograd is not None:  # which build of the engine ran, and why (autograd/_select.py)
        # an engine from before the native build (a --before tree) is the source itself
        result["build"] = getattr(autograd, "BUILD", "pure")
        result["reason"] = getattr(autograd, "BUILD_REASON", "it has no native build")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
