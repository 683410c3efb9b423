"""Hypothesis profiles for the property suite: reproducible by default, thorough on request.

``default`` is what ``pytest`` and ``make test`` run, locally and in CI alike:
it does not depend on a CI variable being set. It is derandomized (every run
tries the same examples, derived from each test's source) and keeps no example
database, so a run on one machine is the run on every machine; 100 examples
per property keep the whole suite within seconds.

``thorough`` (``HYPOTHESIS_PROFILE=thorough pytest``) searches freshly: a new
random seed each run (``--hypothesis-seed=N`` fixes one), 2000 examples per
property, and the local example database ``.hypothesis/``, so a failure it
finds is replayed first the next time.

It also holds the documentation site built once a session (:func:`built_site`), which the
site's tests and the playground's share.

Under either profile a failure prints the shrunk, minimal example (a random
graph prints as its program) and a ``@reproduce_failure`` blob that replays it.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

__all__: list[str] = []

# The graph strategies draw many choices per example, and a large draw is
# intended, not a smell; timing is never a pass/fail criterion in this suite.
_common = settings(
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("default", _common, max_examples=100, derandomize=True, database=None)
settings.register_profile("thorough", _common, max_examples=2000, derandomize=False)

_profile = os.environ.get("HYPOTHESIS_PROFILE", "default")
if _profile not in ("default", "thorough"):
    raise ValueError(f"HYPOTHESIS_PROFILE must be 'default' or 'thorough'; got {_profile!r}")
settings.load_profile(_profile)

# tests/data holds other projects' files that the tests read (micrograd's, with its
# licence): they are data, not tests, so pytest collects nothing there.
collect_ignore = ["data"]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documentation site, built as ``make docs`` builds it (``mkdocs build --strict``)
    from this checkout into a temporary folder: once a session, for tests/test_docs_site.py
    and tests/test_playground.py. Skipped, saying what is missing, without the docs extra,
    KaTeX (``npm ci --prefix tests/browser``) or what the playground ships (``make
    playground``); ``make test`` installs them all."""
    for module in ("mkdocs", "material", "mkdocstrings_handlers.python", "mkdocs_jupyter"):
        if importlib.util.find_spec(module.split(".")[0]) is None:
            pytest.skip(f"{module} is missing: pip install -e '.[docs]' (make test installs it)")
    needed = {
        "KaTeX": ("tests/browser/node_modules/katex/dist/katex.min.js", "make browser"),
        "Pyodide": ("docs/playground/node_modules/pyodide/pyodide.asm.wasm", "make playground"),
        "the playground's wheels": ("docs/playground/wheels/.downloaded", "make playground"),
    }
    for what, (path, command) in needed.items():
        if not (ROOT / path).is_file():
            pytest.skip(f"{what} is missing ({path}): {command} (make test runs it)")
    out = tmp_path_factory.mktemp("site") / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "WARNING" not in done.stderr, done.stderr[-3000:]  # mkdocs's, and the kernel's
    return out
