"""The tool-made fixtures: every conversion of one image reads the same, and agrees with
skopeo's own reading of the same files."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ocihist import api
from ocihist.analyze.history import Peers, align
from ocihist.model.image import Image
from tests.conftest import FIXTURES

CONVERSIONS = ["umoci-layout", "umoci.oci-archive.tar", "umoci-dir", "umoci.docker-archive.tar",
               "umoci.docker-archive.tar.gz", "umoci.docker-archive.tar.xz",
               "umoci.docker-archive.tar.zst", "umoci-zstd-layout", "umoci-v2s2-layout"]
SKOPEO = {"umoci-layout": "oci:{}:v1", "umoci.oci-archive.tar": "oci-archive:{}",
          "umoci-dir": "dir:{}", "umoci.docker-archive.tar": "docker-archive:{}",
          "umoci-zstd-layout": "oci:{}:v1", "buildah-classic.oci-archive.tar": "oci-archive:{}",
          "buildah-multistage.docker-archive.tar": "docker-archive:{}",
          "buildah-squashed.oci-archive.tar": "oci-archive:{}"}


def _v1(path: Path) -> Image:
    images = api.open_input(str(path)).images
    return next(i for i in images if i.ref in (None, "v1") or "docker.io/ocihist/fixture:v1"
                in i.names)


def _steps(image: Image) -> list[tuple]:
    return [(e.created, e.created_by, e.comment, e.empty_layer) for e in image.history or ()]


def _skopeo_config(transport: str) -> dict:
    out = subprocess.run(["skopeo", "--insecure-policy", "inspect", "--config", transport],
                         capture_output=True, check=True, text=True).stdout
    return json.loads(out)


@pytest.mark.parametrize("name", CONVERSIONS)
def test_every_conversion_reads_the_same_history(name: str) -> None:
    reference = _v1(FIXTURES / "umoci-layout")
    image = _v1(FIXTURES / name)
    assert _steps(image) == _steps(reference)
    assert [layer.diff_id for layer in image.layers] == \
        [layer.diff_id for layer in reference.layers]


def test_layer_without_history_entry_is_unattributed() -> None:
    image = _v1(FIXTURES / "umoci-layout")
    alignment = align(image)
    nonempty = sum(not e.empty_layer for e in image.history)
    assert len(image.layers) == nonempty + 1
    assert [layer.index for layer in alignment.unattributed] == [len(image.layers) - 1]
    assert any(f.code == "history-shorter" for f in alignment.findings)


def test_shared_blobs_between_tags() -> None:
    images = {i.ref: i for i in api.open_input(str(FIXTURES / "umoci-layout")).images}
    v1, v2 = images["v1"], images["v2"]
    assert [layer.digest for layer in v2.layers[: len(v1.layers)]] == \
        [layer.digest for layer in v1.layers]


def test_multiarch_platforms_come_from_configs() -> None:
    images = api.open_input(str(FIXTURES / "multiarch-layout")).images
    assert sorted(str(i.platform) for i in images) == ["linux/amd64", "linux/arm/v7",
                                                      "linux/arm64/v8"]
    assert {i.ref for i in images} == {"multi"}
    chosen = api.select_images(api.open_input(str(FIXTURES / "multiarch-layout")),
                               platform="linux/arm/v7")
    assert [str(i.platform) for i in chosen] == ["linux/arm/v7"]


def test_omitted_history_lists_the_layer_unattributed() -> None:
    (image,) = api.open_input(str(FIXTURES / "buildah-omit-history.oci-archive.tar")).images
    alignment = align(image)
    assert image.history is None and len(alignment.unattributed) == len(image.layers) == 1
    assert any(f.code == "no-history" for f in alignment.findings)


@pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo not installed")
@pytest.mark.parametrize("name", sorted(SKOPEO))
def test_history_agrees_with_skopeo(name: str) -> None:
    path = FIXTURES / name
    config = _skopeo_config(SKOPEO[name].format(path))
    image = (_v1(path) if name.startswith("umoci")
             else api.open_input(str(path)).images[0])
    want = [(h.get("created"), h.get("created_by"), h.get("comment"),
             h.get("empty_layer", False)) for h in config.get("history", [])]
    assert _steps(image) == want
    assert [layer.diff_id for layer in image.layers] == config["rootfs"]["diff_ids"]
    assert str(image.platform).startswith(f"{config['os']}/{config['architecture']}")


def test_extending_image_keeps_the_gap_where_its_base_has_it() -> None:
    """v2 = v1 + more steps; v1 has a layer without history. v2's later steps must pair with
    v2's own later layers, not shift by one."""
    inventory = api.open_input(str(FIXTURES / "umoci-layout"))
    v1, v2 = (next(i for i in inventory.images if i.ref == tag) for tag in ("v1", "v2"))
    gap = align(v1).unattributed
    aligned = align(v2, Peers(inventory.images))
    assert [layer.digest for layer in aligned.unattributed] == [gap[0].digest]
    made = [s.layer.index for s in aligned.steps if s.layer is not None]
    assert made == [i for i in range(len(v2.layers)) if i != gap[0].index]
    assert any("placed as in v1" in f.message for f in aligned.findings)
    naive = align(v2)  # without the peer, pairing by order shifts every later step
    assert [layer.index for layer in naive.unattributed] == [len(v2.layers) - 1]
