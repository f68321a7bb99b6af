"""Roots → images: walking indexes, believing blobs over descriptors, spotting artifacts.

Written once for every source that stores manifests as blobs (layouts, archives, `dir:`,
registries); sources without manifest blobs hand over finished entries in their roots.

A damaged blob (wrong digest, malformed JSON) harms only the entries that need it: they carry
an error finding and the others are read as usual. When no image is left intact the input
as a whole is bad, and the first damage is raised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ocihist.errors import MalformedDocument, OcihistError
from ocihist.model import mediatypes as mt
from ocihist.model.config import ImageConfig
from ocihist.model.descriptor import Descriptor
from ocihist.model.digest import Digest
from ocihist.model.findings import Finding
from ocihist.model.image import Artifact, Image
from ocihist.model.manifest import ImageManifest, Index, Manifest, Schema1Manifest
from ocihist.model.parse import parse_config, parse_manifest
from ocihist.sources import assemble
from ocihist.sources.base import (
    BLOB_DAMAGE,
    DAMAGED_CONFIG,
    DAMAGED_MANIFEST,
    Budget,
    Inventory,
    Root,
    Source,
    is_damaged,
)

T = TypeVar("T")
MAX_DEPTH = 8
MAX_VISITS = 100_000
"""Index entries followed in all (indexes listing indexes many times fan out exponentially
while adding no image)."""
MAX_PAYLOAD_BYTES = 64 * 1024 * 1024
"""The most attestation payload bytes one input may hand to provenance analysis."""


def resolve(source: Source) -> Inventory:
    """Every image and artifact reachable from the source's roots, in input order."""
    inventory = Inventory(source.origin, source.kind, findings=list(source.findings()))
    memo = _Memo(source)
    damaged: list[Exception] = []
    for root in source.roots():
        if root.entry is not None:
            memo.budget.add_entry(root.entry)
            inventory.entries.append(root.entry)
        elif root.descriptor is not None:
            first = len(inventory.entries)
            _Walker(memo, inventory, root, damaged).walk(root.descriptor, root.where, ())
            if root.descriptor.annotations:
                inventory.entries[first:] = [
                    e._replace(entry_annotations=root.descriptor.annotations)
                    if isinstance(e, Image) else e for e in inventory.entries[first:]]
    if damaged and not any(isinstance(e, Image) and not e.missing and not is_damaged(e)
                           for e in inventory.entries):
        raise damaged[0]
    return inventory


