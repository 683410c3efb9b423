"""``python -m autograd [--native]``: which build of the engine runs, and why.

With ``--native`` the exit status is 1 unless it is the compiled one
(``make test`` asks this before its native run).
"""

from __future__ import annotations

import sys

from . import BUILD, BUILD_REASON

__all__: list[str] = []

print(f"chainrule engine: {BUILD} ({BUILD_REASON})")
if "--native" in sys.argv[1:] and BUILD != "native":
    sys.exit(1)
