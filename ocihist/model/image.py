"""What a source resolves to: images with their layers, and artifacts that are not images."""

from collections.abc import Mapping
from typing import NamedTuple

from ocihist.model.config import HistoryEntry, ImageConfig
from ocihist.model.descriptor import EMPTY, Platform
from ocihist.model.digest import Digest
from ocihist.model.findings import Finding


class Layer(NamedTuple):
    """One filesystem layer; fields the input does not record are None."""

    index: int
    digest: Digest | None
    diff_id: str | None
    media_type: str | None
    size: int | None
    uncompressed_size: int | None
    where: str | None = None


class Image(NamedTuple):
    """A container image found in an input, or a listed platform whose blobs are absent."""

    ref: str | None
    names: tuple[str, ...]
    where: str
    manifest_digest: Digest | None
    manifest_media_type: str | None
    config_digest: Digest | None
    config_media_type: str | None
    platform: Platform | None
    config: ImageConfig | None
    history: tuple[HistoryEntry, ...] | None
    layers: tuple[Layer, ...]
    created: str | None = None
    annotations: Mapping[str, str] = EMPTY  # the manifest's own
    missing: bool = False
    findings: tuple[Finding, ...] = ()
    entry_annotations: Mapping[str, str] = EMPTY  # the index.json entry's that led here


class Artifact(NamedTuple):
    """Something in an input that is not a runnable image: an attestation, a chart, a signature."""

    ref: str | None
    names: tuple[str, ...]
    where: str
    digest: Digest | None
    media_type: str | None
    reason: str
    artifact_type: str | None = None
    subject: Digest | None = None
    platform: Platform | None = None
    layers: tuple[Layer, ...] = ()
    annotations: Mapping[str, str] = EMPTY
    payloads: tuple[bytes, ...] = ()  # the in-toto / DSSE layers of an attestation, when present
