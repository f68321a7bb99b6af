"""Fixtures for registry tests: real docker-registry servers on 127.0.0.1, images pushed with
skopeo from umoci-built layouts. Skipped only when those binaries are absent."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ocihist.model import mediatypes as mt

from .faultproxy import FaultProxy
from .images import Layout, Pusher, random_tar, skopeo_push, umoci_image
from .servers import PASSWORD, USER, Registry, TokenServer, write_htpasswd

TOOLS = ("docker-registry", "skopeo", "umoci")
MISSING = [t for t in TOOLS if shutil.which(t) is None]
CREDS = f"{USER}:{PASSWORD}"


def require_tools() -> None:
    """Skip (only) when the real tools are not installed; CI installs them."""
    if MISSING:
        pytest.skip(f"not installed: {', '.join(MISSING)}")


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials or proxies from the developer's environment leak into tests."""
    for name in list(os.environ):
        if name.startswith(("REGISTRY_", "DOCKER_", "XDG_")) or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NO_PROXY", "*")


@dataclass
class Images:
    """What the session pushed: repository → digest of the tag `v1`."""

    layout: Path
    digests: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def _stop(*things: Any) -> None:
    for thing in things:
        thing.stop()


@pytest.fixture(scope="session")
def plain_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    require_tools()
    reg = Registry(tmp_path_factory.mktemp("reg-plain"))
    yield reg
    reg.stop()


