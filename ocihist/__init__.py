"""ocihist: container image build history, offline.

    >>> import ocihist
    >>> inventory = ocihist.open_input("image.tar")
    >>> for image in ocihist.select_images(inventory):
    ...     print(image.ref, len(ocihist.history(inventory, image).steps))

Names are imported on first use, so that `import ocihist` (and `ocihist --help`) stays light.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["OcihistError", "__version__", "history", "open_input", "pull", "select_images"]

_LAZY = {"open_input": "ocihist.api", "select_images": "ocihist.api", "history": "ocihist.api",
         "pull": "ocihist.pull", "OcihistError": "ocihist.errors"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ocihist' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
