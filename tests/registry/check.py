"""Layout validity: what must hold after any pull, even a killed one."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ocihist.model import mediatypes as mt
from ocihist.model.manifest import ImageManifest, Index
from ocihist.model.parse import parse_manifest


def _blob(root: Path, digest: str, size: int | None) -> bytes:
    path = root / "blobs" / digest.replace(":", "/")
    assert path.is_file(), f"missing blob {digest}"
    data = path.read_bytes()
    assert "sha256:" + hashlib.sha256(data).hexdigest() == digest, f"corrupt blob {digest}"
    assert size is None or len(data) == size, f"wrong size {digest}"
    return data


def check_layout(root: Path, *, layers: bool = False, filtered: bool = False) -> int:
    """Assert the layout is valid: every blob verifies, every entry's tree is present.

    With `filtered` (a --platform pull) index children may be absent.
    Returns the number of index.json entries.
    """
    assert json.loads((root / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    index = json.loads((root / "index.json").read_text()) if (root / "index.json").exists() \
        else {"manifests": []}
    for path in (root / "blobs").glob("*/*") if (root / "blobs").exists() else ():
        data = path.read_bytes()
        assert hashlib.new(path.parent.name, data).hexdigest() == path.name, f"bad {path}"
    for entry in index["manifests"]:
        _walk(root, entry["digest"], entry["size"], layers, False, filtered)
    return len(index["manifests"])


def _walk(root: Path, digest: str, size: int | None, layers: bool, artifact: bool,
          filtered: bool = False) -> None:
    manifest = parse_manifest(_blob(root, digest, size), where=digest)
    if isinstance(manifest, Index):
        for child in manifest.manifests:
            attest = child.annotation(mt.ANNOTATION_REFERENCE_TYPE) is not None
            if filtered and not (root / "blobs" / str(child.digest).replace(":", "/")).exists():
                continue
            _walk(root, str(child.digest), child.size, layers, artifact or attest)
    elif isinstance(manifest, ImageManifest):
        _blob(root, str(manifest.config.digest), manifest.config.size)
        artifact = artifact or not mt.is_image_config(manifest.config.media_type)
        for layer in manifest.layers:
            if layers or artifact:
                _blob(root, str(layer.digest), layer.size)
