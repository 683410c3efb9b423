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

Under either profile a failure prints the shrunk, minimal example (a random
graph prints as its program) and a ``@reproduce_failure`` blob that replays it.
"""

from __future__ import annotations

import os

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
