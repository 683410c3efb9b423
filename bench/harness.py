"""Run every workload on every engine, interleaved, each measurement in its own process."""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from .micrograd import PEERS
from .problem import CHAIN_FACTOR

__all__ = ["Config", "Variant", "check_close", "main", "ratio_text", "survivable_depth"]

ROOT = Path(__file__).resolve().parent.parent
TOLERANCE = 1e-9  # every engine's losses must match the hand-written floats to this


@dataclass(frozen=True)
class Variant:
    """An engine as measured: its name in the tables and where its autograd comes from.

    >>> Variant("chainrule").label, Variant("chainrule", "/tmp/old", "before").label
    ('chainrule', 'before')
    """

    engine: str
    autograd: str | None = None
    name: str = ""

    @property
    def label(self) -> str:
        """The name printed in the tables."""
        return self.name or self.engine


@dataclass
class Config:
    """Rounds and sizes; ``quick()`` is a smoke run of the same code paths.

    >>> Config.quick().chain_ops < Config().chain_ops
    True
    """

    rounds_w1: int = 5
    blocks_w1: int = 3
    block_w1: int = 1
    rounds_w2: int = 7
    blocks_w2: int = 20
    block_w2: int = 50
    rounds_chain: int = 3
    chain_ops: int = 1_000_000
    depth_cap: int = 2_000_000
    graph_nodes: int = 1_000_000
    variants: list[Variant] = field(
        default_factory=lambda: [Variant("chainrule"), Variant("micrograd"), Variant("floats")]
    )

    @classmethod
    def quick(cls) -> Config:
        """Few rounds and small sizes: checks the harness in seconds, not the figures."""
        return cls(2, 1, 1, 2, 2, 10, 1, 10_000, 20_000, 10_000)


class BenchError(RuntimeError):
    """An engine computed something else than the hand-written reference, or crashed."""


def measure(
    variant: Variant, task: str, n: int, block: int = 1, timeout: float = 900.0
) -> dict[str, Any]:
    """Run ``bench.worker`` for one variant in a fresh process and return its JSON result."""
    cmd = [
        sys.executable,
        "-m",
        "bench.worker",
        variant.engine,
        task,
        str(n),
        "--block",
        str(block),
    ]
    if variant.autograd:
        cmd += ["--autograd", variant.autograd]
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        return {"crashed": proc.returncode, "stderr": proc.stderr[-2000:]}
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def check_close(what: str, got: list[float], expected: list[float]) -> None:
    """Raise BenchError unless ``got`` equals ``expected`` to TOLERANCE (relative, floor 1).

    >>> check_close("W2 losses of x", [0.5, 0.25], [0.5, 0.25 + 1e-12])
    >>> check_close("W2 losses", [0.5], [0.6])
    Traceback (most recent call last):
    ...
    bench.harness.BenchError: W2 losses differ from the hand-written floats at step 0: 0.5 vs 0.6
    """
    if len(got) != len(expected):
        raise BenchError(f"{what}: {len(got)} values, the reference has {len(expected)}")
    for k, (a, b) in enumerate(zip(got, expected, strict=True)):
        if not abs(a - b) <= TOLERANCE * max(1.0, abs(b)):
            raise BenchError(
                f"{what} differ from the hand-written floats at step {k}: {a!r} vs {b!r}"
            )


def _ok(result: dict[str, Any], what: str) -> dict[str, Any]:
    if "crashed" in result:
        raise BenchError(f"{what} crashed (exit {result['crashed']}):\n{result['stderr']}")
    return result


def ratio_text(mine: float, theirs: float) -> str:
    """How chainrule compares with a peer, as a factor.

    >>> ratio_text(1.0, 25.0), ratio_text(3.0, 1.0)
    ('25.0× faster', '3.00× slower')
    """
    r = theirs / mine
    return f"{r:.1f}× faster" if r >= 1.0 else f"{1.0 / r:.2f}× slower"


