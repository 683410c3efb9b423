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

from . import aw, native_site, scale
from .micrograd import PEERS
from .problem import CHAIN_FACTOR

__all__ = [
    "BenchError",
    "Config",
    "Report",
    "Variant",
    "check_close",
    "main",
    "measure",
    "ratio_text",
    "survivable_depth",
]

ROOT = Path(__file__).resolve().parent.parent
TOLERANCE = 1e-9  # every engine's losses must match the hand-written floats to this
PEER_NAMES = ("micrograd", "floats", "numpy")
COMPILED_NAMES = ("chainrule-compiled", "chainrule-batched", "chainrule-c")  # compiled once


@dataclass(frozen=True)
class Variant:
    """An engine as measured: its name in the tables, where its autograd comes from, which build.

    ``build`` is "native" or "pure" to require that build of the engine (the worker
    reports which ran: the native wheel from ``autograd``, the source of this tree),
    "" for whichever ``import autograd`` finds.

    >>> Variant("chainrule").label, Variant("chainrule", "/tmp/old", "before").label
    ('chainrule', 'before')
    >>> NATIVE.label, PURE.build, NATIVE.is_current, Variant("chainrule", "/tmp/old").is_current
    ('chainrule (native)', 'pure', True, False)
    """

    engine: str
    autograd: str | None = None
    name: str = ""
    build: str = ""

    @property
    def label(self) -> str:
        """The name printed in the tables."""
        return self.name or self.engine

    @property
    def is_peer(self) -> bool:
        """micrograd, the floats and NumPy are peers; everything else is chainrule in some form."""
        return self.engine in PEER_NAMES

    @property
    def is_current(self) -> bool:
        """chainrule as it is in this tree, with nn (either build): compared with every engine."""
        return self.engine == "chainrule" and self.build != ""


NATIVE = Variant("chainrule", str(native_site()), name="chainrule (native)", build="native")
PURE = Variant("chainrule", name="chainrule (pure)", build="pure")


@dataclass
class Config:
    """Rounds and sizes; ``quick()`` is a smoke run of the same code paths.

    >>> Config.quick().chain_ops < Config().chain_ops
    True
    """

    rounds_w1: int = 5
    steps_w1: int = 3  # each timed on its own (a step of micrograd takes most of a second)
    rounds_w2: int = 7
    blocks_w2: int = 20  # each block of 50 steps timed as a whole
    block_w2: int = 50
    rounds_chain: int = 3
    chain_ops: int = 1_000_000
    depth_cap: int = 2_000_000
    graph_nodes: int = 1_000_000

    @classmethod
    def quick(cls) -> Config:
        """Few rounds and small sizes: checks the harness in seconds, not the figures."""
        return cls(2, 1, 2, 2, 10, 1, 10_000, 20_000, 10_000)


class BenchError(RuntimeError):
    """An engine computed something else than the hand-written reference, or crashed."""


def measure(
    variant: Variant, task: str, n: int, block: int = 1, timeout: float = 900.0
) -> dict[str, Any]:
    """Run ``bench.worker`` for one variant in a fresh process and return its JSON result.

    A crash (a non-zero exit, e.g. a segfault) comes back as ``{"crashed": code, ...}``.

    >>> result = measure(Variant("floats"), "chain", 3)
    >>> result["ok"], result["y"]
    (True, 0.5000001500000151)
    """
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
    if variant.build and result.get("build") != variant.build:
        raise BenchError(
            f"{variant.label}: the {result.get('build')} build ran ({result.get('reason')})"
        )
    return result


def native_unavailable() -> str:
    """Why the native build of this tree's engine cannot be measured; "" when it can.

    >>> native_unavailable() in ("", build_reason())
    True
    """
    return "" if build_reason().startswith("native") else build_reason()


def build_reason() -> str:
    """What the build in ``native_site()`` says of itself (``native (…)``), or why there is none."""
    if not (native_site() / "autograd").is_dir():
        return f"not built: make native installs the native wheel into {native_site()}"
    code = "import sys; sys.path.insert(0, sys.argv[1]); import autograd.__main__"
    cmd = [sys.executable, "-c", code, str(native_site())]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return proc.stdout.strip().removeprefix("chainrule engine: ")


def _ok(result: dict[str, Any], what: str) -> dict[str, Any]:
    if "crashed" in result:
        raise BenchError(f"{what} crashed (exit {result['crashed']}):\n{result['stderr']}")
    return result


