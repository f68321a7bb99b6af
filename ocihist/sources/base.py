"""The one protocol every input answers, and what it answers with."""

from collections.abc import Sequence
from typing import NamedTuple, Protocol

from ocihist.errors import IntegrityError, MalformedDocument, MissingBlob
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


MAX_ENTRIES = 10_000
"""More images and artifacts than this in one input is a hostile fan-out, not an image store."""
MAX_STEPS = 500_000
"""History steps plus layers of all the images of one input. A few small documents repeated
many times (one config behind 10,000 entries, one chain behind 10,000 tags) would amount to
more than any real input: it is refused, not rendered."""
MAX_TEXT = 64 << 20
"""Characters of history text (created_by, comment) of all the images of one input, counted
per image: one config with a 4 MB command behind 1,000 entries is 4 GB of output."""


BLOB_DAMAGE = (IntegrityError, MalformedDocument, MissingBlob)
"""What a present blob can fail to be read by (wrong digest, bad JSON, not kept from a
stream): an error of the entries that need it, not of the whole input."""
DAMAGED_MANIFEST, DAMAGED_CONFIG = "damaged-manifest", "damaged-config"
"""Codes of the findings that mark an image whose manifest or config could not be read."""


def is_damaged(image: Image) -> bool:
    return any(f.code in (DAMAGED_MANIFEST, DAMAGED_CONFIG) for f in image.findings)


class Budget:
    """What one input amounts to so far, refused past MAX_ENTRIES entries or MAX_STEPS steps."""

    __slots__ = ("entries", "steps", "text", "where")

    def __init__(self, where: str) -> None:
        self.where = where
        self.entries = 0
        self.steps = 0
        self.text = 0

    def add(self, entries: int, steps: int, text: int = 0) -> None:
        self.entries += entries
        self.steps += steps
        self.text += text
        if self.text > MAX_TEXT:
            raise MalformedDocument(f"more than {MAX_TEXT >> 20} MiB of history text in all: "
                                    "documents repeated this often are not an image store",
                                    where=self.where)
        if self.entries > MAX_ENTRIES:
            raise MalformedDocument(f"more than {MAX_ENTRIES} images and artifacts: an input "
                                    "that fans out this far is not an image store",
                                    where=self.where)
        if self.steps > MAX_STEPS:
            raise MalformedDocument(f"more than {MAX_STEPS} history steps and layers in all: "
                                    "documents repeated this often are not an image store",
                                    where=self.where)

    def add_entry(self, entry: Image | Artifact, *, counted: bool = False) -> None:
        """Count the entry (unless `counted` already) and its history and layers."""
        history = (entry.history or ()) if isinstance(entry, Image) else ()
        text = sum(len(e.created_by or "") + len(e.comment or "") for e in history)
        self.add(0 if counted else 1, len(history) + len(entry.layers), text)


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

    __slots__ = ("__weakref__", "entries", "findings", "kind", "origin")

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