class _Memo:
    """Each blob read, parsed and checked once, however many entries point at it."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.manifests: dict[Digest, tuple[Manifest, int, tuple[str, ...]]] = {}
        self.configs: dict[Digest, tuple[ImageConfig, int]] = {}
        self.payloads: dict[Digest, bytes] = {}
        self.payload_bytes = 0
        self.present: dict[Digest, bool] = {}
        self.visits = 0
        self.budget = Budget(source.origin)
        self.failed: dict[Digest, OcihistError] = {}

    def _once(self, digest: Digest, read: Callable[[], T]) -> T:
        """`read()` for a blob not read before; a failure is remembered (without its
        traceback, which holds the blob's bytes) and raised again for every later reader."""
        if digest in self.failed:
            raise self.failed[digest]
        try:
            return read()
        except BLOB_DAMAGE as exc:
            self.failed[digest] = exc.with_traceback(None)
            raise

    def has(self, digest: Digest) -> bool:
        if digest not in self.present:
            self.present[digest] = self.source.has_blob(digest)
        return self.present[digest]

    def manifest(self, desc: Descriptor, where: str) -> tuple[Manifest, int, tuple[str, ...]]:
        """The parsed manifest, its size, and notes about it."""
        if desc.digest not in self.manifests:
            self.manifests[desc.digest] = self._once(desc.digest,
                                                     lambda: self._read_manifest(desc, where))
        return self.manifests[desc.digest]

    def _read_manifest(self, desc: Descriptor, where: str
                       ) -> tuple[Manifest, int, tuple[str, ...]]:
        raw = self.source.read_blob(desc, manifest=True)
        notes: list[str] = []
        manifest = parse_manifest(raw, where=f"{where} ({desc.digest.short})",
                                  digest=desc.digest, notes=notes)
        return manifest, len(raw), tuple(notes)

    def config(self, desc: Descriptor, where: str) -> tuple[ImageConfig, int]:
        def read() -> tuple[ImageConfig, int]:
            raw = self.source.read_blob(desc)
            return parse_config(raw, where=f"{where} config ({desc.digest.short})",
                                digest=desc.digest), len(raw)

        if desc.digest not in self.configs:
            self.configs[desc.digest] = self._once(desc.digest, read)
        return self.configs[desc.digest]

    def payload(self, desc: Descriptor) -> bytes | None:
        """An attestation layer's bytes, or None past the payload budget."""
        if desc.digest not in self.payloads:
            if self.payload_bytes + (desc.size or 0) > MAX_PAYLOAD_BYTES:
                return None
            data = self._once(desc.digest, lambda: self.source.read_blob(desc))
            self.payload_bytes += len(data)
            self.payloads[desc.digest] = data
        return self.payloads[desc.digest]


class _Walker:
    def __init__(self, memo: _Memo, inventory: Inventory, root: Root,
                 damaged: list[Exception]) -> None:
        self.memo = memo
        self.inventory = inventory
        self.root = root
        self.damaged = damaged

    def _add(self, entry: Image | Artifact) -> None:
        self.memo.budget.add_entry(entry)
        self.inventory.entries.append(entry)

    def walk(self, desc: Descriptor, where: str, ancestors: tuple[Digest, ...]) -> None:
        self.memo.visits += 1
        if self.memo.visits > MAX_VISITS:
            raise MalformedDocument(f"more than {MAX_VISITS} index entries to follow: indexes "
                                    "that fan out this far are not an image store",
                                    where=self.root.where)
        if desc.digest in ancestors or len(ancestors) > MAX_DEPTH:
            self.inventory.findings.append(Finding(
                "index-loop", f"index refers back to {desc.digest.short}; not followed", where))
            return
        if not self.memo.has(desc.digest):
            self._add(assemble.missing_image(
                desc, where=where, names=self.root.names, ref=self.root.ref))
            return
        try:
            manifest, size, notes = self.memo.manifest(desc, where)
        except BLOB_DAMAGE as exc:
            self._damaged_manifest(desc, where, exc)
            return
        findings = [Finding("schema1-payload", note, where) for note in notes]
        findings += _descriptor_findings(desc, size, manifest.media_type, where)
        if isinstance(manifest, Index):
            if manifest.media_type is None:
                findings.append(Finding("no-media-type", f"index blob {desc.digest.short} has no "
                                        "mediaType", where, "info"))
            self.inventory.findings.extend(findings)
            for i, child in enumerate(manifest.manifests):
                self.walk(child, f"{where}>{i}", (*ancestors, desc.digest))
        elif isinstance(manifest, Schema1Manifest):
            self._add(assemble.image_from_schema1(
                manifest, where=where, names=self.root.names, ref=self.root.ref,
                findings=findings))
        else:
            self._add(self._image(manifest, desc, where, findings))

    def _image(self, manifest: ImageManifest, desc: Descriptor, where: str,
               findings: list[Finding]) -> object:
        names, ref = self.root.names, self.root.ref
        reason = assemble.not_an_image_reason(manifest, desc)
        if reason is not None:
            wanted = {layer.digest: layer for layer in manifest.layers
                      if assemble.is_attestation_layer(layer)
                      and self.memo.has(layer.digest)}
            read = [self._payload(layer, where) for layer in wanted.values()]
            payloads = tuple(data for data in read if data)
            if None in read:
                self.inventory.findings.append(Finding(
                    "payload-budget", f"attestation layers past {MAX_PAYLOAD_BYTES} bytes in "
                    "all were not read", where))
            return assemble.artifact(manifest, reason=f"not an image: {reason}", where=where,
                                     names=names, ref=ref, desc=desc, payloads=payloads)
        config = None
        config_desc = manifest.config
        if self.memo.has(config_desc.digest):
            try:
                config, size = self.memo.config(config_desc, where)
            except BLOB_DAMAGE as exc:
                self.damaged.append(exc)
                problem = f"config blob {config_desc.digest.short} cannot be read"
                findings.append(Finding(DAMAGED_CONFIG, f"{problem} ({exc.message}): the "
                                        "history is unknown", where, "error"))
                return self._image_of(manifest, desc, where, findings, None)
            findings += _size_findings(config_desc, size, f"{where} config")
            reason = assemble.config_not_image_reason(config)
            if reason is not None:
                return assemble.artifact(manifest, reason=f"not an image: {reason}",
                                         where=where, names=names, ref=ref, desc=desc)
        else:
            findings.append(Finding("missing-config", f"config blob {config_desc.digest.short} "
                                    "is not in the input: the history is unknown", where,
                                    "error"))
        return self._image_of(manifest, desc, where, findings, config)

    def _image_of(self, manifest: ImageManifest, desc: Descriptor, where: str,
                  findings: list[Finding], config: ImageConfig | None) -> Image:
        names, ref, config_desc = self.root.names, self.root.ref, manifest.config
        absent = sum(1 for layer in manifest.layers if not self.memo.has(layer.digest))
        if absent:
            findings.append(Finding("layers-absent", f"{absent} of {len(manifest.layers)} layer "
                                    "blobs are not in the input (metadata only)", where, "info"))
        return assemble.image(
            ref=ref, names=names, where=where, manifest_digest=manifest.digest,
            manifest_media_type=manifest.media_type or desc.media_type, config=config,
            config_media_type=config_desc.media_type,
            layers=assemble.layers_from_descriptors(
                manifest.layers, config.diff_ids if config else None),
            platform=desc.platform, annotations=manifest.annotations, findings=findings)


    def _damaged_manifest(self, desc: Descriptor, where: str, exc: OcihistError) -> None:
        """A listed manifest that cannot be read: an attestation's is a warning; an index's
        hides what it lists (an error of the input); any other is an image in error."""
        problem = f"cannot be read: {exc.message}"
        if desc.annotation(mt.ANNOTATION_REFERENCE_TYPE) == mt.REFERENCE_TYPE_ATTESTATION:
            self.inventory.findings.append(Finding(
                "damaged-attestation", f"attestation manifest {desc.digest.short} {problem}",
                where))
            return
        self.damaged.append(exc)
        if mt.is_index(desc.media_type):
            self.inventory.findings.append(Finding(
                "damaged-index", f"index {desc.digest.short} {problem}; the images it lists "
                "are not shown", where, "error"))
            return
        self._add(assemble.unreadable_image(
            desc, where=where, names=self.root.names, ref=self.root.ref,
            finding=Finding(DAMAGED_MANIFEST, f"manifest blob {desc.digest.short} {problem}",
                            where, "error")))

    def _payload(self, layer: Descriptor, where: str) -> bytes | None:
        """An attestation layer's bytes; None past the payload budget; b"" (and a finding)
        when the blob is damaged."""
        try:
            return self.memo.payload(layer)
        except BLOB_DAMAGE as exc:
            self.inventory.findings.append(Finding(
                "damaged-payload", f"attestation layer {layer.digest.short} cannot be read: "
                f"{exc.message}", where))
            return b""


def _size_findings(desc: Descriptor, actual: int, where: str) -> list[Finding]:
    if desc.size is None or desc.size == actual:
        return []
    return [Finding("size-mismatch", f"descriptor size {desc.size} but blob {desc.digest.short} "
                    f"is {actual} bytes (digest matches)", where)]


def _descriptor_findings(desc: Descriptor, actual_size: int, blob_type: str | None,
                         where: str) -> list[Finding]:
    findings = _size_findings(desc, actual_size, where)
    if desc.media_type and blob_type and mt.base(desc.media_type) != mt.base(blob_type):
        findings.append(Finding("media-type-mismatch", f"descriptor says {desc.media_type} but "
                                f"the blob says {blob_type}; the blob is believed", where))
    return findings

