"""Pulling real images from a real docker-registry (no auth)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from ocihist.model import mediatypes as mt
from ocihist.model.mediatypes import ANNOTATION_SOURCE_PREFIX as SOURCE_PREFIX
from ocihist.pull import pull

from .check import check_layout
from .conftest import Images, entries
from .images import Layout, Pusher, skopeo_push
from .servers import Registry


def test_single_image(plain_registry: Registry, images: Images, tmp_path: Path) -> None:
    ref = f"{plain_registry.host}/test/single:v1"
    result = pull([ref], tmp_path / "out")
    assert result.ok, result.to_json()
    (item,) = result.pulled
    assert item.digest == images.digests["test/single"]
    assert check_layout(tmp_path / "out") == 1
    (entry,) = entries(tmp_path / "out")
    notes = entry["annotations"]
    assert notes[mt.ANNOTATION_REF_NAME] == ref
    assert notes[mt.ANNOTATION_CONTAINERD_NAME] == ref
    assert notes[SOURCE_PREFIX + "registry"] == plain_registry.url
    assert notes[SOURCE_PREFIX + "digest"] == item.digest
    assert notes[SOURCE_PREFIX + "pulled"].endswith("Z")
    # discovery: ping, HEAD, GET manifest, GET config, tag list, referrers probe
    assert result.requests == 6


def test_repull_replaces_entry_and_skips_fetches(plain_registry: Registry, images: Images,
                                                 tmp_path: Path) -> None:
    ref = f"{plain_registry.host}/test/single:v1"
    pull([ref], tmp_path)
    again = pull([ref, f"{plain_registry.host}/test/single:v2"], tmp_path)
    assert again.ok
    assert check_layout(tmp_path) == 2
    names = [e["annotations"][mt.ANNOTATION_REF_NAME] for e in entries(tmp_path)]
    assert sorted(names) == sorted([ref, f"{plain_registry.host}/test/single:v2"])
    assert again.pulled[0].blobs == 0  # the config was already there, verified


def test_multi_arch_with_attestations(plain_registry: Registry, images: Images,
                                      tmp_path: Path) -> None:
    result = pull([f"{plain_registry.host}/test/multi:v1"], tmp_path)
    assert result.ok, result.to_json()
    (item,) = result.pulled
    assert item.digest == images.digests["test/multi"]
    assert item.media_type == mt.OCI_INDEX
    assert sorted(item.platforms) == ["linux/amd64", "linux/arm/v7", "linux/arm64"]
    assert item.manifests == 7  # the index, 3 platforms, 3 attestations
    check_layout(tmp_path)
    for attest in images.extra["multi_attest"]:
        manifest = json.loads((tmp_path / "blobs" / attest["digest"].replace(":", "/")).read_text())
        layer = manifest["layers"][0]
        assert layer["mediaType"] == mt.IN_TOTO
        assert (tmp_path / "blobs" / layer["digest"].replace(":", "/")).is_file()


def test_platform_filter(plain_registry: Registry, images: Images, tmp_path: Path) -> None:
    result = pull([f"{plain_registry.host}/test/multi:v1"], tmp_path, platforms=["linux/arm64"])
    assert result.ok
    (item,) = result.pulled
    assert item.platforms == ["linux/arm64"]
    assert item.manifests == 3  # the index, the platform and its attestation
    index_blob = tmp_path / "blobs" / item.digest.replace(":", "/")
    assert index_blob.is_file()  # the index is stored as served
    amd64 = images.extra["multi_children"][0]["digest"]
    assert not (tmp_path / "blobs" / amd64.replace(":", "/")).exists()


def test_platform_filter_no_match(plain_registry: Registry, images: Images,
                                  tmp_path: Path) -> None:
    result = pull([f"{plain_registry.host}/test/multi:v1"], tmp_path, platforms=["linux/mips"])
    assert not result.ok
    assert "no manifest matches" in result.pulled[0].failures[0]


def test_docker_media_types(plain_registry: Registry, images: Images, tmp_path: Path) -> None:
    result = pull([f"{plain_registry.host}/test/docker:v1"], tmp_path, layers=True)
    assert result.ok
    assert result.pulled[0].media_type == mt.DOCKER_MANIFEST
    check_layout(tmp_path, layers=True)
    manifest = json.loads((tmp_path / "blobs" / result.pulled[0].digest.replace(":", "/"))
                          .read_text())
    assert manifest["config"]["mediaType"] == mt.DOCKER_CONFIG


def test_zstd_layers(plain_registry: Registry, images: Images, tmp_path: Path) -> None:
    result = pull([f"{plain_registry.host}/test/zstd:v1"], tmp_path, layers=True)
    assert result.ok
    manifest = json.loads((tmp_path / "blobs" / result.pulled[0].digest.replace(":", "/"))
                          .read_text())
    assert {layer["mediaType"] for layer in manifest["layers"]} == {mt.OCI_LAYER_ZSTD}
    assert result.pulled[0].layers == 2
    check_layout(tmp_path, layers=True)


def test_digest_reference(plain_registry: Registry, images: Images, tmp_path: Path) -> None:
    digest = images.digests["test/single"]
    for ref in (f"{plain_registry.host}/test/single@{digest}",
                f"{plain_registry.host}/test/single:v1@{digest}"):
        result = pull([ref], tmp_path)
        assert result.ok
        assert result.pulled[0].digest == digest
    assert check_layout(tmp_path) == 2


def test_all_tags(plain_registry: Registry, images: Images, tmp_path: Path) -> None:
    result = pull([f"{plain_registry.host}/test/single"], tmp_path, all_tags=True)
    assert result.ok
    assert sorted(p.ref.rsplit(":", 1)[1] for p in result.pulled) == ["v1", "v2"]


def test_referrers_fallback_and_cosign(plain_registry: Registry, images: Images,
                                       tmp_path: Path) -> None:
    result = pull([f"{plain_registry.host}/test/signed:v1"], tmp_path)
    assert result.ok, result.to_json()
    assert result.pulled[0].referrers == 2  # the fallback-tag index and the .sig
    digest = images.digests["test/signed"]
    names = {e["annotations"].get(mt.ANNOTATION_REF_NAME) for e in entries(tmp_path)}
    tag = digest.replace(":", "-")
    base = f"{plain_registry.host}/test/signed"
    assert names == {f"{base}:v1", f"{base}:{tag}", f"{base}:{tag}.sig"}
    for key in ("sbom", "sig"):
        assert (tmp_path / "blobs" / images.extra[key]["digest"].replace(":", "/")).is_file()
    check_layout(tmp_path)


def test_schema1(schema1_registry: Registry, tmp_path: Path) -> None:
    result = pull([f"{schema1_registry.host}/test/old:v1"], tmp_path)
    assert result.ok, result.to_json()
    (entry,) = entries(tmp_path)
    assert entry["mediaType"] == mt.DOCKER_SCHEMA1_SIGNED
    raw = (tmp_path / "blobs" / entry["digest"].replace(":", "/")).read_bytes()
    assert json.loads(raw)["schemaVersion"] == 1
    # the registry digest covers the JWS payload, not the stored bytes
    assert entry["annotations"][SOURCE_PREFIX + "digest"] != entry["digest"]


def test_skopeo_reads_our_layout(plain_registry: Registry, images: Images,
                                 tmp_path: Path) -> None:
    for repo in ("single", "multi"):
        ref = f"{plain_registry.host}/test/{repo}:v1"
        assert pull([ref], tmp_path).ok
        out = subprocess.run(["skopeo", "inspect", "--raw", f"oci:{tmp_path}:{ref}"],
                             capture_output=True, check=True)
        assert "sha256:" + __import__("hashlib").sha256(out.stdout).hexdigest() \
            == images.digests[f"test/{repo}"]
    ref = f"{plain_registry.host}/test/single:v1"
    out = subprocess.run(["skopeo", "inspect", "--config", f"oci:{tmp_path}:{ref}"],
                         capture_output=True, check=True, text=True)
    assert json.loads(out.stdout)["history"][0]["created_by"] == "COPY hello.txt /hello.txt"


def test_eight_platform_request_budget(plain_registry: Registry, images: Images,
                                       tmp_path: Path) -> None:
    from .faultproxy import FaultProxy

    proxy = FaultProxy(plain_registry.url)
    try:
        result = pull([f"{proxy.host}/test/eight:v1"], tmp_path)
        assert result.ok
        fetches = [f"{s.method} {s.path}" for s in proxy.seen
                   if s.method == "GET" and ("/blobs/" in s.path or "/manifests/sha256" in s.path)]
        assert len(fetches) == len(set(fetches)) == 1 + 8 + 8  # nothing fetched twice
        discovery = len(proxy.seen) - len(fetches)
        assert discovery <= 4, [(s.method, s.path) for s in proxy.seen]
    finally:
        proxy.stop()


def test_referrers_api(plain_registry: Registry, images: Images, tmp_path: Path) -> None:
    """A registry with the referrers API (simulated by the proxy): no fallback tag used."""
    from .faultproxy import FaultProxy

    digest = images.digests["test/signed"]
    body = json.dumps({"schemaVersion": 2, "mediaType": mt.OCI_INDEX,
                       "manifests": [images.extra["sbom"]]}).encode()
    proxy = FaultProxy(plain_registry.url)
    try:
        proxy.add(rf"GET /v2/test/signed/referrers/{digest}", "respond", body=body,
                  content_type=mt.OCI_INDEX)
        result = pull([f"{proxy.host}/test/signed:v1"], tmp_path)
        assert result.ok, result.to_json()
        assert proxy.count(f"manifests/{digest.replace(':', '-')}$") == 0
        by_digest = {e["digest"]: e["annotations"] for e in entries(tmp_path)}
        sbom = by_digest[images.extra["sbom"]["digest"]]
        assert sbom["io.github.ocihist.referrer.subject"] == digest
        assert mt.ANNOTATION_REF_NAME not in sbom
        assert result.pulled[0].referrers == 2  # the SBOM (API) and the cosign .sig tag
        check_layout(tmp_path)
    finally:
        proxy.stop()


def test_schema1_layers(schema1_registry: Registry, tmp_path: Path) -> None:
    result = pull([f"{schema1_registry.host}/test/old:v1"], tmp_path, layers=True)
    assert result.ok, result.to_json()
    raw = json.loads((tmp_path / "blobs" / entries(tmp_path)[0]["digest"].replace(":", "/"))
                     .read_text())
    sums = {layer["blobSum"] for layer in raw["fsLayers"]}
    assert result.pulled[0].layers == len(sums)
    assert all((tmp_path / "blobs" / s.replace(":", "/")).is_file() for s in sums)


def test_layers_shared_by_platforms_fetched_once(plain_registry: Registry, images: Images,
                                                 tmp_path: Path) -> None:
    result = pull([f"{plain_registry.host}/test/multi:v1"], tmp_path, layers=True)
    assert result.ok
    assert result.pulled[0].layers == 2  # three platforms share the two umoci layers
    check_layout(tmp_path, layers=True)


def _fallback_tag(pusher: Pusher, repo: str, subject: dict[str, Any],
                  referrers: list[dict[str, Any]]) -> None:
    index = {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": referrers}
    pusher.manifest(repo, subject["digest"].replace(":", "-"), index)


def test_referrers_of_referrers(plain_registry: Registry, base_layout: Path,
                                tmp_path: Path) -> None:
    """A signature on an SBOM on the image, both found through fallback tags."""
    skopeo_push(f"oci:{base_layout}:v1", f"docker://{plain_registry.host}/test/chain:v1")
    pusher = Pusher(plain_registry.url)
    image = Layout(base_layout).entry("v1")
    sbom = pusher.artifact("test/chain", image, "application/spdx+json",
                           b'{"spdxVersion":"SPDX-2.3"}', "application/spdx+json")
    _fallback_tag(pusher, "test/chain", image, [sbom])
    signature = pusher.artifact("test/chain", sbom, "application/vnd.example.sig",
                                b"signed", "application/octet-stream")
    _fallback_tag(pusher, "test/chain", sbom, [signature])
    result = pull([f"{plain_registry.host}/test/chain:v1"], tmp_path)
    assert result.ok, result.to_json()
    assert result.pulled[0].referrers == 2  # the image's fallback index, then the SBOM's
    subjects = {e["digest"]: e["annotations"].get(mt.ANNOTATION_REFERRER_SUBJECT)
                for e in entries(tmp_path)}
    sbom_listing = next(d for d, s in subjects.items() if s == sbom["digest"])
    listed = json.loads((tmp_path / "blobs" / sbom_listing.replace(":", "/")).read_bytes())
    assert [m["digest"] for m in listed["manifests"]] == [signature["digest"]]
    assert (tmp_path / "blobs" / signature["digest"].replace(":", "/")).is_file()
    check_layout(tmp_path)


def test_referrers_api_pages(plain_registry: Registry, images: Images, tmp_path: Path) -> None:
    """A referrers response split over two pages by a Link header: both are followed; a
    Link to another host is refused."""
    from .faultproxy import FaultProxy

    digest = images.digests["test/signed"]
    pusher = Pusher(plain_registry.url)
    subject = {"mediaType": mt.OCI_MANIFEST, "digest": digest, "size": 1}
    vex = pusher.artifact("test/signed", subject, "application/vnd.openvex+json",
                          b'{"@context":"https://openvex.dev/ns"}', "application/json",
                          tag="vex")
    pages = [{"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": [m]}
             for m in (images.extra["sbom"], vex)]
    path = f"/v2/test/signed/referrers/{digest}"
    for next_link, pulled in (("/v2/test/signed/referrers/{d}?n=1&last=a", 3),
                              ("http://elsewhere.invalid/v2/x?n=1", None)):
        proxy = FaultProxy(plain_registry.url)
        try:
            proxy.add(rf"GET {path}$", "respond", body=json.dumps(pages[0]).encode(),
                      content_type=mt.OCI_INDEX,
                      headers={"Link": f'<{next_link.format(d=digest)}>; rel="next"'})
            proxy.add(rf"GET {path}\?n=1&last=a$", "respond", content_type=mt.OCI_INDEX,
                      body=json.dumps(pages[1]).encode())
            result = pull([f"{proxy.host}/test/signed:v1"], tmp_path / str(pulled))
            if pulled is None:
                assert not result.ok
                assert any("Link leaves the registry" in f and "elsewhere" in f
                           for f in result.pulled[0].failures), result.to_json()
                continue
            assert result.ok, result.to_json()
            assert result.pulled[0].referrers == pulled  # SBOM, VEX (page 2), cosign .sig
            found = {e["digest"] for e in entries(tmp_path / str(pulled))}
            assert {images.extra["sbom"]["digest"], vex["digest"]} <= found
        finally:
            proxy.stop()


def test_a_pulled_cosign_attestation_stays_linked_to_its_image(
        plain_registry: Registry, corpus: Path, tmp_path: Path) -> None:
    """The corpus's cosign `.att` (a SLSA provenance with its Dockerfile), pushed beside its
    image and pulled: the mirrored layout names the attestation by the whole reference, and
    provenance and the original Dockerfile are still found from it."""
    from ocihist import api
    from ocihist.analyze.origin import dockerfile_for, provenance_for

    source = corpus / "provenance-cosign-att-v02-max" / "layout"
    image_digest = "sha256:fc7e1cff1928dca67021e380db31231876ba24d1832720702722d3673da33e71"
    att_tag = image_digest.replace(":", "-") + ".att"
    repo = f"{plain_registry.host}/test/cosign-att"
    Pusher(plain_registry.url).layout("test/cosign-att", source)
    result = pull([f"{repo}:master"], tmp_path / "mirror")
    assert result.ok and result.pulled[0].referrers == 1, result.to_json()
    inventory = api.open_input(str(tmp_path / "mirror"))
    (image,) = inventory.images
    assert str(image.manifest_digest) == image_digest
    (attestation,) = inventory.artifacts
    assert attestation.ref == f"{repo}:{att_tag}" and str(attestation.subject) == image_digest
    found, _ = provenance_for(inventory, image)
    assert [p.slsa_version for p in found] == ["0.2"]
    assert dockerfile_for(inventory, image).source == "provenance"
