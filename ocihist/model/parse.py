"""Bytes → model: JSON limits, media-type sniffing, strict shapes, schema 1 history."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import orjson

from ocihist.errors import MalformedDocument
from ocihist.model import mediatypes as mt
from ocihist.model.config import HistoryEntry, ImageConfig
from ocihist.model.descriptor import EMPTY, Descriptor, Platform
from ocihist.model.digest import Digest
from ocihist.model.manifest import ImageManifest, Index, Manifest, Schema1Layer, Schema1Manifest

JSON_LIMIT = 8 * 1024 * 1024
"""The largest JSON document (manifest, index, config) ocihist will parse."""


def load_json(raw: bytes, *, where: str, limit: int = JSON_LIMIT) -> Any:
    """Parse JSON bytes, refusing oversized or invalid documents with one clear error."""
    if len(raw) > limit:
        raise MalformedDocument(f"JSON document of {len(raw)} bytes exceeds the {limit}-byte limit",
                                where=where)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MalformedDocument(f"invalid JSON ({exc})", where=where) from None


def json_object(raw: bytes, *, where: str, what: str = "document") -> dict[str, Any]:
    data = load_json(raw, where=where)
    if not isinstance(data, dict):
        raise MalformedDocument(f"{what} is {_kind(data)}, not a JSON object", where=where)
    return data


def _kind(value: object) -> str:
    """How to name a JSON value's type in a message: `null`, `a list`, `a string`…"""
    if value is None:
        return "null"
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
             int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _annotations(value: object) -> Mapping[str, str]:
    if not isinstance(value, dict) or not value:
        return EMPTY
    return MappingProxyType({str(k): str(v) for k, v in value.items()})


def parse_platform(value: object) -> Platform | None:
    if not isinstance(value, dict):
        return None
    return Platform(_opt_str(value, "os"), _opt_str(value, "architecture"),
                    _opt_str(value, "variant"), _opt_str(value, "os.version"))


def parse_descriptor(value: object, *, where: str) -> Descriptor:
    if not isinstance(value, dict):
        raise MalformedDocument(f"descriptor is {_kind(value)}, not an object", where=where)
    size = value.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise MalformedDocument(f"descriptor size {size!r} is not a non-negative integer",
                                where=where)
    urls = value.get("urls")
    return Descriptor(
        media_type=_opt_str(value, "mediaType"),
        digest=Digest.parse(value.get("digest"), where=where),
        size=size,
        annotations=_annotations(value.get("annotations")),
        platform=parse_platform(value.get("platform")),
        artifact_type=_opt_str(value, "artifactType"),
        urls=tuple(str(u) for u in urls) if isinstance(urls, list) else (),
    )


