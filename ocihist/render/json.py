"""The stable JSON schema of `ocihist show --json` and `ocihist ls --json` (owned here).

Schema `ocihist/show/v1`:
    {"schema", "input": {"path", "format"},
     "images": [{"ref", "names", "where", "manifest_digest", "manifest_media_type",
                 "config_digest", "config_media_type",
                 "platform": {"os", "architecture", "variant", "os_version"} | null,
                 "created", "created_kind", "missing", "annotations" (the manifest's),
                 "entry_annotations" (the index.json entry's: ref names, pull provenance),
                 "history": [{"index", "created", "created_kind", "created_by", "comment",
                              "author", "empty_layer", "layer": LAYER | null}] | null,
                 "layers": [LAYER], "unattributed_layers": [LAYER],
                 "warnings": [FINDING],
                 "dockerfile": {"source", "note", "text", "lines", "warnings"}  (--dockerfile)}],
     "artifacts": [{"ref", "names", "where", "digest", "media_type", "artifact_type",
                    "subject", "platform", "reason", "layers": [LAYER]}],
     "warnings": [FINDING]}
    LAYER   = {"index", "digest", "diff_id", "media_type", "size", "uncompressed_size"}
    FINDING = {"code", "severity", "where", "message"}
    created_kind = "absent" | "zero" (0001-01-01) | "epoch" (1970/1980) | "date" | "invalid"
                   (not an ISO 8601 time; `created` is then as recorded)
Absent facts are null, never guessed. The same input gives byte-identical output.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from ocihist.analyze.history import Peers, align, time_kind
from ocihist.model.descriptor import Platform
from ocihist.model.findings import Finding
from ocihist.model.image import Artifact, Image, Layer
from ocihist.sources.base import Inventory

if TYPE_CHECKING:
    from ocihist.analyze.origin import DockerfileView

SCHEMA = "ocihist/show/v1"


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def platform_json(platform: Platform | None) -> dict[str, Any] | None:
    if platform is None:
        return None
    return {"os": platform.os, "architecture": platform.architecture,
            "variant": platform.variant, "os_version": platform.os_version}


def layer_json(layer: Layer) -> dict[str, Any]:
    return {"index": layer.index, "digest": _str(layer.digest), "diff_id": layer.diff_id,
            "media_type": layer.media_type, "size": layer.size,
            "uncompressed_size": layer.uncompressed_size}


def findings_json(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    return [{"code": f.code, "severity": f.severity, "where": f.where, "message": f.message}
            for f in findings]


def image_json(image: Image, peers: Peers | None = None) -> dict[str, Any]:
    """One image; `peers` are the images of its input (see `align`)."""
    alignment = peers.alignment(image) if peers is not None else align(image)
    history = None
    if image.history is not None:
        history = [{"index": step.index, "created": step.entry.created,
                    "created_kind": time_kind(step.entry.created),
                    "created_by": step.entry.created_by, "comment": step.entry.comment,
                    "author": step.entry.author, "empty_layer": step.entry.empty_layer,
                    "layer": layer_json(step.layer) if step.layer else None}
                   for step in alignment.steps]
    return {
        "ref": image.ref, "names": list(image.names), "where": image.where,
        "manifest_digest": _str(image.manifest_digest),
        "manifest_media_type": image.manifest_media_type,
        "config_digest": _str(image.config_digest), "config_media_type": image.config_media_type,
        "platform": platform_json(image.platform), "created": image.created,
        "created_kind": time_kind(image.created), "missing": image.missing,
        "annotations": dict(sorted(image.annotations.items())),
        "entry_annotations": dict(sorted(image.entry_annotations.items())),
        "history": history, "layers": [layer_json(layer) for layer in image.layers],
        "unattributed_layers": [layer_json(layer) for layer in alignment.unattributed],
        "warnings": findings_json((*image.findings, *alignment.findings)),
    }


def artifact_json(artifact: Artifact) -> dict[str, Any]:
    return {"ref": artifact.ref, "names": list(artifact.names), "where": artifact.where,
            "digest": _str(artifact.digest), "media_type": artifact.media_type,
            "artifact_type": artifact.artifact_type, "subject": _str(artifact.subject),
            "platform": platform_json(artifact.platform), "reason": artifact.reason,
            "layers": [layer_json(layer) for layer in artifact.layers]}


def dockerfile_json(view: DockerfileView) -> dict[str, Any]:
    """`--dockerfile`: {"source": "provenance"|"history", "note", "text", "lines": [...]}."""
    return {"source": view.source, "note": view.note, "text": view.text,
            "lines": [{"text": line.text, "kind": line.kind, "step_index": line.step_index,
                       "line_number": line.line_number, "layers": list(line.layers)}
                      for line in view.lines],
            "warnings": findings_json(view.findings)}


def inventory_json(inventory: Inventory, images: Iterable[Image] | None = None, *,
                   dockerfiles: Sequence[DockerfileView] | None = None) -> dict[str, Any]:
    """The whole document for one input; `images` narrows which images are shown."""
    chosen = inventory.images if images is None else list(images)
    peers = Peers(inventory.images)
    image_docs = [image_json(image, peers) for image in chosen]
    for image_doc, view in zip(image_docs, dockerfiles or (), strict=False):
        image_doc["dockerfile"] = dockerfile_json(view)
    document: dict[str, Any] = {
        "schema": SCHEMA, "input": {"path": inventory.origin, "format": inventory.kind},
        "images": image_docs,
        "artifacts": [artifact_json(a) for a in inventory.artifacts],
        "warnings": findings_json(inventory.findings),
    }
    return document


def dumps(document: Any) -> bytes:
    try:
        return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"
    except orjson.JSONEncodeError:  # a path or name that is not valid UTF-8
        return orjson.dumps(_valid_utf8(document), option=orjson.OPT_INDENT_2) + b"\n"


def _valid_utf8(value: Any) -> Any:
    """Strings with undecodable bytes (surrogate escapes) shown with U+FFFD instead."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if isinstance(value, dict):
        return {_valid_utf8(k): _valid_utf8(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_valid_utf8(v) for v in value]
    return value
