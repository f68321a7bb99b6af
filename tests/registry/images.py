"""Test images: umoci-built layouts, multi-platform indexes assembled around them, skopeo pushes,
and hand-PUT artifacts (referrers, fallback tags, cosign-style tags)."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import httpx

from ocihist.model import mediatypes as mt

EPOCH = "2024-01-02T03:04:05Z"


def run(*args: str) -> str:
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {proc.stderr[-2000:]}")
    return proc.stdout


def umoci_image(layout: Path, tag: str, files: list[tuple[str, bytes]]) -> None:
    """One layer per file, each with a real history entry, made by umoci."""
    if not (layout / "oci-layout").exists():
        run("umoci", "init", "--layout", str(layout))
    run("umoci", "new", "--image", f"{layout}:{tag}")
    for i, (name, data) in enumerate(files):
        bundle = layout.parent / f"bundle-{tag}-{i}"
        run("umoci", "unpack", "--rootless", "--image", f"{layout}:{tag}", str(bundle))
        (bundle / "rootfs" / name).write_bytes(data)
        run("umoci", "repack", "--image", f"{layout}:{tag}", "--history.created", EPOCH,
            "--history.created_by", f"COPY {name} /{name}", str(bundle))
        subprocess.run(["rm", "-rf", str(bundle)], check=True)
    run("umoci", "config", "--image", f"{layout}:{tag}", "--history.created_by",
        'CMD ["/bin/sh"]', "--config.cmd", "/bin/sh")


class Layout:
    """Reads and extends an OCI layout by hand."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, data: bytes, media_type: str, **extra: Any) -> dict[str, Any]:
        digest = hashlib.sha256(data).hexdigest()
        path = self.root / "blobs" / "sha256" / digest
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return {"mediaType": media_type, "digest": f"sha256:{digest}", "size": len(data), **extra}

    def get(self, digest: str) -> bytes:
        return (self.root / "blobs" / digest.replace(":", "/")).read_bytes()

    def entry(self, tag: str) -> dict[str, Any]:
        index = json.loads((self.root / "index.json").read_text())
        return next(m for m in index["manifests"]
                    if m.get("annotations", {}).get(mt.ANNOTATION_REF_NAME) == tag)

    def set_tag(self, tag: str, desc: dict[str, Any]) -> None:
        path = self.root / "index.json"
        index = json.loads(path.read_text())
        index["manifests"] = [m for m in index["manifests"]
                              if m.get("annotations", {}).get(mt.ANNOTATION_REF_NAME) != tag]
        index["manifests"].append({**desc, "annotations": {mt.ANNOTATION_REF_NAME: tag}})
        path.write_text(json.dumps(index))

    def platform_variant(self, tag: str, arch: str, variant: str | None) -> dict[str, Any]:
        """A copy of image `tag` whose config names another platform."""
        manifest = json.loads(self.get(self.entry(tag)["digest"]))
        config = json.loads(self.get(manifest["config"]["digest"]))
        config["architecture"] = arch
        if variant:
            config["variant"] = variant
        manifest["config"] = self.put(json.dumps(config).encode(), mt.OCI_CONFIG)
        platform = {"architecture": arch, "os": "linux"}
        if variant:
            platform["variant"] = variant
        return self.put(json.dumps(manifest).encode(), mt.OCI_MANIFEST, platform=platform)

    def attestation(self, subject: dict[str, Any]) -> dict[str, Any]:
        """A BuildKit-style attestation manifest for `subject`."""
        statement = json.dumps({"_type": "https://in-toto.io/Statement/v0.1",
                                "predicateType": "https://slsa.dev/provenance/v0.2",
                                "subject": [{"digest": {"sha256": subject["digest"][7:]}}],
                                "predicate": {"buildType": "test"}}).encode()
        layer = self.put(statement, mt.IN_TOTO,
                         annotations={"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"})
        config = self.put(json.dumps({"architecture": "unknown", "os": "unknown",
                                      "rootfs": {"type": "layers", "diff_ids": []}}).encode(),
                          mt.OCI_CONFIG)
        manifest = {"schemaVersion": 2, "mediaType": mt.OCI_MANIFEST, "config": config,
                    "layers": [layer]}
        return self.put(json.dumps(manifest).encode(), mt.OCI_MANIFEST,
                        platform={"architecture": "unknown", "os": "unknown"},
                        annotations={mt.ANNOTATION_REFERENCE_DIGEST: subject["digest"],
                                     mt.ANNOTATION_REFERENCE_TYPE: mt.REFERENCE_TYPE_ATTESTATION})

    def index(self, tag: str, manifests: list[dict[str, Any]]) -> dict[str, Any]:
        data = {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": manifests}
        desc = self.put(json.dumps(data).encode(), mt.OCI_INDEX)
        self.set_tag(tag, desc)
        return desc


def random_tar(name: str, size: int, seed: int) -> bytes:
    """An uncompressed tar holding one file of `size` pseudo-random bytes."""
    data = hashlib.shake_256(f"{seed}".encode()).digest(size)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(name)
        info.size, info.mtime = len(data), 1700000000
        tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def skopeo_push(source: str, dest: str, *, creds: str | None = None, fmt: str | None = None,
                all_images: bool = False, compress: str | None = None) -> None:
    args = ["skopeo", "copy", "--insecure-policy", "--quiet"]
    if dest.startswith("docker://"):
        args.append("--dest-tls-verify=false")
    if creds:
        args += ["--dest-creds", creds]
    if fmt:
        args += ["--format", fmt]
    if all_images:
        args += ["--all", "--preserve-digests"]
    if compress:
        args += ["--dest-compress-format", compress]
    run(*args, source, dest)


class Pusher:
    """Hand-made registry writes (monolithic blob upload, manifest PUT), no auth."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.client = httpx.Client(timeout=30)

    def blob(self, repo: str, data: bytes, media_type: str) -> dict[str, Any]:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        start = self.client.post(f"{self.base}/v2/{repo}/blobs/uploads/")
        assert start.status_code == 202, start.text
        location = httpx.URL(self.base).join(start.headers["location"])
        put = self.client.put(location.copy_merge_params({"digest": digest}), content=data,
                              headers={"Content-Type": "application/octet-stream"})
        assert put.status_code == 201, put.text
        return {"mediaType": media_type, "digest": digest, "size": len(data)}

    def manifest(self, repo: str, ref: str, doc: dict[str, Any]) -> dict[str, Any]:
        desc = self.raw_manifest(repo, ref, json.dumps(doc).encode(), doc["mediaType"])
        if "artifactType" in doc:
            desc["artifactType"] = doc["artifactType"]
        return desc

    def raw_manifest(self, repo: str, ref: str, data: bytes, media_type: str
                     ) -> dict[str, Any]:
        """PUT manifest bytes as they are (their digest kept)."""
        resp = self.client.put(f"{self.base}/v2/{repo}/manifests/{ref}", content=data,
                               headers={"Content-Type": media_type})
        assert resp.status_code == 201, resp.text
        return {"mediaType": media_type, "digest": "sha256:" + hashlib.sha256(data).hexdigest(),
                "size": len(data)}

    def layout(self, repo: str, layout: Path) -> None:
        """Every blob of an OCI layout, then each index.json entry under its ref name."""
        index = json.loads((layout / "index.json").read_bytes())
        entries = {e["digest"] for e in index["manifests"]}
        for path in sorted((layout / "blobs" / "sha256").iterdir()):
            if f"sha256:{path.name}" not in entries:
                self.blob(repo, path.read_bytes(), "application/octet-stream")
        for entry in index["manifests"]:
            data = (layout / "blobs" / entry["digest"].replace(":", "/")).read_bytes()
            self.raw_manifest(repo, entry["annotations"][mt.ANNOTATION_REF_NAME], data,
                              entry["mediaType"])

    def artifact(self, repo: str, subject: dict[str, Any], artifact_type: str,
                 payload: bytes, payload_type: str, tag: str | None = None) -> dict[str, Any]:
        empty = self.blob(repo, b"{}", mt.OCI_EMPTY)
        layer = self.blob(repo, payload, payload_type)
        doc = {"schemaVersion": 2, "mediaType": mt.OCI_MANIFEST, "artifactType": artifact_type,
               "config": empty, "layers": [layer],
               "subject": {k: subject[k] for k in ("mediaType", "digest", "size")}}
        digest = "sha256:" + hashlib.sha256(json.dumps(doc).encode()).hexdigest()
        return self.manifest(repo, tag or digest, doc)

    def cosign_sig(self, repo: str, subject_digest: str) -> dict[str, Any]:
        payload = json.dumps({"critical": {"image": {"docker-manifest-digest": subject_digest},
                                           "type": "cosign container image signature"}}).encode()
        config = self.blob(repo, json.dumps({"architecture": "", "os": "", "rootfs": {
            "type": "layers", "diff_ids": []}}).encode(), mt.OCI_CONFIG)
        layer = self.blob(repo, payload, mt.COSIGN_SIGNATURE)
        layer["annotations"] = {"dev.cosignproject.cosign/signature": "MEUCIQ-test"}
        doc = {"schemaVersion": 2, "mediaType": mt.OCI_MANIFEST, "config": config,
               "layers": [layer]}
        return self.manifest(repo, subject_digest.replace(":", "-") + ".sig", doc)
