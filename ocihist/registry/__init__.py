"""Registry access: credentials, auth, HTTP, the registry API, mirroring (references are
parsed in ocihist.model.reference).

Only this package imports httpx.
"""

import sys

# httpx imports its optional command line (click, rich, pygments: ~100 ms) when those are
# installed; ocihist never uses it, and httpx falls back cleanly when that import fails.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
