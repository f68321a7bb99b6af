"""`docker save` / `podman save` archives described by manifest.json, every vintage.

Up to Docker 24: `<config>.json`, `<id>/layer.tar`, `repositories`. Docker 25+ and the
containerd store add an OCI layout beside manifest.json (read by layout.py; this module
then only adds the RepoTags). crane, kaniko and Jib write `sha256:<hex>` or `config.json`
configs, `<hex>.tar.gz` layers and sometimes lower-case keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ocihist.errors import IntegrityError, MalformedDocument, OcihistError
from ocihist.model.config import ImageConfig
from ocihist.model.digest import Digest
from ocihist.model.findings import Finding
from ocihist.model.image import Image, Layer
from ocihist.model.parse import JSON_LIMIT, load_json, parse_config, parse_descriptor
from ocihist.sources import assemble
from ocihist.sources.base import (
    BLOB_DAMAGE,
    DAMAGED_CONFIG,
    MANIFEST_FILE,
    Budget,
    Inventory,
    PrebuiltSource,
    Root,
)
from ocihist.sources.compressed import compression_of
from ocihist.sources.tarindex import normalize
from ocihist.sources.tree import FileTree

_CONTENT_ADDRESSED = re.compile(r"^blobs/(sha256|sha512)/([0-9a-f]+)$")
_NAMED_BY_HEX = re.compile(r"^(?:sha256:)?([0-9a-f]{64})(?:\.json|\.tar|\.tar\.gz|\.tgz)?$")


def read_save_manifest(tree: FileTree) -> list[Any]:
    """manifest.json as a list of entries; a clear error for null or any other shape."""
    where = f"{tree.label}: {MANIFEST_FILE}"
    data = load_json(tree.read(MANIFEST_FILE, limit=JSON_LIMIT), where=where)
    if data is None:
        raise MalformedDocument("manifest.json is null: the archive lists no image", where=where)
    if not isinstance(data, list):
        raise MalformedDocument("manifest.json is not a list of images", where=where)
    for i, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise MalformedDocument(f"entry {i} is not an object", where=where)
    return data


def _get(entry: Mapping[str, Any], key: str) -> Any:
    """A manifest.json field, whether written `Config` or `config`."""
    return entry.get(key, entry.get(key[0].lower() + key[1:]))


def _claimed_digest(name: str) -> tuple[Digest | None, bool]:
    """The digest a member's name claims, and whether the name is a content address."""
    match = _CONTENT_ADDRESSED.match(name)
    if match:
        return Digest.from_hex(match.group(2), match.group(1)), True
    match = _NAMED_BY_HEX.match(name.rsplit("/", 1)[-1])
    return (Digest.from_hex(match.group(1)) if match else None), False