def check_close(what: str, got: list[float], expected: list[float]) -> None:
    """Raise BenchError unless ``got`` equals ``expected`` to TOLERANCE (relative, floor 1).

    >>> check_close("W2 losses", [0.5, 0.25], [0.5, 0.25 + 1e-12])
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


def ratio_text(mine: float, theirs: float) -> str:
    """How one time compares with another, as a factor.

    >>> ratio_text(1.0, 25.0), ratio_text(3.0, 1.0)
    ('25.0× faster', '3.00× slower')
    """
    r = theirs / mine
    return f"{r:.1f}× faster" if r >= 1.0 else f"{1.0 / r:.2f}× slower"


def fmt_time(seconds: float) -> str:
    """A duration with a unit that keeps three or four digits.

    >>> fmt_time(2.5), fmt_time(0.0215), fmt_time(4.2e-05)
    ('2.50 s', '21.50 ms', '42.0 µs')
    """
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


@dataclass
class Report:
    """Every line printed, and the figures the Markdown table is made of."""

    lines: list[str] = field(default_factory=list)
    table: list[tuple[str, dict[str, str], str]] = field(default_factory=list)

    def say(self, text: str) -> None:
        """Print ``text`` now and keep it."""
        print(text, flush=True)
        self.lines.append(text)

    def markdown(self, labels: list[str]) -> str:
        """The figures as a Markdown table, one column per engine.

        >>> r = Report()
        >>> r.table.append(("W4 bytes / node", {"chainrule": "112", "micrograd": "690"}, ""))
        >>> print(r.markdown(["chainrule", "micrograd"]))
        | workload | chainrule | micrograd | chainrule vs micrograd |
        |---|---|---|---|
        | W4 bytes / node | 112 | 690 |  |
        """
        head = ["workload", *labels, "chainrule vs micrograd"]
        rows = [f"| {' | '.join(head)} |", f"|{'---|' * len(head)}"]
        for name, cells, ratio in self.table:
            row = [name, *(cells.get(label, "") for label in labels), ratio]
            rows.append(f"| {' | '.join(row)} |")
        return "\n".join(rows)


def _ratios(rows: dict[str, list[float]], variants: list[Variant], report: Report) -> str:
    """Each chainrule variant against each peer (and 'before'); returns chainrule vs micrograd."""
    headline = []
    subjects = [v for v in variants if not v.is_peer and rows.get(v.label)]
    for s in subjects:
        mine = rows[s.label]
        for other in variants:
            theirs = rows.get(other.label)
            if other is s or not theirs or not (other.is_peer or s.is_current):
                continue  # every chainrule form against the peers; the current one against all
            paired = [b / a for a, b in zip(mine, theirs, strict=False)]
            med_mine, med_theirs = statistics.median(mine), statistics.median(theirs)
            if med_theirs < med_mine:  # a slowdown: quote the rounds the same way round
                paired = [1.0 / p for p in paired]
            text = ratio_text(med_mine, med_theirs)
            report.say(
                f"    {s.label} vs {other.label}: {text} "
                f"(per round {min(paired):.2f}–{max(paired):.2f})"
            )
            if s.is_current and other.label == "micrograd":
                headline.append(f"{s.build or s.label} {text}")
    return "; ".join(headline)


def train(task: str, config: Config, variants: list[Variant], report: Report) -> None:
    """W1/W2: interleaved rounds; every step's loss is checked against the floats.

    Each process runs an untimed step 0, then its timed steps (W1) or blocks of
    steps (W2); a round's figure is the median over them, which keeps the
    collector's regular work (a block is long enough to include it) and drops
    the steps another process disturbed.
    """
    if task == "W1":
        rounds, n, block = config.rounds_w1, config.steps_w1, 1
    else:
        rounds, n, block = config.rounds_w2, config.blocks_w2, config.block_w2
    ref = _ok(measure(Variant("floats"), task, n, block), "floats")["losses"]
    rows: dict[str, list[float]] = {v.label: [] for v in variants}
    setups: dict[str, list[float]] = {v.label: [] for v in variants}
    for _ in range(rounds):
        for v in variants:
            result = _ok(measure(v, task, n, block), f"{task} on {v.label}")
            check_close(f"{task} losses of {v.label}", result["losses"], ref)
            rows[v.label].append(statistics.median(result["seconds"]))
            setups[v.label].append(result.get("setup", 0.0))
    cells = {}
    compile_cells = {}
    for v in variants:
        med = statistics.median(rows[v.label])
        cells[v.label] = fmt_time(med)
        note = ""
        if v.engine in COMPILED_NAMES:  # paid once, before the first step
            compile_cells[v.label] = fmt_time(statistics.median(setups[v.label]))
            note = f"   (compiled once in {compile_cells[v.label]})"
        report.say(f"    {v.label:<20}{fmt_time(med):>12} / step{note}")
    headline = _ratios(rows, variants, report)
    name = {"W1": "W1 s / step (micrograd's demo)", "W2": "W2 s / step (the notes' 2-2-1)"}[task]
    report.table.append((name, cells, headline))
    if compile_cells:
        report.table.append((f"{task} compile time, once", compile_cells, ""))


def chain(config: Config, variants: list[Variant], report: Report) -> None:
    """W3: forward + backward of the million-op chain, where the engine survives it."""
    n = config.chain_ops
    rows: dict[str, list[float]] = {v.label: [] for v in variants}
    splits: dict[str, list[tuple[float, float]]] = {v.label: [] for v in variants}
    failed: dict[str, str] = {}
    for _ in range(config.rounds_chain):
        for v in variants:
            if v.label in failed:
                continue
            result = _ok(measure(v, "chain", n), f"chain on {v.label}")
            if not result["ok"]:
                failed[v.label] = f"forward {fmt_time(result['forward'])}, then {result['error']}"
                continue
            y, dydx = result["y"], result["dydx"]
            check_close(f"chain y of {v.label}", [y], [0.5 * CHAIN_FACTOR**n])
            if not math.isclose(dydx, CHAIN_FACTOR**n, rel_tol=1e-6):
                raise BenchError(f"{v.label}: dy/dx = {dydx!r}, expected {CHAIN_FACTOR**n!r}")
            rows[v.label].append(result["forward"] + result["backward"])
            splits[v.label].append((result["forward"], result["backward"]))
    cells = {}
    for v in variants:
        if v.label in failed:
            cells[v.label] = "fails"
            report.say(f"    {v.label:<20}fails: {failed[v.label]}")
            continue
        med = statistics.median(rows[v.label])
        fwd = statistics.median(f for f, _ in splits[v.label])
        bwd = statistics.median(b for _, b in splits[v.label])
        cells[v.label] = fmt_time(med)
        report.say(
            f"    {v.label:<20}{fmt_time(med):>12}   (forward {fmt_time(fwd)}, "
            f"backward {fmt_time(bwd)})"
        )
    _ratios(rows, variants, report)
    report.table.append((f"W3 {n:,}-op chain, forward + backward", cells, ""))


def survivable_depth(variant: Variant, cap: int) -> tuple[int, bool]:
    """The longest chain ``variant`` builds and backpropagates, by bisection up to ``cap``.

    Each probe is a process of its own (a crash is a failure too). Returns the
    depth and whether it is the cap (the engine may go deeper).

    >>> survivable_depth(Variant("floats"), cap=100)
    (100, True)
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