def _fmt_time(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def _print_ratios(
    rows: dict[str, list[float]], variants: list[Variant], unit: str, lines: list[str]
) -> None:
    """Median per variant and chainrule's ratio to each, with the range of per-round ratios."""
    mine = rows[variants[0].label]
    for v in variants:
        times = rows[v.label]
        if not times:
            continue
        med = statistics.median(times)
        text = f"    {v.label:<12}{_fmt_time(med):>12}{unit}"
        if v is not variants[0]:
            paired = [b / a for a, b in zip(mine, times, strict=False)]
            if med < statistics.median(mine):  # a slowdown: quote it the same way round
                paired = [1.0 / p for p in paired]
            text += f"   chainrule {ratio_text(statistics.median(mine), med)}"
            text += f" (per round {min(paired):.2f}–{max(paired):.2f})"
        print(text, flush=True)
        lines.append(text)


def train(
    task: str, rounds: int, blocks: int, block: int, variants: list[Variant], lines: list[str]
) -> None:
    """W1/W2: interleaved rounds of ``blocks`` × ``block`` steps after an untimed step 0.

    Every step's loss is checked against the floats; a round's time per step is
    the median over its blocks (a block is long enough to include the
    collector's regular work; the median drops blocks another process disturbed).
    """
    ref = _ok(measure(Variant("floats"), task, blocks, block), "floats")["losses"]
    rows: dict[str, list[float]] = {v.label: [] for v in variants}
    for _ in range(rounds):
        for v in variants:
            result = _ok(measure(v, task, blocks, block), f"{task} on {v.label}")
            check_close(f"{task} losses of {v.label}", result["losses"], ref)
            rows[v.label].append(statistics.median(result["seconds"]))
    _print_ratios(rows, variants, " / step", lines)


def chain(config: Config, variants: list[Variant], lines: list[str]) -> None:
    """W3: forward + backward of the million-op chain, where the engine survives it."""
    n = config.chain_ops
    rows: dict[str, list[float]] = {v.label: [] for v in variants}
    failed: dict[str, str] = {}
    for r in range(config.rounds_chain):
        for v in variants:
            if v.label in failed:
                continue
            result = _ok(measure(v, "chain", n), f"chain on {v.label}")
            if not result["ok"]:
                failed[v.label] = result["error"]
                continue
            y, dydx = result["y"], result["dydx"]
            check_close(f"chain y, dy/dx of {v.label}", [y, dydx], [0.5 * CHAIN_FACTOR**n, dydx])
            if not math.isclose(dydx, CHAIN_FACTOR**n, rel_tol=1e-6):
                raise BenchError(f"{v.label}: dy/dx = {dydx!r}, expected {CHAIN_FACTOR**n!r}")
            rows[v.label].append(result["forward"] + result["backward"])
            if r == 0:
                text = (
                    f"    {v.label:<12}forward {_fmt_time(result['forward'])}, "
                    f"backward {_fmt_time(result['backward'])} (round 1)"
                )
                print(text, flush=True)
                lines.append(text)
    _print_ratios(rows, variants, " fwd+bwd", lines)
    for label, error in failed.items():
        text = f"    {label:<12}fails: {error}"
        print(text, flush=True)
        lines.append(text)


def survivable_depth(variant: Variant, cap: int) -> tuple[int, bool]:
    """The longest chain ``variant`` builds and backpropagates, by bisection up to ``cap``.

    Each probe is a process of its own (a crash is a failure too). Returns the
    depth and whether it is the cap (the engine may go deeper).
    """

    def survives(n: int) -> bool:
        result = measure(variant, "survive", n)
        return "crashed" not in result and bool(result["ok"])

    if survives(cap):
        return cap, True
    lo, n = 0, 16
    while n < cap and survives(n):
        lo, n = n, n * 2
    hi = min(n, cap)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if survives(mid):
            lo = mid
        else:
            hi = mid
    return lo, False


def depth(config: Config, variants: list[Variant], lines: list[str]) -> None:
    """W3: the largest chain each engine survives."""
    for v in variants:
        d, capped = survivable_depth(v, config.depth_cap)
        text = f"    {v.label:<12}{'≥ ' if capped else ''}{d:,} ops" + (
            " (the cap)" if capped else f" (fails at {d + 1:,})"
        )
        print(text, flush=True)
        lines.append(text)


def memory(config: Config, variants: list[Variant], lines: list[str]) -> None:
    """W4: tracemalloc peak while building an n-node graph, per node."""
    n = config.graph_nodes
    for v in variants:
        result = _ok(measure(v, "memory", n), f"memory on {v.label}")
        check_close(f"W4 final value of {v.label}", [result["value"]], [1.0 + 0.5 * n])
        text = f"    {v.label:<12}{result['peak'] / n:8.1f} bytes / node"
        print(text, flush=True)
        lines.append(text)


def machine() -> str:
    """Python version, cores, CPU model and today's date."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mg = next(iter(metadata.distributions(name="micrograd", path=[str(PEERS)]))).version
    except StopIteration:
        mg = "missing"
    return (
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{os.cpu_count()} cores, {cpu}, micrograd {mg}, {datetime.date.today().isoformat()}"
    )


def main(argv: list[str] | None = None) -> None:
    """``python -m bench [--quick] [--only W1,W3] [--before DIR]``: print every figure."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, to test the harness")
    parser.add_argument(
        "--only", default="W1,W2,W3,W4", help="comma-separated workloads (default: all)"
    )
    parser.add_argument(
        "--before",
        metavar="DIR",
        help="also measure the autograd package found in DIR, as 'before' (chainrule vs itself)",
    )
    parser.add_argument(
        "--engines", default="chainrule,micrograd,floats", help="comma-separated engines to run"
    )
    parser.add_argument("--rounds", type=int, help="rounds for W1, W2 and W3 (default 5, 7, 3)")
    args = parser.parse_args(argv)
    config = Config.quick() if args.quick else Config()
    if args.rounds:
        config.rounds_w1 = config.rounds_w2 = config.rounds_chain = args.rounds
    variants = [Variant(e) for e in args.engines.split(",")]
    if variants[0].engine != "chainrule":
        parser.error("--engines must start with chainrule (the ratios are chainrule's)")
    if args.before:
        variants.insert(1, Variant("chainrule", str(Path(args.before).resolve()), "before"))
    only = set(args.only.split(","))
    lines: list[str] = []
    start = time.perf_counter()
    print(f"chainrule benchmarks: {machine()}", flush=True)
    print(
        "CPU time of the measuring process; medians over rounds; each round runs every "
        "engine once, each in its own process, one after the other"
    )
    if "W1" in only:
        print(
            f"W1 micrograd's demo step: MLP(2, [16, 16, 1]) ReLU, 100 moons, hinge + 1e-4·Σp² "
            f"({config.rounds_w1} rounds × {config.blocks_w1} steps)",
            flush=True,
        )
        train("W1", config.rounds_w1, config.blocks_w1, config.block_w1, variants, lines)
    if "W2" in only:
        print(
            f"W2 the notes' network: MLP(2, [2, 1]) sigmoid, XOR, ½Σ(y−t)² "
            f"({config.rounds_w2} rounds × {config.blocks_w2} blocks of {config.block_w2} steps)",
            flush=True,
        )
        train("W2", config.rounds_w2, config.blocks_w2, config.block_w2, variants, lines)
    if "W3" in only:
        print(
            f"W3 a {config.chain_ops:,}-op chain y ← y·c, forward + backward "
            f"({config.rounds_chain} rounds)",
            flush=True,
        )
        chain(config, variants, lines)
        print(
            f"W3 the longest chain each engine survives (bisection, cap {config.depth_cap:,})",
            flush=True,
        )
        depth(config, variants, lines)
    if "W4" in only:
        print(
            f"W4 tracemalloc peak while building a {config.graph_nodes:,}-node graph "
            "y ← y + x, per node",
            flush=True,
        )
        memory(config, variants, lines)
    print(f"total {time.perf_counter() - start:.0f} s")
