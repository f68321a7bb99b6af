"""OCI image layouts (folders and oci-archives) and containers-image `dir:` folders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ocihist.errors import MalformedDocument
from ocihist.model import mediatypes as mt
from ocihist.model.descriptor import Descriptor
from ocihist.model.digest import Digest
from ocihist.model.findings import Finding
from ocihist.model.parse import JSON_LIMIT, json_object, parse_descriptor, sniff_media_type
from ocihist.sources.base import INDEX_FILE, MANIFEST_FILE, Root
from ocihist.sources.blobs import TreeBlobSource
from ocihist.sources.tree import FileTree

LAYOUT_FILE = "oci-layout"


def entry_names(desc: Descriptor) -> tuple[str, ...]:
    """The names an index.json entry gives its image, each once, ref.name first."""
    names = [desc.annotation(mt.ANNOTATION_REF_NAME),
             desc.annotation(mt.ANNOTATION_CONTAINERD_NAME)]
    return tuple(dict.fromkeys(n for n in names if n))


class OciLayoutSource(TreeBlobSource):
    """An OCI image layout: `oci-layout`, `index.json` and `blobs/<alg>/<hex>`."""

    def __init__(self, tree: FileTree, origin: str, kind: str = "oci-layout") -> None:
        super().__init__(tree, origin)
        self.kind = kind
        where = f"{tree.label}: {INDEX_FILE}"
        index = json_object(tree.read(INDEX_FILE, limit=JSON_LIMIT), where=where, what=INDEX_FILE)
        if "mediaType" not in index:
            self._findings.append(Finding("no-media-type", "index.json has no mediaType",
                                          INDEX_FILE, "info"))
        if tree.size(LAYOUT_FILE) is None:
            self._findings.append(Finding("no-oci-layout", "the oci-layout file is absent",
                                          LAYOUT_FILE))
        self._roots = index_roots(index, where=where, label=INDEX_FILE)
        self.listed = bool(self._roots)


def index_roots(index: Mapping[str, Any], *, where: str, label: str) -> list[Root]:
    """One root per entry of an index document (a layout's index.json, or an index given
    alone), named by the entry's annotations."""
    manifests = index.get("manifests")
    if manifests is not None and not isinstance(manifests, list):
        raise MalformedDocument("`manifests` is not a list", where=where)
    roots = []
    for i, item in enumerate(manifests or []):
        entry_where = f"{label} manifests[{i}]"
        desc = parse_descriptor(item, where=entry_where)
        roots.append(Root(where=entry_where, names=entry_names(desc),
                          ref=desc.annotation(mt.ANNOTATION_REF_NAME), descriptor=desc))
    return roots


class ContainersDirSource(TreeBlobSource):
    """A containers-image `dir:` folder: `manifest.json` plus blobs named by their hex."""

    kind = "containers-dir"

    def __init__(self, tree: FileTree, origin: str, manifest_raw: bytes) -> None:
        super().__init__(tree, origin)
        self._manifest_digest = Digest.of(manifest_raw)
        data = json_object(manifest_raw, where=f"{tree.label}: {MANIFEST_FILE}")
        desc = Descriptor(sniff_media_type(data), self._manifest_digest, len(manifest_raw))
        self._roots.append(Root(where=MANIFEST_FILE, descriptor=desc))
        if tree.size("version") is None:
            self._findings.append(Finding("no-version-file", "no `version` file (an old "
                                          "containers-image dir: folder)", "", "info"))

    def blob_name(self, digest: Digest) -> str:
        if digest == self._manifest_digest:
            return MANIFEST_FILE
        return digest.hex
