"""Manifests and indexes, each with the raw bytes its digest is computed over."""

from collections.abc import Mapping
from typing import NamedTuple

from ocihist.model.config import HistoryEntry
from ocihist.model.descriptor import EMPTY, Descriptor
from ocihist.model.digest import Digest


class ImageManifest(NamedTuple):
    """An OCI image manifest or Docker v2 schema 2 manifest."""

    raw: bytes
    digest: Digest | None
    media_type: str | None
    config: Descriptor
    layers: tuple[Descriptor, ...]
    annotations: Mapping[str, str] = EMPTY
    subject: Descriptor | None = None
    artifact_type: str | None = None


class Index(NamedTuple):
    """An OCI image index or Docker manifest list."""

    raw: bytes
    digest: Digest | None
    media_type: str | None
    manifests: tuple[Descriptor, ...]
    annotations: Mapping[str, str] = EMPTY
    subject: Descriptor | None = None


class Schema1Layer(NamedTuple):
    blob_sum: Digest
    throwaway: bool


class Schema1Manifest(NamedTuple):
    """A Docker v2 schema 1 manifest; history comes from `v1Compatibility`, oldest first here.

    `digest` is the registry digest: for a signed manifest, of the JWS payload; None when the
    signed bytes are not a well-defined document.
    """

    raw: bytes
    digest: Digest | None
    media_type: str
    name: str | None
    tag: str | None
    architecture: str | None
    os: str | None
    layers: tuple[Schema1Layer, ...]
    history: tuple[HistoryEntry, ...]
    signatures: int
    created: str | None


Manifest = ImageManifest | Index | Schema1Manifest