def depth(config: Config, variants: list[Variant], report: Report) -> None:
    """W3: the largest chain each engine survives."""
    cells = {}
    for v in variants:
        d, capped = survivable_depth(v, config.depth_cap)
        cells[v.label] = f"≥ {d:,}" if capped else f"{d:,}"
        note = " (the cap)" if capped else f" (fails at {d + 1:,})"
        report.say(f"    {v.label:<20}{cells[v.label]:>12} ops{note}")
    report.table.append(("W3 longest chain survived", cells, ""))


def memory(config: Config, variants: list[Variant], report: Report) -> None:
    """W4: tracemalloc peak while building an n-node graph, per node."""
    n = config.graph_nodes
    cells = {}
    per_node = {}
    for v in variants:
        result = _ok(measure(v, "memory", n), f"memory on {v.label}")
        check_close(f"W4 final value of {v.label}", [result["value"]], [1.0 + 0.5 * n])
        per_node[v.label] = result["peak"] / n
        cells[v.label] = f"{per_node[v.label]:.0f}"
        text = f"    {v.label:<20}{per_node[v.label]:8.1f} bytes / node"
        if result.get("backward_peak"):
            text += f"; {result['backward_peak'] / n:.1f} at the peak of backward()"
        elif "backward_peak" in result:
            text += "; backward() fails (RecursionError)"
        report.say(text)
    ratio = "; ".join(
        f"{v.build or v.label} {per_node['micrograd'] / per_node[v.label]:.1f}× smaller"
        for v in variants
        if v.is_current and "micrograd" in per_node
    )
    report.table.append((f"W4 peak bytes / node, {n:,}-node graph", cells, ratio))


