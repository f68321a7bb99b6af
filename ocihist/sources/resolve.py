"""Roots → images: walking indexes, believing blobs over descriptors, spotting artifacts.

Written once for every source that stores manifests as blobs (layouts, archives, `dir:`,
registries); sources without manifest blobs hand over finished entries in their roots.
"""

from __future__ import annotations

from ocihist.model import mediatypes as mt
from ocihist.model.descriptor import Descriptor
from ocihist.model.digest import Digest
from ocihist.model.findings import Finding
from ocihist.model.image import Image
from ocihist.model.manifest import ImageManifest, Index, Schema1Manifest
from ocihist.model.parse import parse_config, parse_manifest
from ocihist.sources import assemble
from ocihist.sources.base import Inventory, Root, Source

MAX_DEPTH = 8


def resolve(source: Source) -> Inventory:
    """Every image and artifact reachable from the source's roots, in input order."""
    inventory = Inventory(source.origin, source.kind, findings=list(source.findings()))
    for root in source.roots():
        if root.entry is not None:
            inventory.entries.append(root.entry)
        elif root.descriptor is not None:
            first = len(inventory.entries)
            _Walker(source, inventory, root).walk(root.descriptor, root.where, ())
            if root.descriptor.annotations:
                inventory.entries[first:] = [
                    e._replace(entry_annotations=root.descriptor.annotations)
                    if isinstance(e, Image) else e for e in inventory.entries[first:]]
    return inventory


class _Walker:
    def __init__(self, source: Source, inventory: Inventory, root: Root) -> None:
        self.source = source
        self.inventory = inventory
        self.root = root

    def walk(self, desc: Descriptor, where: str, ancestors: tuple[Digest, ...]) -> None:
        if desc.digest in ancestors or len(ancestors) > MAX_DEPTH:
            self.inventory.findings.append(Finding(
                "index-loop", f"index refers back to {desc.digest.short}; not followed", where))
            return
        if not self.source.has_blob(desc.digest):
            self.inventory.entries.append(assemble.missing_image(
                desc, where=where, names=self.root.names, ref=self.root.ref))
            return
        raw = self.source.read_blob(desc)
        notes: list[str] = []
        manifest = parse_manifest(raw, where=f"{where} ({desc.digest.short})", digest=desc.digest,
                                  notes=notes)
        findings = [Finding("schema1-payload", note, where) for note in notes]
        findings += _descriptor_findings(desc, len(raw), manifest.media_type, where)
        if isinstance(manifest, Index):
            if manifest.media_type is None:
                findings.append(Finding("no-media-type", f"index blob {desc.digest.short} has no "
                                        "mediaType", where, "info"))
            self.inventory.findings.extend(findings)
            for i, child in enumerate(manifest.manifests):
                self.walk(child, f"{where}>{i}", (*ancestors, desc.digest))
        elif isinstance(manifest, Schema1Manifest):
            self.inventory.entries.append(assemble.image_from_schema1(
                manifest, where=where, names=self.root.names, ref=self.root.ref,
                findings=findings))
        else:
            self.inventory.entries.append(self._image(manifest, desc, where, findings))

    def _image(self, manifest: ImageManifest, desc: Descriptor, where: str,
               findings: list[Finding]) -> object:
        names, ref = self.root.names, self.root.ref
        reason = assemble.not_an_image_reason(manifest, desc)
        if reason is not None:
            payloads = tuple(self.source.read_blob(layer) for layer in manifest.layers
                             if assemble.is_attestation_layer(layer)
                             and self.source.has_blob(layer.digest))
            return assemble.artifact(manifest, reason=f"not an image: {reason}", where=where,
                                     names=names, ref=ref, desc=desc, payloads=payloads)
        config = None
        config_desc = manifest.config
        if self.source.has_blob(config_desc.digest):
            raw = self.source.read_blob(config_desc)
            findings += _size_findings(config_desc, len(raw), f"{where} config")
            config = parse_config(raw, where=f"{where} config ({config_desc.digest.short})",
                                  digest=config_desc.digest)
            reason = assemble.config_not_image_reason(config)
            if reason is not None:
                return assemble.artifact(manifest, reason=f"not an image: {reason}",
                                         where=where, names=names, ref=ref, desc=desc)
        else:
            findings.append(Finding("missing-config", f"config blob {config_desc.digest.short} "
                                    "is not in the input: the history is unknown", where,
                                    "error"))
        absent = sum(1 for layer in manifest.layers if not self.source.has_blob(layer.digest))
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

