"""Is the ``autograd``, ``nn`` or ``viz`` that Python finds chainrule's own?

Those names are also used by other projects on PyPI (HIPS autograd, among
others). When one of them is installed over chainrule's, or a file of that name
shadows it, chainrule's imports fail in confusing ways; this check finds it first
and says, in one sentence, what happened and how to fix it.
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import cache
from pathlib import Path

__all__ = ["PACKAGES", "REINSTALL", "ForeignPackageError", "foreign_package"]

PACKAGES: dict[str, tuple[str, ...]] = {
    "autograd": ("Value", "Constant", "grad", "topological_order"),
    "nn": ("MLP", "fit", "squared_error"),
    "viz": ("draw", "chain_rule", "write"),
}
"""Each of chainrule's own packages, with names that only chainrule's version has."""

REINSTALL = "pip install --force-reinstall chainrule"


class ForeignPackageError(ImportError):
    """A package chainrule needs (``autograd``, ``nn`` or ``viz``) is not chainrule's own.

    >>> raise ForeignPackageError("...")
    Traceback (most recent call last):
    ...
    chainrule._packages.ForeignPackageError: ...
    """


def _problem(name: str, home: Path) -> str | None:
    """Why ``name`` is not chainrule's package and what fixes it, or None when it is."""
    reinstall = f"fix it with: {REINSTALL}"
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None or not spec.has_location:
        return f"the package {name!r} that chainrule needs is missing; {reinstall}"
    origin = Path(spec.origin).resolve()
    where = origin.parent if spec.submodule_search_locations is not None else origin
    if where != home / name:
        return (
            f"Python imports {name!r} from {where}, which is not chainrule's ({home / name}); "
            "rename or move that file or folder, or uninstall the project it belongs to and "
            f"then {reinstall}"
        )
    try:
        module = importlib.import_module(name)
    except ImportError as error:
        return f"chainrule's package {name!r} fails to import ({error}); {reinstall}"
    missing = [attr for attr in PACKAGES[name] if not hasattr(module, attr)]
    if missing:
        return (
            f"the {name!r} in {home} is not chainrule's (it has no {missing[0]}): another "
            f"project of that name, such as HIPS autograd, was installed over it; {reinstall}"
        )
    return None


@cache
def foreign_package() -> str | None:
    """One sentence saying which package is not chainrule's and how to fix it, or None.

    Each of :data:`PACKAGES` must be found beside the ``chainrule`` package (in the
    same directory, as pip installs them) and have the names listed there.

    >>> foreign_package() is None  # in a healthy install
    True
    """
    home = Path(__file__).resolve().parent.parent
    for name in PACKAGES:
        problem = _problem(name, home)
        if problem is not None:
            return f"chainrule cannot start: {problem}"
    return None