def machine() -> str:
    """Python version, cores, CPU model, micrograd's version and today's date."""
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
    """``python -m bench [--quick] [--only W1,W3] [--before DIR] [--markdown FILE]``."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, to test the harness")
    parser.add_argument("--only", default="W1,W2,W3,W4,S,D,N,AW", help="comma-separated workloads")
    parser.add_argument("--rounds", type=int, help="rounds for W1, W2 and W3 (default 5, 7, 3)")
    parser.add_argument(
        "--before",
        metavar="[NAME=]DIR",
        action="append",
        default=[],
        help="also measure the autograd package in DIR, as NAME (default 'before'); repeatable",
    )
    parser.add_argument("--markdown", metavar="FILE", help="also write the figures table here")
    args = parser.parse_args(argv)
    config = Config.quick() if args.quick else Config()
    if args.rounds:
        config.rounds_w1 = config.rounds_w2 = config.rounds_chain = args.rounds
    before = []
    for spec in args.before:
        name, _, path = spec.rpartition("=")
        if not (Path(path) / "autograd" / "engine.py").is_file():
            parser.error(f"--before {spec}: {path} holds no autograd/engine.py")
        before.append(Variant("chainrule", str(Path(path).resolve()), name or "before"))
    peers = [Variant("micrograd"), Variant("floats")]
    missing = native_unavailable()
    current = [PURE] if missing else [NATIVE, PURE]
    native = None if missing else NATIVE.autograd  # the raw and compiled forms run it too
    compiled = [Variant("chainrule-compiled", native), Variant("chainrule-batched", native)]
    trainers = [*current, *before, Variant("chainrule-raw", native), *compiled, *peers]
    trainers.append(Variant("numpy"))  # the batched code's peer: W1 and W2 only
    others = [*current, *before, *peers]
    only = set(args.only.split(","))
    unknown = only - {"W1", "W2", "W3", "W4", "S", "D", "N", "AW"}
    if unknown:
        parser.error(
            f"unknown workloads {sorted(unknown)}; choose from W1, W2, W3, W4, S, D, N, AW"
        )
    report = Report()
    start = time.perf_counter()
    report.say(f"chainrule benchmarks: {machine()}")
    report.say(
        f"chainrule (native): unavailable, {missing}; the pure build alone is measured"
        if missing
        else f"chainrule (native) is the wheel in {native_site()}, {build_reason()}; "
        "chainrule (pure) is this tree's source; chainrule-raw and the compiled forms run "
        "the native build"
    )
    report.say(
        "CPU time of each measuring process; medians over rounds; a round runs every engine "
        "once, one after the other, each in a fresh process"
    )
    if "W1" in only:
        report.say(
            "W1 micrograd's demo step: MLP(2, [16, 16, 1]) ReLU, 100 moons, hinge + 1e-4·Σp² "
            f"({config.rounds_w1} rounds × {config.steps_w1} steps)"
        )
        train("W1", config, trainers, report)
    if "W2" in only:
        report.say(
            "W2 the notes' network: MLP(2, [2, 1]) sigmoid, XOR, ½Σ(y−t)² "
            f"({config.rounds_w2} rounds × {config.blocks_w2} blocks of {config.block_w2} steps)"
        )
        with_c = [Variant("chainrule-c", native)] if aw.c_compiler() else []  # to_c()
        train("W2", config, [*trainers, *with_c], report)
    if "W3" in only:
        report.say(
            f"W3 a {config.chain_ops:,}-op chain y ← y·c, forward + backward "
            f"({config.rounds_chain} rounds)"
        )
        chain(config, others, report)
        report.say(f"W3 the longest chain each engine survives (cap {config.depth_cap:,})")
        depth(config, others, report)
    if "W4" in only:
        report.say(
            f"W4 tracemalloc peak while building a {config.graph_nodes:,}-node graph y ← y + x"
        )
        memory(config, others, report)
    if "S" in only:
        report.say("S the notes' loss compiled, one call, against the same written with math.exp")
        scale.run_scalar(report, 2 if args.quick else 5)
    if "D" in only:
        report.say("D digits: an epoch of MLP(64, [32, 10]) ReLU, cross-entropy, full-batch SGD")
        scale.run_digits(report, 1 if args.quick else 3, 1 if args.quick else 5)
    if "N" in only:
        report.say(
            "N one multiply of two Values inside no_grad(), against float math wrapped by hand"
        )
        scale.run_no_grad(
            report, 1 if args.quick else 5, ("pure",) if missing else ("native", "pure")
        )
    if "AW" in only:
        n_ops = 1_000 if args.quick else aw.N_OPS
        report.say(
            f"AW a random {n_ops:,}-op graph (softplus, sum of 4, product, softmax of 4) on "
            f"{aw.N_INPUTS} inputs, value + gradient of the last node, one process per engine"
        )
        aw.run_aw(report, native, n_ops=n_ops)
    report.say(f"total {time.perf_counter() - start:.0f} s")
    if args.markdown:
        labels = [v.label for v in trainers] + ["chainrule-c"]
        Path(args.markdown).write_text(report.markdown(labels) + "\n", encoding="utf-8")
