"""Build chainrule's two wheels and check that each installs and runs (``make wheels``).

``python tests/wheelcheck.py [DIR]`` builds, as ``python -m build`` does (the
sdist first, then the wheel from the unpacked sdist), into ``DIR`` (``dist`` by
default):

- the **native** wheel: the engine compiled by mypyc, for this platform;
- the **pure** wheel (``CHAINRULE_PURE=1``): ``py3-none-any``, no compiled code.

Each is installed with its dependencies into a new virtual environment in a
temporary folder; there ``chainrule demo --out <tmp>`` must write its files and
``autograd.BUILD`` must name the build the wheel carries, imported from that
environment, not from this checkout. Anything else stops it with exit status 1
and a sentence saying what is wrong. With ``CHAINRULE_PURE=1`` set (a machine
without a C compiler) only the pure wheel is built and checked.

``python tests/wheelcheck.py --native-venv DIR`` (``make native``) builds the
native wheel and installs it alone into a new virtual environment ``DIR``,
which also sees this Python's packages (pytest, numpy, PyTorch...): the suite
runs there on the native build, importing chainrule from the wheel. Where the
engine cannot be compiled, the pure wheel goes there, and the build says why.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

__all__ = [
    "KINDS",
    "WheelError",
    "build",
    "compiled_files",
    "install",
    "native_venv",
    "new_venv",
    "run_installed",
]

ROOT = Path(__file__).resolve().parent.parent
ENV = "CHAINRULE_PURE"
KINDS = ("native", "pure")
COMPILED = (".so", ".pyd", ".c", ".h", ".o")  # what a pure wheel must not carry
# what `chainrule demo` writes without the plot extra (loss.svg needs matplotlib)
DEMO_FILES = {"graph.svg", "chain-rule.svg", "backprop.html", "model.json"}


class WheelError(Exception):
    """A wheel that cannot be built, or that does not install and run as its kind should."""


def run(args: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run a command; its output, or WheelError with the end of it."""
    done = subprocess.run(
        args, capture_output=True, text=True, env=env, cwd=cwd, check=False, timeout=900
    )
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-25:]
        raise WheelError(
            f"`{' '.join(args)}` exited with {done.returncode}:\n  " + "\n  ".join(tail)
        )
    return done.stdout + done.stderr


def compiled_files(wheel: Path) -> list[str]:
    """The names in ``wheel`` that are compiled code (or its C sources).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "x-1-py3-none-any.whl"
    ...     with zipfile.ZipFile(path, "w") as archive:
    ...         archive.writestr("autograd/engine.py", "")
    ...         archive.writestr("autograd/engine.cpython-311-x86_64-linux-gnu.so", "")
    ...     compiled_files(path)
    ['autograd/engine.cpython-311-x86_64-linux-gnu.so']
    """
    with zipfile.ZipFile(wheel) as archive:
        return sorted(name for name in archive.namelist() if name.endswith(COMPILED))


def check_contents(wheel: Path, kind: str) -> None:
    """WheelError unless ``wheel``'s tag and files are those of a ``kind`` wheel."""
    pure_tag = wheel.name.endswith("-py3-none-any.whl")
    compiled = compiled_files(wheel)
    if kind == "pure" and not pure_tag:
        raise WheelError(f"the pure wheel {wheel.name} is not tagged py3-none-any")
    if kind == "pure" and compiled:
        raise WheelError(f"the pure wheel {wheel.name} carries compiled code: {compiled}")
    if kind == "native" and (pure_tag or not any(n.endswith((".so", ".pyd")) for n in compiled)):
        raise WheelError(
            f"the native wheel {wheel.name} has no compiled engine: mypyc or the C compiler "
            f"failed (the build's `chainrule:` lines say why); on a machine without a C "
            f"compiler, run `{ENV}=1 make wheels` to build and check the pure wheel alone"
        )


def build(kind: str, outdir: Path, check: bool = True, extra: dict[str, str] | None = None) -> Path:
    """Build the ``kind`` wheel (and the sdist) into ``outdir``; the wheel's path.

    The build runs in a folder of its own, so the wheel returned is the one just made,
    with the environment variables ``extra`` added. With ``check``, WheelError unless
    its tag and files are those of a ``kind`` wheel.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")
    env = {k: v for k, v in os.environ.items() if k != ENV} | (extra or {})
    if kind == "pure":
        env[ENV] = "1"
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        log = run(
            [sys.executable, "-m", "build", "--no-isolation", "--outdir", tmp, str(ROOT)], env=env
        )
        wheels = list(Path(tmp).glob("*.whl"))
        if len(wheels) != 1:
            raise WheelError(f"building the {kind} wheel made {wheels}, not one wheel:\n{log}")
        said = [line for line in log.splitlines() if line.startswith("chainrule:")]
        try:
            if check:
                check_contents(wheels[0], kind)
        except WheelError as exc:
            raise WheelError(f"{exc}\n  " + "\n  ".join(said)) from None
        if said:
            print("\n".join(said))
        for made in Path(tmp).iterdir():
            (outdir / made.name).unlink(missing_ok=True)  # what an earlier run made
            shutil.move(str(made), outdir / made.name)
    return outdir / wheels[0].name


def program(venv: Path, name: str) -> Path:
    """The path of a virtual environment's program ``name`` (``python``, ``chainrule``)."""
    if os.name == "nt":
        return venv / "Scripts" / f"{name}.exe"
    return venv / "bin" / name


