"""ocihist: container image build history, offline.

    >>> import ocihist
    >>> inventory = ocihist.open_input("image.tar")
    >>> for image in inventory.images: print(image.ref, len(image.history or ()))
"""

from ocihist.api import open_input, select_images
from ocihist.errors import OcihistError

__version__ = "0.1.0"
__all__ = ["OcihistError", "__version__", "open_input", "select_images"]