class DockerSaveSource(PrebuiltSource):
    """Images listed in manifest.json, each assembled here (there is no manifest blob)."""

    kind = "docker-archive"

    def __init__(self, tree: FileTree, origin: str, entries: list[Any]) -> None:
        self.tree = tree
        self.origin = origin
        self._findings: list[Finding] = []
        self._configs: dict[str, tuple[bytes, Digest]] = {}
        self._parsed: dict[Digest, ImageConfig] = {}
        budget = Budget(tree.label)
        budget.add(len(entries), 0)  # (refused before any entry is read)
        self._roots = []
        damage: list[OcihistError] = []
        for i, entry in enumerate(entries):
            try:
                image = self._image(entry, i)
            except BLOB_DAMAGE as exc:
                damage.append(exc)
                image = self._damaged(entry, i, exc)
            budget.add_entry(image, counted=True)
            self._roots.append(Root(where=f"manifest.json[{i}]", entry=image))
        if damage and len(damage) == len(entries):  # nothing intact: the archive is bad
            raise damage[0]
        if not self._roots:
            raise MalformedDocument("manifest.json lists no image", where=tree.label)

    def _image(self, entry: Mapping[str, Any], i: int) -> Image:
        where = f"manifest.json[{i}]"
        findings: list[Finding] = []
        config_name = _get(entry, "Config")
        if not isinstance(config_name, str):
            raise MalformedDocument("entry has no Config file name", where=where)
        config_name = normalize(config_name)
        if config_name not in self._configs:  # several entries may share one config
            raw = self.tree.read(config_name, limit=JSON_LIMIT)
            self._configs[config_name] = (raw, Digest.of(raw))
        raw, actual = self._configs[config_name]
        claimed, strict = _claimed_digest(config_name)
        if claimed is not None and claimed != actual:
            message = f"config file {config_name} hashes to {actual}"
            if strict:
                raise IntegrityError(message + ", not to the digest its name gives",
                                     where=f"{self.tree.label}: {where}")
            findings.append(Finding("config-name-mismatch", message + " (the name is only a "
                                    "label in this format)", where))
        if actual not in self._parsed:
            self._parsed[actual] = parse_config(raw, where=f"{where} config {config_name}",
                                                digest=actual)
        config = self._parsed[actual]
        tags = _get(entry, "RepoTags")
        if tags is None:
            findings.append(Finding("repotags-null", "RepoTags is null", where, "info"))
        names = tuple(str(t) for t in tags) if isinstance(tags, list) else ()
        for tag in names:
            if ":" not in tag.rsplit("/", 1)[-1] and "@" not in tag:
                findings.append(Finding("repotag-no-tag", f"RepoTag {tag!r} has no tag part "
                                        "(docker reads it as :latest)", where, "info"))
                names = (*names, f"{tag}:latest")
        if _get(entry, "Parent"):
            findings.append(Finding("parent", f"has Parent {_get(entry, 'Parent')}", where,
                                    "info"))
        layers = self._layers(entry, config.diff_ids, where, findings)
        return assemble.image(ref=names[0] if names else None, names=names, where=where,
                              manifest_digest=None, manifest_media_type=None, config=config,
                              config_media_type=None, layers=layers, findings=findings)

    def _damaged(self, entry: Any, i: int, exc: OcihistError) -> Image:
        """An entry whose config cannot be read: its layers, and the error."""
        where = f"manifest.json[{i}]"
        findings: list[Finding] = [Finding(DAMAGED_CONFIG, f"{exc.message}: the history is "
                                           "unknown", where, "error")]
        tags = _get(entry, "RepoTags") if isinstance(entry, Mapping) else None
        names = tuple(str(t) for t in tags) if isinstance(tags, list) else ()
        try:
            layers = self._layers(entry, None, where, findings)
        except MalformedDocument:
            layers = ()
        return assemble.image(ref=names[0] if names else None, names=names, where=where,
                              manifest_digest=None, manifest_media_type=None, config=None,
                              config_media_type=None, layers=layers, findings=findings)

    def _layers(self, entry: Mapping[str, Any], diff_ids: tuple[str, ...] | None, where: str,
                findings: list[Finding]) -> tuple[Layer, ...]:
        names = _get(entry, "Layers") or []
        if not isinstance(names, list):
            raise MalformedDocument("Layers is not a list", where=where)
        Budget(where).add(0, len(names))  # (one entry alone may list too many)
        sources = _get(entry, "LayerSources") or {}
        layers = []
        for j, raw_name in enumerate(names):
            name = normalize(str(raw_name))
            diff_id = diff_ids[j] if diff_ids is not None and j < len(diff_ids) else None
            foreign = sources.get(diff_id) if isinstance(sources, dict) and diff_id else None
            size = self.tree.size(name)
            if self.tree.is_link(name):
                findings.append(Finding("linked-layer", f"layer {j} ({name}) is a link to another"
                                        " member", where, "info"))
            if foreign is not None:
                desc = parse_descriptor(foreign, where=f"{where} LayerSources")
                layers.append(Layer(j, desc.digest, diff_id, desc.media_type, desc.size, None,
                                    where=name))
                continue
            if size is None:
                findings.append(Finding("layer-absent", f"layer {j} ({name}) is not in the "
                                        "archive", where))
            compression = compression_of(self.tree.magic(name)) if size else None
            claimed, _ = _claimed_digest(name)
            layers.append(Layer(j, claimed, diff_id, None, size,
                                size if compression is None else None, where=name))
        if sources:
            findings.append(Finding("layer-sources", f"has LayerSources for {len(sources)} "
                                    "layer(s)", where, "info"))
        return tuple(layers)


def add_repo_tags(inventory: Inventory, entries: list[Any]) -> None:
    """Docker 25+: give each image from index.json the RepoTags manifest.json lists for it."""
    by_config: dict[str, list[str]] = {}
    for entry in entries:
        config_name = _get(entry, "Config")
        claimed = _claimed_digest(normalize(config_name))[0] if isinstance(config_name, str) \
            else None
        tags = _get(entry, "RepoTags")
        if claimed is not None and isinstance(tags, list):
            by_config.setdefault(str(claimed), []).extend(str(t) for t in tags)
        if tags is None:
            inventory.findings.append(Finding("repotags-null", "RepoTags is null",
                                              MANIFEST_FILE, "info"))
    for k, entry in enumerate(inventory.entries):
        if isinstance(entry, Image) and entry.config_digest is not None:
            extra = by_config.get(str(entry.config_digest), [])
            names = tuple(dict.fromkeys((*entry.names, *extra)))
            if names != entry.names:
                inventory.entries[k] = entry._replace(names=names)
