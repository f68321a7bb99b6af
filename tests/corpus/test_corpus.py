"""Every corpus case, read through the library, against EXPECTED.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ocihist.errors import InputError
from ocihist.model.image import Artifact, Image
from ocihist.render.json import artifact_json, image_json
from ocihist.sources.detect import open_input
from tests.conftest import corpus_dir

CASES = sorted(json.loads((corpus_dir() / "EXPECTED.json").read_text())) if corpus_dir() else []
FIELDS = ("ref", "names", "platform", "os_version", "history", "nonempty", "layers", "diff_ids",
          "first_created_by", "last_created_by", "last_created", "config_digest",
          "config_media_type", "manifest_digest", "manifest_media_type", "layer_media_types",
          "missing")
MISSING_FIELDS = ("ref", "names", "platform", "os_version", "manifest_digest",
                  "manifest_media_type", "missing")
ARTIFACT_FIELDS = ("ref", "names", "manifest_digest", "layers")


def _platform(doc: dict[str, Any] | None) -> str | None:
    if doc is None:
        return None
    parts = [doc["os"], doc["architecture"]] + ([doc["variant"]] if doc["variant"] else [])
    return "/".join(parts)


def project_image(image: Image) -> dict[str, Any]:
    """The EXPECTED.json view of what `show --json` says about an image."""
    doc = image_json(image)
    history = doc["history"]
    media_types = [layer["media_type"] for layer in doc["layers"]]
    return {
        "ref": doc["ref"], "names": doc["names"], "platform": _platform(doc["platform"]),
        "os_version": (doc["platform"] or {}).get("os_version"),
        "history": None if history is None else len(history),
        "nonempty": None if history is None else sum(not s["empty_layer"] for s in history),
        "layers": None if image.missing else len(doc["layers"]),
        "diff_ids": None if image.config is None or image.config.diff_ids is None
        else len(image.config.diff_ids),
        "first_created_by": history[0]["created_by"] if history else None,
        "last_created_by": history[-1]["created_by"] if history else None,
        "last_created": history[-1]["created"] if history else None,
        "config_digest": doc["config_digest"], "config_media_type": doc["config_media_type"],
        "manifest_digest": doc["manifest_digest"],
        "manifest_media_type": doc["manifest_media_type"],
        # Formats without layer descriptors (docker save, schema 1) have no layer media types.
        "layer_media_types": None if image.missing or image.manifest_media_type is None
        or (media_types and all(m is None for m in media_types)) else media_types,
        "missing": doc["missing"],
    }


def _open(corpus: Path, case: dict[str, Any]):
    config = str(corpus / case["config_path"]) if "config_path" in case else None
    return open_input(str(corpus / case["path"]), config=config)


@pytest.mark.parametrize("name", CASES)
def test_corpus_case(corpus: Path, name: str) -> None:
    case = json.loads((corpus / "EXPECTED.json").read_text())[name]
    if "error" in case:
        with pytest.raises(InputError) as caught:
            inventory = _open(corpus, case)
            assert not inventory.images, "an input with no image must not list images"
            raise InputError("; ".join(a.reason for a in inventory.artifacts))
        words = [w for w in case["error"].replace(":", " ").split() if len(w) > 3]
        assert all(w in str(caught.value) for w in words), (str(caught.value), case["error"])
        return
    inventory = _open(corpus, case)
    assert len(inventory.entries) == len(case["images"])
    for entry, expected in zip(inventory.entries, case["images"], strict=True):
        if expected["error"] is not None:
            assert isinstance(entry, Artifact), (entry.where, expected["error"])
            doc = artifact_json(entry)
            got = {"ref": doc["ref"], "names": doc["names"], "manifest_digest": doc["digest"],
                   "layers": len(doc["layers"])}
            assert got == {k: expected[k] for k in ARTIFACT_FIELDS}
            assert entry.reason.startswith("not an image: ")
            continue
        assert isinstance(entry, Image), (entry.where, getattr(entry, "reason", ""))
        got = project_image(entry)
        fields = MISSING_FIELDS if expected["missing"] else FIELDS
        assert {k: got[k] for k in fields} == {k: expected[k] for k in fields}, entry.where