def _descriptor_list(value: object, *, where: str, key: str) -> tuple[Descriptor, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise MalformedDocument(f"`{key}` is {_kind(value)}, not a list", where=where)
    return tuple(parse_descriptor(item, where=f"{where} {key}[{i}]")
                 for i, item in enumerate(value))


def sniff_media_type(data: Mapping[str, Any]) -> str | None:
    """The manifest kind a JSON object is, by its own mediaType or by its shape."""
    declared = _opt_str(data, "mediaType")
    if declared:
        return mt.base(declared)
    if data.get("schemaVersion") == 1:
        return mt.DOCKER_SCHEMA1_SIGNED if "signatures" in data else mt.DOCKER_SCHEMA1
    if "manifests" in data:
        return mt.OCI_INDEX
    if "config" in data and "layers" in data:
        return mt.OCI_MANIFEST
    return None


def parse_manifest(raw: bytes, *, where: str, digest: Digest | None = None,
                   notes: list[str] | None = None) -> Manifest:
    """Parse any manifest kind, believing the blob's content over what pointed at it."""
    data = json_object(raw, where=where, what="manifest")
    kind = sniff_media_type(data)
    if digest is None:
        digest = Digest.of(raw)
    if mt.is_schema1(kind):
        return parse_schema1(raw, where=where, notes=notes, algorithm=digest.algorithm)
    if mt.is_index(kind) or (kind is None and "manifests" in data):
        return Index(raw=raw, digest=digest, media_type=_opt_str(data, "mediaType"),
                     manifests=_descriptor_list(data.get("manifests"), where=where,
                                                key="manifests"),
                     annotations=_annotations(data.get("annotations")),
                     subject=_subject(data, where))
    if "config" in data or mt.is_manifest(kind):
        if not isinstance(data.get("config"), dict):
            raise MalformedDocument("manifest has no config descriptor", where=where)
        return ImageManifest(raw=raw, digest=digest, media_type=_opt_str(data, "mediaType"),
                             config=parse_descriptor(data["config"], where=f"{where} config"),
                             layers=_descriptor_list(data.get("layers"), where=where,
                                                     key="layers"),
                             annotations=_annotations(data.get("annotations")),
                             subject=_subject(data, where),
                             artifact_type=_opt_str(data, "artifactType"))
    raise MalformedDocument(f"not a manifest or index (mediaType {kind!r})", where=where)


def _subject(data: Mapping[str, Any], where: str) -> Descriptor | None:
    value = data.get("subject")
    return parse_descriptor(value, where=f"{where} subject") if value is not None else None


def _history(value: object, *, where: str) -> tuple[HistoryEntry, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise MalformedDocument(f"history is {_kind(value)}, not a list", where=where)
    entries = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise MalformedDocument(f"history[{i}] is {_kind(item)}, not an object", where=where)
        entries.append(HistoryEntry(
            created=_opt_str(item, "created"), created_by=_opt_str(item, "created_by"),
            comment=_opt_str(item, "comment"), author=_opt_str(item, "author"),
            empty_layer=item.get("empty_layer") is True))
    return tuple(entries)


def parse_config(raw: bytes, *, where: str, digest: Digest | None = None) -> ImageConfig:
    """Parse an image config (Docker or OCI); any JSON object is accepted, shapes checked."""
    data = json_object(raw, where=where, what="config")
    rootfs = data.get("rootfs")
    diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    return ImageConfig(
        raw=raw, digest=digest or Digest.of(raw), data=MappingProxyType(data),
        os=_opt_str(data, "os"), architecture=_opt_str(data, "architecture"),
        variant=_opt_str(data, "variant"), os_version=_opt_str(data, "os.version"),
        created=_opt_str(data, "created"), author=_opt_str(data, "author"),
        history=_history(data.get("history"), where=where),
        diff_ids=tuple(str(d) for d in diff_ids) if isinstance(diff_ids, list) else None,
    )


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def schema1_payload(raw: bytes, data: Mapping[str, Any]) -> bytes | None:
    """The bytes a schema 1 JWS signed (`raw[:formatLength] + formatTail`), if signed."""
    signatures = data.get("signatures")
    if not isinstance(signatures, list) or not signatures:
        return None
    protected = signatures[0].get("protected") if isinstance(signatures[0], dict) else None
    try:
        header = orjson.loads(_b64url(protected)) if isinstance(protected, str) else None
        length = header["formatLength"]
        tail = _b64url(header["formatTail"])
    except (binascii.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
    if not isinstance(length, int) or not 0 < length <= len(raw):
        return None
    return raw[:length] + tail


def content_digest_matches(raw: bytes, digest: Digest, *, signed_manifest: bool = False
                           ) -> bool:
    """Whether `raw` is the content `digest` names: its hash or, with `signed_manifest`, for
    a signed schema 1 manifest the hash of its JWS payload (the digest registries give such
    manifests). The payload vouches only for what parse_manifest then reads: a document it
    takes for schema 1, whose payload is a JSON object (parse_schema1 reads that, not the
    file)."""
    if Digest.of(raw, digest.algorithm) == digest:
        return True
    if not signed_manifest or b'"signatures"' not in raw or len(raw) > JSON_LIMIT:
        return False
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False
    if not isinstance(data, dict) or not mt.is_schema1(sniff_media_type(data)):
        return False
    payload = schema1_payload(raw, data)
    if payload is None or Digest.of(payload, digest.algorithm) != digest:
        return False
    try:
        return isinstance(orjson.loads(payload), dict)
    except orjson.JSONDecodeError:
        return False


def parse_schema1(raw: bytes, *, where: str, notes: list[str] | None = None,
                  algorithm: str = "sha256") -> Schema1Manifest:
    """Parse a schema 1 manifest; when signed, read the signed payload, not the whole file.
    Its digest is taken with `algorithm` (that of the digest it was named by)."""
    data = json_object(raw, where=where, what="manifest")
    digest: Digest | None = Digest.of(raw, algorithm)
    signed = isinstance(data.get("signatures"), list) and bool(data["signatures"])
    if signed:
        payload = schema1_payload(raw, data)
        parsed = None
        if payload is not None:
            try:
                parsed = orjson.loads(payload)
            except orjson.JSONDecodeError:
                parsed = None
        if isinstance(parsed, dict):
            if notes is not None and any(parsed.get(k) != data.get(k)
                                         for k in ("fsLayers", "history", "name", "tag")):
                notes.append("the file outside the JWS-signed bytes changes fsLayers, history, "
                             "name or tag (e.g. a duplicate key); the signed payload was used")
            data, digest = parsed, Digest.of(payload or b"", algorithm)
        else:
            digest = None
            if notes is not None:
                notes.append("the JWS-signed bytes are not a JSON document, so this schema 1 "
                             "manifest has no well-defined digest; the whole file was read")
    layers_raw = data.get("fsLayers")
    history_raw = data.get("history")
    if not isinstance(layers_raw, list) or not isinstance(history_raw, list):
        raise MalformedDocument("schema 1 manifest lacks fsLayers or history lists", where=where)
    if len(layers_raw) != len(history_raw):
        raise MalformedDocument(f"schema 1 manifest has {len(layers_raw)} fsLayers but "
                                f"{len(history_raw)} history entries", where=where)
    layers: list[Schema1Layer] = []
    history: list[HistoryEntry] = []
    newest: dict[str, Any] = {}
    # Both lists are newest first; the model keeps history oldest first.
    for i in reversed(range(len(history_raw))):
        item_where = f"{where} history[{i}]"
        item = history_raw[i]
        compat_text = item.get("v1Compatibility") if isinstance(item, dict) else None
        if not isinstance(compat_text, str):
            raise MalformedDocument("v1Compatibility is not a string", where=item_where)
        compat = json_object(compat_text.encode(), where=item_where, what="v1Compatibility")
        if i == 0:
            newest = compat
        blob = layers_raw[i].get("blobSum") if isinstance(layers_raw[i], dict) else None
        throwaway = compat.get("throwaway") is True
        layers.append(Schema1Layer(Digest.parse(blob, where=f"{where} fsLayers[{i}]"), throwaway))
        history.append(HistoryEntry(
            created=_opt_str(compat, "created"), created_by=v1_created_by(compat),
            comment=_opt_str(compat, "comment"), author=_opt_str(compat, "author"),
            empty_layer=throwaway))
    return Schema1Manifest(
        raw=raw, digest=digest,
        media_type=mt.DOCKER_SCHEMA1_SIGNED if signed else mt.DOCKER_SCHEMA1,
        name=_opt_str(data, "name"), tag=_opt_str(data, "tag"),
        architecture=_opt_str(data, "architecture") or _opt_str(newest, "architecture"),
        os=_opt_str(newest, "os"), layers=tuple(layers), history=tuple(history),
        signatures=len(data["signatures"]) if signed and isinstance(
            data.get("signatures"), list) else int(signed),
        created=_opt_str(newest, "created"))


def v1_created_by(compat: Mapping[str, Any]) -> str:
    """A v1 image's build command: `container_config.Cmd` joined by spaces, "" when absent."""
    container_config = compat.get("container_config")
    cmd = container_config.get("Cmd") if isinstance(container_config, dict) else None
    if isinstance(cmd, list):
        return " ".join(str(part) for part in cmd)
    return cmd if isinstance(cmd, str) else ""
