"""Build chainrule's wheel with the engine compiled by mypyc, the way black's wheels are made.

The metadata is in pyproject.toml, except the long description: README.md with its
relative links made absolute (:func:`absolute_links`), so that on a package index's
project page its picture shows and its links lead to the repository's files. Then
this file compiles ``ENGINE``: each module becomes an extension module of the same
name (``autograd/engine.cpython-…so`` beside ``engine.py``), which Python imports in
place of the source. The wheel is pure Python (``py3-none-any``), and the build says
why, when ``CHAINRULE_PURE=1`` is set or when mypyc or the C compiler fails. An
editable install compiles nothing: a checkout always runs its source.
"""

from __future__ import annotations

import os
import posixpath
import re
import sys
from pathlib import Path
from typing import Any

from setuptools import Distribution, setup
from setuptools.command.build_ext import build_ext

if sys.version_info >= (3, 11):
    import tomllib
else:  # pyproject's build-system requires tomli there
    import tomli as tomllib

# the engine and everything it calls per op: the rows, their functions, the Value node
ENGINE = [
    "autograd/ieee.py",
    "autograd/rule.py",
    "autograd/functions.py",
    "autograd/ops.py",
    "autograd/modes.py",
    "autograd/methods.py",
    "autograd/value.py",
    "autograd/engine.py",
]
PURE = os.environ.get("CHAINRULE_PURE", "0") not in ("", "0")
HERE = Path(__file__).resolve().parent
BRANCH = "main"  # the branch whose files the package index's links show
# a Markdown link or picture, [text](target) or ![alt](target)
LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")
FENCE = re.compile(r"(^```.*?^```)", re.MULTILINE | re.DOTALL)  # a fenced code block


def absolute_links(markdown: str, repository: str) -> str:
    """``markdown`` with each relative link made a URL in ``repository``, on ``BRANCH``.

    A page becomes its file view, a folder its listing and a picture its raw file;
    anchors, URLs and fenced code are left as they are. A path is relative to the
    repository's root (where README.md is), and is normalised:

    >>> repo = "https://github.com/chainrule/chainrule"
    >>> print(absolute_links("[Notes](./docs/notes.md#eq-3)", repo))
    [Notes](https://github.com/chainrule/chainrule/blob/main/docs/notes.md#eq-3)
    >>> print(absolute_links("![graph](docs/../docs/graph.svg)", repo))
    ![graph](https://github.com/chainrule/chainrule/raw/main/docs/graph.svg)
    >>> print(absolute_links("[docs](/docs/)", repo))
    [docs](https://github.com/chainrule/chainrule/tree/main/docs/)
    >>> print(absolute_links("[up](#install), [x](https://example.org/x.md)", repo))
    [up](#install), [x](https://example.org/x.md)
    >>> absolute_links("[x](../x.md)", repo)
    Traceback (most recent call last):
    ValueError: the link [x](../x.md) points outside the repository; ...
    """

    def absolute(link: re.Match[str]) -> str:
        bang, text, target = link.groups()
        if target.startswith("#") or re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//", target):
            return link[0]  # an anchor, or a URL
        path, hash_, fragment = target.partition("#")
        name = posixpath.normpath(path.lstrip("/"))
        if name == ".." or name.startswith("../"):
            raise ValueError(
                f"the link {link[0]} points outside the repository; a relative link must "
                f"name a file in it, such as docs/notes.md"
            )
        folder = "/" if path.endswith("/") else ""
        view = "raw" if bang else "tree" if folder else "blob"
        url = f"{repository.rstrip('/')}/{view}/{BRANCH}/{name}{folder}{hash_}{fragment}"
        return f"{bang}[{text}]({url})"

    pieces = FENCE.split(markdown)  # the odd ones are the code blocks
    return "".join(p if i % 2 else LINK.sub(absolute, p) for i, p in enumerate(pieces))


def long_description() -> str:
    """README.md with absolute links into pyproject's Homepage (the repository)."""
    with open(HERE / "pyproject.toml", "rb") as file:
        repository = tomllib.load(file)["project"]["urls"]["Homepage"]
    return absolute_links((HERE / "README.md").read_text(encoding="utf-8"), repository)


class BuildEngine(build_ext):
    """build_ext that compiles ENGINE with mypyc, or makes the wheel pure Python."""

    def finalize_options(self) -> None:
        """mypycify now, when something is really built: mypy takes seconds."""
        self.distribution.ext_modules = self.engine()
        super().finalize_options()

    def engine(self) -> list[Any]:
        if self.inplace or getattr(self, "editable_mode", False):
            return self.pure("an editable or in-place build runs the source")
        try:
            from mypyc.build import mypycify

            # skip: mypy reads ENGINE alone, not the package around it (compile.py imports numpy)
            options = ["--strict", "--follow-imports=skip"]
            return list(mypycify([*options, *ENGINE], group_name="autograd.chainrule"))
        except (Exception, SystemExit) as exc:  # no mypy, or mypyc exits on a type error
            return self.pure(f"mypyc cannot compile the engine ({exc!r})")

    def run(self) -> None:
        """Compile; on failure remove what was made and make the wheel pure."""
        if not self.extensions:
            return
        try:
            super().run()
        except Exception as exc:  # no C compiler, or it failed
            for ext in self.extensions:
                Path(self.get_ext_fullpath(ext.name)).unlink(missing_ok=True)
            self.pure(f"compiling the engine failed ({exc})")
        else:
            print(f"chainrule: compiled {', '.join(ENGINE)} with mypyc", flush=True)

    def pure(self, reason: str) -> list[Any]:
        """Say why nothing is compiled; tag the wheel, if one is built, py3-none-any."""
        print(f"chainrule: {reason}; the engine is pure Python", flush=True)
        wheel = self.distribution.command_obj.get("bdist_wheel")
        if wheel is not None:
            wheel.root_is_pure = True
        return []


class EngineDistribution(Distribution):
    """A platform wheel unless CHAINRULE_PURE is set (BuildEngine.pure may still make it pure)."""

    def has_ext_modules(self) -> bool:
        return not PURE


if __name__ == "__main__":  # as the build runs it; tests/test_packaging.py imports it
    setup(
        distclass=EngineDistribution,
        cmdclass={"build_ext": BuildEngine},
        long_description=long_description(),
        long_description_content_type="text/markdown",
    )
