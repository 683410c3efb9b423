"""Hypothesis profiles for the property suite: reproducible by default, thorough on request.

``default`` is what ``pytest`` and ``make test`` run, locally and in CI alike, so
it does not depend on any CI variable being set: it is derandomized (every run
tries the same examples, chosen by hashing each test) and keeps no example
database, so a run on one machine is the run on every machine. Failures print
the minimal example and a ``@reproduce_failure`` blob.

``thorough`` (``HYPOTHESIS_PROFILE=thorough pytest``) searches freshly: a new
random seed each run (printed on failure with ``--hypothesis-show-statistics``
or in the failure report), twenty times as many examples, and the local example
database in ``.hypothesis/``, so a failure it finds is replayed first next time.
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
