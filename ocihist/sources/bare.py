"""Bare JSON documents: a manifest (with or without its config), a schema 1 manifest, an
index, or an image config alone (what `crane config` or a registry's config blob gives)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from ocihist.errors import IntegrityError, MissingBlob, UnrecognizedInput, UsageError
from ocihist.model.descriptor import Descriptor
from ocihist.model.digest import Digest
from ocihist.model.findings import Finding
from ocihist.model.image import Layer
from ocihist.model.mediatypes import MANIFEST_TYPES, is_index
from ocihist.model.parse import json_object, parse_config, parse_descriptor, sniff_media_type
from ocihist.sources import assemble
from ocihist.sources.base import Root
from ocihist.sources.blobs import TreeBlobSource
from ocihist.sources.layout import index_roots


class MemoryTree:
    """Documents held in memory, named by their digest's hex."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.files: dict[str, bytes] = {}

    def add(self, data: bytes, algorithm: str = "sha256") -> Digest:
        digest = Digest.of(data, algorithm)
        self.files[digest.hex] = data
        return digest

    def size(self, name: str) -> int | None:
        data = self.files.get(name)
        return len(data) if data is not None else None

    def read(self, name: str, *, limit: int) -> bytes:
        if name not in self.files:
            raise MissingBlob(f"{name} was not given", where=self.label)
        return self.files[name]

    def magic(self, name: str) -> bytes:
        return self.files.get(name, b"")[:8]

    def is_link(self, name: str) -> bool:
        return False

    def names(self) -> Iterable[str]:
        return list(self.files)


class BareSource(TreeBlobSource):
    """One JSON document given on its own, plus the config file when `--config` names one."""

    def __init__(self, raw: bytes, origin: str, config_raw: bytes | None = None,
                 config_origin: str | None = None) -> None:
        tree = MemoryTree(origin)
        super().__init__(tree, origin)
        data = json_object(raw, where=origin)
        media_type = sniff_media_type(data)
        if config_raw is not None and media_type not in MANIFEST_TYPES:
            raise UsageError(f"--config goes with an image manifest; this is "
                             f"{'an image config' if media_type is None else media_type}",
                             where=origin)
        if media_type is None:
            if not any(key in data for key in ("rootfs", "history", "architecture", "config")):
                raise UnrecognizedInput("JSON that is neither a manifest, an index nor an "
                                        "image config", where=origin)
            self.kind = "image-config"
            self._roots.append(Root(where=origin, entry=_config_image(raw, origin)))
            return
        self.kind = "schema1-manifest" if "schemaVersion" in data and \
            data["schemaVersion"] == 1 else "manifest"
        digest = tree.add(raw)
        if is_index(media_type):  # its entries are the roots, named as in a layout
            self._roots.extend(index_roots(data, where=origin, label=origin))
        else:
            self._roots.append(Root(where=origin,
                                    descriptor=Descriptor(media_type, digest, len(raw))))
        if config_raw is not None:
            self.kind = "manifest-config-pair"
            wanted = parse_descriptor(data.get("config"), where=f"{origin} config")
            actual = tree.add(config_raw, wanted.digest.algorithm)
            if wanted.digest != actual:
                raise IntegrityError(f"the manifest names config {wanted.digest} but "
                                     f"{config_origin} hashes to {actual}", where=origin)
        elif "config" in data:
            self._findings.append(Finding("config-not-given", "a manifest alone: pass its "
                                          "config blob with --config FILE to see the history",
                                          origin))
        elif is_index(media_type) and origin != "-":
            folder = os.path.dirname(origin) or "."
            if os.path.isfile(os.path.join(folder, "oci-layout")):
                self._findings.append(Finding(
                    "index-of-a-layout", f"an index alone, beside the OCI layout it belongs to:"
                    f" `ocihist show {folder}` reads the layout's images", origin))


    def blob_name(self, digest: Digest) -> str:
        return digest.hex


def _config_image(raw: bytes, origin: str) -> object:
    config = parse_config(raw, where=origin)
    layers = tuple(Layer(i, None, diff_id, None, None, None)
                   for i, diff_id in enumerate(config.diff_ids or ()))
    return assemble.image(ref=None, names=(), where=origin, manifest_digest=None,
                          manifest_media_type=None, config=config, config_media_type=None,
                          layers=layers, findings=[Finding(
                              "config-only", "an image config alone: layer digests and sizes "
                              "are not recorded in it", origin, "info")])
