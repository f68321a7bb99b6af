"""The one protocol every input answers, and what it answers with."""

from collections.abc import Sequence
from typing import NamedTuple, Protocol

from ocihist.errors import MissingBlob
from ocihist.model.descriptor import Descriptor
from ocihist.model.digest import Digest
from ocihist.model.findings import Finding
from ocihist.model.image import Artifact, Image
from ocihist.model.parse import JSON_LIMIT

# The members by which an archive or folder shows its format (detect.py tells them apart by
# these alone, before loading the reader of the format it finds).
INDEX_FILE = "index.json"
"""An OCI image layout's entry point (also in Docker 25+ saves)."""
MANIFEST_FILE = "manifest.json"
"""A docker save's list of images; a containers `dir:` folder's one manifest."""
REPOSITORIES_FILE = "repositories"
"""The tag map of docker saves; the only index of those before Docker 1.10."""


class Root(NamedTuple):
    """A top-level entry of an input, in the input's own order.

    Either `descriptor` points at a manifest or index blob the resolver walks, or the
    source had no such blob (docker save, a bare config) and built `entry` itself.
    """

    where: str
    names: tuple[str, ...] = ()
    ref: str | None = None
    descriptor: Descriptor | None = None
    entry: Image | Artifact | None = None


class Source(Protocol):
    """A read-only place images come from."""

    origin: str
    kind: str

    def roots(self) -> Sequence[Root]:
        """Top-level entries, in the input's order."""

    def has_blob(self, digest: Digest) -> bool:
        """Whether the blob is present (content is checked only when read)."""

    def read_blob(self, desc: Descriptor, *, limit: int = JSON_LIMIT,
                  manifest: bool = False) -> bytes:
        """The whole blob, its digest verified; MissingBlob or IntegrityError otherwise.
        With `manifest`, a signed schema 1 manifest may match by the digest of its JWS
        payload; the caller then reads the payload (parse_manifest does)."""

    def findings(self) -> Sequence[Finding]:
        """Facts about the input as a whole (not about one image)."""


class Inventory:
    """Everything found in one input: images and artifacts in input order."""

    __slots__ = ("entries", "findings", "kind", "origin")

    def __init__(self, origin: str, kind: str, findings: list[Finding] | None = None) -> None:
        self.origin = origin
        self.kind = kind
        self.entries: list[Image | Artifact] = []
        self.findings: list[Finding] = findings if findings is not None else []

    @property
    def images(self) -> list[Image]:
        return [e for e in self.entries if isinstance(e, Image)]

    @property
    def artifacts(self) -> list[Artifact]:
        return [e for e in self.entries if isinstance(e, Artifact)]


class PrebuiltSource:
    """A source whose roots carry finished entries; it has no blobs to read by digest."""

    origin: str
    kind: str
    _roots: list[Root]
    _findings: list[Finding]

    def roots(self) -> Sequence[Root]:
        return self._roots

    def findings(self) -> Sequence[Finding]:
        return self._findings

    def has_blob(self, digest: Digest) -> bool:
        return False

    def read_blob(self, desc: Descriptor, *, limit: int = JSON_LIMIT,
                  manifest: bool = False) -> bytes:
        raise MissingBlob(f"{self.kind} input has no blob {desc.digest}", where=self.origin)