@pytest.fixture(scope="session")
def base_layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An umoci image `v1` (two file layers + a CMD) and `big` (three 3 MB layers)."""
    require_tools()
    layout = tmp_path_factory.mktemp("layouts") / "base"
    umoci_image(layout, "v1", [("hello.txt", b"hello\n"), ("etc-motd", b"welcome\n")])
    umoci_image(layout, "v2", [("other.txt", b"other\n")])
    from .images import run

    run("umoci", "new", "--image", f"{layout}:big")
    for i in range(3):
        tar = layout.parent / f"big{i}.tar"
        tar.write_bytes(random_tar(f"blob{i}", 3 * 1024 * 1024, i))
        run("umoci", "raw", "add-layer", "--image", f"{layout}:big",
            "--history.created_by", f"ADD blob{i} /", str(tar))
    return layout


@pytest.fixture(scope="session")
def images(plain_registry: Registry, base_layout: Path) -> Images:
    """Pushes the test images to the plain registry."""
    host = plain_registry.host
    result = Images(base_layout)
    lay = Layout(base_layout)
    skopeo_push(f"oci:{base_layout}:v1", f"docker://{host}/test/single:v1")
    skopeo_push(f"oci:{base_layout}:v2", f"docker://{host}/test/single:v2")
    skopeo_push(f"oci:{base_layout}:big", f"docker://{host}/test/big:v1")
    skopeo_push(f"oci:{base_layout}:v1", f"docker://{host}/test/docker:v1", fmt="v2s2")
    zstd = base_layout.parent / "zstd"
    skopeo_push(f"oci:{base_layout}:v1", f"oci:{zstd}:v1", compress="zstd")
    skopeo_push(f"oci:{zstd}:v1", f"docker://{host}/test/zstd:v1")
    # multi-arch index with BuildKit-style attestations
    children = [lay.platform_variant("v1", arch, variant)
                for arch, variant in (("amd64", None), ("arm64", None), ("arm", "v7"))]
    attest = [lay.attestation(c) for c in children]
    index = lay.index("multi", children + attest)
    skopeo_push(f"oci:{base_layout}:multi", f"docker://{host}/test/multi:v1", all_images=True)
    result.extra["multi_children"] = children
    result.extra["multi_attest"] = attest
    # eight platforms, for the benchmark-like request count test
    eight = [lay.platform_variant("v1", a, v) for a, v in (
        ("amd64", None), ("arm64", "v8"), ("arm", "v7"), ("arm", "v6"), ("386", None),
        ("ppc64le", None), ("s390x", None), ("riscv64", None))]
    lay.index("eight", eight)
    skopeo_push(f"oci:{base_layout}:eight", f"docker://{host}/test/eight:v1", all_images=True)
    # referrers by hand: an SBOM artifact with `subject`, its fallback tag, a cosign tag
    skopeo_push(f"oci:{base_layout}:v1", f"docker://{host}/test/signed:v1")
    pusher = Pusher(plain_registry.url)
    subject = lay.entry("v1")
    sbom = pusher.artifact("test/signed", subject, "application/spdx+json",
                           b'{"spdxVersion":"SPDX-2.3"}', "application/spdx+json")
    fallback = {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": [sbom]}
    pusher.manifest("test/signed", subject["digest"].replace(":", "-"), fallback)
    result.extra["sbom"] = sbom
    result.extra["sig"] = pusher.cosign_sig("test/signed", subject["digest"])
    result.digests.update({
        "test/single": subject["digest"], "test/signed": subject["digest"],
        "test/big": lay.entry("big")["digest"], "test/multi": index["digest"],
        "test/eight": lay.entry("eight")["digest"]})
    return result


@pytest.fixture(scope="session")
def htpasswd_registry(tmp_path_factory: pytest.TempPathFactory,
                      base_layout: Path) -> Iterator[Registry]:
    root = tmp_path_factory.mktemp("reg-htpasswd")
    path = write_htpasswd(root / "htpasswd")
    reg = Registry(root, auth={"htpasswd": {"realm": "ocihist-test", "path": str(path)}})
    try:
        skopeo_push(f"oci:{base_layout}:v1", f"docker://{reg.host}/test/single:v1", creds=CREDS)
        yield reg
    finally:
        reg.stop()


@pytest.fixture(scope="session")
def token_registry(tmp_path_factory: pytest.TempPathFactory, base_layout: Path,
                   images: Images) -> Iterator[tuple[Registry, TokenServer]]:
    root = tmp_path_factory.mktemp("reg-token")
    tokens = TokenServer(root / "token")
    try:
        reg = Registry(root, auth=tokens.auth_config())
    except BaseException:
        tokens.stop()
        raise
    try:
        skopeo_push(f"oci:{base_layout}:v1", f"docker://{reg.host}/test/single:v1", creds=CREDS)
        skopeo_push(f"oci:{base_layout}:multi", f"docker://{reg.host}/test/multi:v1",
                    creds=CREDS, all_images=True)
        yield reg, tokens
    finally:
        _stop(reg, tokens)


@pytest.fixture(scope="session")
def schema1_registry(tmp_path_factory: pytest.TempPathFactory,
                     base_layout: Path) -> Iterator[Registry]:
    reg = Registry(tmp_path_factory.mktemp("reg-schema1"), schema1=True)
    try:
        skopeo_push(f"oci:{base_layout}:v1", f"docker://{reg.host}/test/old:v1", fmt="v2s1")
        yield reg
    finally:
        reg.stop()


@pytest.fixture
def proxy(plain_registry: Registry, images: Images) -> Iterator[FaultProxy]:
    p = FaultProxy(plain_registry.url)
    yield p
    p.stop()


def entries(dest: Path) -> list[dict[str, Any]]:
    return json.loads((dest / "index.json").read_text())["manifests"]


@pytest.fixture(scope="session")
def tls_registry(tmp_path_factory: pytest.TempPathFactory,
                 base_layout: Path) -> Iterator[tuple[Registry, Path]]:
    """A registry serving HTTPS with a certificate from a test CA; yields (registry, ca.pem)."""
    from .servers import make_tls

    root = tmp_path_factory.mktemp("reg-tls")
    ca, cert, key = make_tls(root / "tls")
    reg = Registry(root, tls=(cert, key))
    args = ["skopeo", "copy", "--insecure-policy", "--quiet", "--dest-cert-dir", str(root / "d"),
            f"oci:{base_layout}:v1", f"docker://{reg.host}/test/single:v1"]
    (root / "d").mkdir()
    shutil.copy(ca, root / "d" / "ca.crt")
    from .images import run

    try:
        run(*args)
        yield reg, ca
    finally:
        reg.stop()
