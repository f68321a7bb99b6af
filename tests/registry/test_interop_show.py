"""`ocihist show` on what we pulled equals `show` on a skopeo-made copy of the same image."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ocihist.pull import pull

from .conftest import Images
from .servers import Registry


def _show(path: Path) -> list[tuple[Any, ...]]:
    proc = subprocess.run([sys.executable, "-m", "ocihist", "show", str(path), "--json"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    images = json.loads(proc.stdout)["images"]
    return sorted((img["config_digest"], json.dumps(img["platform"], sort_keys=True),
                   tuple((h["created"], h["created_by"], h["empty_layer"],
                          (h.get("layer") or {}).get("digest")) for h in img["history"]))
                  for img in images if not img.get("missing"))


@pytest.mark.parametrize("repo", ["single", "multi", "docker", "zstd"])
def test_show_same_as_on_skopeo_copy(plain_registry: Registry, images: Images, tmp_path: Path,
                                     repo: str) -> None:
    ref = f"{plain_registry.host}/test/{repo}:v1"
    assert pull([ref], tmp_path / "ours").ok
    subprocess.run(["skopeo", "copy", "--insecure-policy", "--quiet", "--src-tls-verify=false",
                    "--all", "--preserve-digests", f"docker://{ref}",
                    f"oci:{tmp_path / 'theirs'}:{ref}"], check=True, capture_output=True)
    ours, theirs = _show(tmp_path / "ours"), _show(tmp_path / "theirs")
    assert ours and ours == theirs


def test_show_says_where_a_pulled_image_came_from(plain_registry: Registry, images: Images,
                                                 tmp_path: Path) -> None:
    ref = f"{plain_registry.host}/test/single:v1"
    assert pull([ref], tmp_path / "ours").ok
    proc = subprocess.run([sys.executable, "-m", "ocihist", "show", str(tmp_path / "ours"),
                           "--json"], capture_output=True, text=True, check=True)
    (image,) = json.loads(proc.stdout)["images"]
    notes = image["entry_annotations"]
    assert notes["io.github.ocihist.source.reference"] == ref
    assert notes["io.github.ocihist.source.registry"] == plain_registry.url
    table = subprocess.run([sys.executable, "-m", "ocihist", "show", str(tmp_path / "ours")],
                           capture_output=True, text=True, check=True).stdout
    assert f"pulled   {ref} from {plain_registry.url} at " in table
