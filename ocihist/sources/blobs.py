"""Blob access by digest over a file tree, with every read verified."""

from __future__ import annotations

from collections.abc import Sequence

from ocihist.errors import IntegrityError, MissingBlob
from ocihist.model.descriptor import Descriptor
from ocihist.model.digest import Digest
from ocihist.model.findings import Finding
from ocihist.model.parse import JSON_LIMIT, content_digest_matches
from ocihist.sources.base import Root
from ocihist.sources.tree import FileTree


def verified(data: bytes, digest: Digest, *, what: str, where: str,
             signed_manifest: bool = False) -> bytes:
    """`data` if it is the content `digest` names; IntegrityError otherwise."""
    if not content_digest_matches(data, digest, signed_manifest=signed_manifest):
        actual = Digest.of(data, digest.algorithm)
        raise IntegrityError(f"{what} should have digest {digest} but its bytes hash to {actual}",
                             where=where)
    return data


class TreeBlobSource:
    """A source whose blobs are files in a tree, named by `blob_name`."""

    kind = "blobs"

    def __init__(self, tree: FileTree, origin: str) -> None:
        self.tree = tree
        self.origin = origin
        self._roots: list[Root] = []
        self._findings: list[Finding] = []

    def blob_name(self, digest: Digest) -> str:
        return f"blobs/{digest.algorithm}/{digest.hex}"

    def roots(self) -> Sequence[Root]:
        return self._roots

    def findings(self) -> Sequence[Finding]:
        return self._findings

    def has_blob(self, digest: Digest) -> bool:
        return self.tree.size(self.blob_name(digest)) is not None

    def read_blob(self, desc: Descriptor, *, limit: int = JSON_LIMIT,
                  manifest: bool = False) -> bytes:
        name = self.blob_name(desc.digest)
        if self.tree.size(name) is None:
            raise MissingBlob(f"blob {desc.digest} is absent", where=self.tree.label)
        return verified(self.tree.read(name, limit=limit), desc.digest, what=name,
                        where=self.tree.label, signed_manifest=manifest)
