"""Tiny real images built in a test's tmp folder, with exact digests."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def dumps(doc: Any) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def layer_tar(files: dict[str, bytes]) -> bytes:
    """An uncompressed layer tar holding `files`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def config(history: list[dict[str, Any]] | None, layers: list[bytes], *,
           os_: str = "linux", arch: str = "amd64", **extra: Any) -> bytes:
    doc: dict[str, Any] = {"architecture": arch, "os": os_,
                           "rootfs": {"type": "layers", "diff_ids": [sha(x) for x in layers]},
                           "config": {"Cmd": ["sh"]}, **extra}
    if history is not None:
        doc["history"] = history
    return dumps(doc)


@dataclass
class Link:
    """A tar member that is a link: `symlink` or `hardlink` to `target`."""

    target: str
    kind: str = "symlink"


def write_tar(path: Path, members: dict[str, bytes | Link], *, prefix: str = "") -> Path:
    """A tar of `members` in order; `prefix` (e.g. "./") is put before every name."""
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tar:
        for name, value in members.items():
            info = tarfile.TarInfo(prefix + name)
            if isinstance(value, Link):
                info.type = tarfile.SYMTYPE if value.kind == "symlink" else tarfile.LNKTYPE
                info.linkname = value.target
                tar.addfile(info)
            else:
                info.size = len(value)
                tar.addfile(info, io.BytesIO(value))
    return path


HISTORY = [
    {"created": "2024-01-02T03:04:05Z", "created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
    {"created": "2024-01-02T03:04:06Z", "created_by": "/bin/sh -c #(nop)  CMD [\"sh\"]",
     "empty_layer": True},
    {"created": "2024-01-02T03:04:07Z", "created_by": "/bin/sh -c echo hi > /hi",
     "comment": "second"},
]
LAYERS = [layer_tar({"a.txt": b"alpha\n"}), layer_tar({"hi": b"hi\n"})]


def docker_save(path: Path, *, tags: list[str] | None = None, prefix: str = "",
                hardlink: bool = False, history: list[dict[str, Any]] | None = None
                ) -> tuple[Path, bytes]:
    """A classic (Docker ≤ 24) save: `<config>.json`, `<id>/layer.tar`, manifest.json."""
    cfg = config(HISTORY if history is None else history, LAYERS)
    cfg_name = sha(cfg)[7:] + ".json"
    members: dict[str, bytes | Link] = {cfg_name: cfg}
    layer_names = []
    for i, layer in enumerate(LAYERS):
        name = f"{i:064x}/layer.tar"
        if hardlink and i == 1:
            members[name] = Link(layer_names[0], "hardlink")
        else:
            members[name] = layer
        layer_names.append(name)
    members["manifest.json"] = dumps([{"Config": cfg_name, "RepoTags": tags or ["demo:1"],
                                       "Layers": layer_names}])
    return write_tar(path, members, prefix=prefix), cfg


def oci_blobs(images: list[tuple[bytes, list[bytes]]]) -> tuple[dict[str, bytes], list[bytes]]:
    """Blobs of images given as (config, layers); returns (name → bytes, manifests)."""
    blobs: dict[str, bytes] = {}
    manifests = []
    for cfg, layers in images:
        for blob in (cfg, *layers):
            blobs[f"blobs/sha256/{sha(blob)[7:]}"] = blob
        manifest = dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                          "config": {"mediaType": OCI_CONFIG, "digest": sha(cfg),
                                     "size": len(cfg)},
                          "layers": [{"mediaType": OCI_LAYER, "digest": sha(x), "size": len(x)}
                                     for x in layers]})
        blobs[f"blobs/sha256/{sha(manifest)[7:]}"] = manifest
        manifests.append(manifest)
    return blobs, manifests


def oci_layout(root: Path, *, tag: str = "v1", extra_index: dict[str, Any] | None = None
               ) -> tuple[Path, bytes]:
    """A one-image OCI layout folder; returns (root, manifest bytes)."""
    blobs, (manifest,) = oci_blobs([(config(HISTORY, LAYERS), LAYERS)])
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": sha(manifest), "size": len(manifest),
         "annotations": {"org.opencontainers.image.ref.name": tag}}], **(extra_index or {})}
    for name, data in {**blobs, "index.json": dumps(index),
                       "oci-layout": b'{"imageLayoutVersion":"1.0.0"}'}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root, manifest