def new_venv(venv: Path, borrow: bool = False) -> list[str]:
    """Make a new virtual environment at ``venv``; the command of pip installing there.

    With ``borrow`` it also sees this Python's packages, after its own: what is
    installed into it is found first, the rest (pytest, numpy...) is this Python's.
    """
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = str(program(venv, "python"))
    if borrow:
        site = run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
        ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
        Path(site.strip(), "_chainrule_dev.pth").write_text("\n".join(sorted(ours)) + "\n")
    # this Python's pip installs into the new environment (pip's --python)
    return [sys.executable, "-m", "pip", "--python", python, "install", "-q"]


def install(wheel: Path, venv: Path) -> None:
    """Make a new virtual environment at ``venv`` with ``wheel`` and its dependencies."""
    run([*new_venv(venv), str(wheel)])


def native_venv(venv: Path) -> str:
    """Install the native wheel alone into a new ``venv`` that also sees this Python's
    packages; what ``python -m autograd`` says there."""
    venv = venv.absolute()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build("native", Path(tmp), check=False)  # the pure one when compiling fails
        shutil.rmtree(venv, ignore_errors=True)
        run([*new_venv(venv, borrow=True), "--no-deps", str(wheel)])
    return run([str(program(venv, "python")), "-I", "-m", "autograd"], cwd=venv).strip()


# What the installed chainrule says of itself: run from a folder outside the checkout.
REPORT = (
    "import json, autograd; "
    "print(json.dumps([autograd.BUILD, autograd.BUILD_REASON, autograd.__file__]))"
)


def run_installed(venv: Path, kind: str, work: Path) -> str:
    """Run ``chainrule demo`` and ask ``autograd.BUILD`` in ``venv``, from the folder
    ``work``; a line saying what ran, or WheelError unless it is the ``kind`` build."""
    env = {k: v for k, v in os.environ.items() if k not in (ENV, "PYTHONPATH")}
    out = work / "demo"
    run([str(program(venv, "chainrule")), "demo", "--out", str(out)], env=env, cwd=work)
    wrote = {p.name for p in out.iterdir()} if out.is_dir() else set()
    if DEMO_FILES - wrote:
        raise WheelError(f"chainrule demo did not write {sorted(DEMO_FILES - wrote)} into {out}")
    report = run([str(program(venv, "python")), "-c", REPORT], env=env, cwd=work)
    build_, reason, where = json.loads(report)
    if not Path(where).resolve().is_relative_to(venv.resolve()):
        raise WheelError(f"autograd was imported from {where}, not from the new environment")
    if build_ != kind:
        raise WheelError(f"the {kind} wheel runs the {build_} engine ({reason})")
    return f"chainrule demo wrote {len(wrote)} files; autograd.BUILD = {build_} ({reason})"


def main(argv: list[str]) -> int:
    """Build and check the wheels this machine can build; 0 when every check passed."""
    parser = argparse.ArgumentParser(prog="python tests/wheelcheck.py", description=__doc__)
    parser.add_argument("dist", nargs="?", type=Path, default=ROOT / "dist")
    parser.add_argument("--native-venv", type=Path, metavar="DIR")
    args = parser.parse_args(argv)
    if args.native_venv:
        try:
            print(native_venv(args.native_venv))
        except WheelError as exc:
            print(f"make native: {exc}", file=sys.stderr)
            return 1
        return 0
    outdir = args.dist
    kinds = ["pure"] if os.environ.get(ENV, "0") not in ("", "0") else list(KINDS)
    if kinds == ["pure"]:
        print(f"make wheels: {ENV} is set, so only the pure wheel is built")
    for kind in kinds:
        try:
            wheel = build(kind, outdir)
            with tempfile.TemporaryDirectory() as tmp:
                install(wheel, Path(tmp) / "venv")
                said = run_installed(Path(tmp) / "venv", kind, Path(tmp))
        except WheelError as exc:
            print(f"make wheels: {exc}", file=sys.stderr)
            return 1
        print(f"{kind} wheel {wheel}: installs into a new venv; {said}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
