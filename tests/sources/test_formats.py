"""Each input format, made here with exact digests, read back through the library."""

from __future__ import annotations

import gzip
import io
import json
import lzma
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard

from ocihist import api
from ocihist.errors import CorruptInput
from ocihist.render.json import inventory_json
from tests import factories as f


def _history(path: Path, **kw: str) -> list[tuple[str | None, str | None]]:
    (image,) = api.open_input(str(path), **kw).images
    return [(s.created_by, None) for s in image.history or ()]


def test_docker_save_classic_reads_history_and_layer_sizes(tmp_path: Path) -> None:
    path, cfg = f.docker_save(tmp_path / "save.tar")
    inventory = api.open_input(str(path))
    (image,) = inventory.images
    assert inventory.kind == "docker-archive"
    assert image.ref == "demo:1"
    assert str(image.config_digest) == f.sha(cfg)
    assert [e.created_by for e in image.history] == [h["created_by"] for h in f.HISTORY]
    assert [layer.size for layer in image.layers] == [len(x) for x in f.LAYERS]
    assert [layer.uncompressed_size for layer in image.layers] == [len(x) for x in f.LAYERS]
    assert [layer.diff_id for layer in image.layers] == [f.sha(x) for x in f.LAYERS]


def test_dot_slash_members_and_hardlinked_layer(tmp_path: Path) -> None:
    path, _ = f.docker_save(tmp_path / "save.tar", prefix="./", hardlink=True)
    (image,) = api.open_input(str(path)).images
    # The hardlinked layer.tar has the size of the member it links to.
    assert [layer.size for layer in image.layers] == [len(f.LAYERS[0])] * 2
    assert any(w.code == "linked-layer" for w in image.findings)


def test_docker25_layout_with_null_manifests_falls_back_to_manifest_json(tmp_path: Path) -> None:
    blobs, _ = f.oci_blobs([(f.config(f.HISTORY, f.LAYERS), f.LAYERS)])
    cfg_name = next(n for n, b in blobs.items() if b.startswith(b'{"architecture"'))
    layer_names = [f"blobs/sha256/{f.sha(x)[7:]}" for x in f.LAYERS]
    members: dict[str, bytes | f.Link] = {
        **blobs, "index.json": b'{"schemaVersion":2,"manifests":null}',
        "oci-layout": b'{"imageLayoutVersion":"1.0.0"}',
        "manifest.json": f.dumps([{"Config": cfg_name, "RepoTags": None,
                                   "Layers": layer_names}])}
    inventory = api.open_input(str(f.write_tar(tmp_path / "d25.tar", members)))
    (image,) = inventory.images
    assert inventory.kind == "docker-archive-oci"
    assert image.names == () and image.ref is None
    assert [str(layer.digest) for layer in image.layers] == [f.sha(x) for x in f.LAYERS]
    assert any(w.code == "repotags-null" for w in image.findings)


def test_crane_style_tarball_with_lowercase_keys(tmp_path: Path) -> None:
    cfg = f.config(f.HISTORY, f.LAYERS)
    gz = [gzip.compress(x, mtime=0) for x in f.LAYERS]
    members: dict[str, bytes | f.Link] = {f.sha(cfg): cfg}
    members.update({f"{f.sha(x)[7:]}.tar.gz": x for x in gz})
    members["manifest.json"] = f.dumps([{"config": f.sha(cfg), "repoTags": ["crane/x:1"],
                                         "layers": [f"{f.sha(x)[7:]}.tar.gz" for x in gz]}])
    (image,) = api.open_input(str(f.write_tar(tmp_path / "crane.tar", members))).images
    assert image.ref == "crane/x:1"
    assert [str(layer.digest) for layer in image.layers] == [f.sha(x) for x in gz]
    assert [layer.uncompressed_size for layer in image.layers] == [None, None]  # gzip: unknown


def test_layout_several_tags_share_blobs(tmp_path: Path) -> None:
    root, manifest = f.oci_layout(tmp_path / "l")
    index = json.loads((root / "index.json").read_text())
    index["manifests"].append({**index["manifests"][0],
                               "annotations": {"org.opencontainers.image.ref.name": "v2"}})
    del index["mediaType"]
    (root / "index.json").write_text(json.dumps(index))
    inventory = api.open_input(str(root))
    assert [i.ref for i in inventory.images] == ["v1", "v2"]
    assert {str(i.manifest_digest) for i in inventory.images} == {f.sha(manifest)}
    assert any(w.code == "no-media-type" for w in inventory.findings)


def test_oci_archive_of_layout(tmp_path: Path) -> None:
    root, manifest = f.oci_layout(tmp_path / "l")
    members = {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    inventory = api.open_input(str(f.write_tar(tmp_path / "a.tar", members, prefix="./")))
    assert inventory.kind == "oci-archive"
    assert [str(i.manifest_digest) for i in inventory.images] == [f.sha(manifest)]


@pytest.mark.parametrize("kind", ["gzip", "zstd", "xz"])
def test_compressed_archives_match_the_plain_one(tmp_path: Path, kind: str) -> None:
    plain, _ = f.docker_save(tmp_path / "save.tar")
    data = plain.read_bytes()
    packed = {"gzip": lambda d: gzip.compress(d, mtime=0),
              "zstd": lambda d: zstandard.ZstdCompressor().compress(d),
              "xz": lzma.compress}[kind](data)
    target = tmp_path / "save.tar.any"
    target.write_bytes(packed)
    want = inventory_json(api.open_input(str(plain)))
    got = inventory_json(api.open_input(str(target)))
    assert got["input"]["format"] == f"docker-archive+{kind}"
    assert got["images"] == want["images"]


def test_stdin_stream(tmp_path: Path) -> None:
    plain, cfg = f.docker_save(tmp_path / "save.tar")
    packed = gzip.compress(plain.read_bytes(), mtime=0)
    result = subprocess.run([sys.executable, "-m", "ocihist", "show", "-", "--json"],
                            input=packed, capture_output=True, check=False)
    assert result.returncode == 0, result.stderr
    (image,) = json.loads(result.stdout)["images"]
    assert image["config_digest"] == f.sha(cfg)
    assert len(image["history"]) == len(f.HISTORY)


def test_bare_config_alone(tmp_path: Path) -> None:
    cfg = f.config(f.HISTORY, f.LAYERS)
    (tmp_path / "c.json").write_bytes(cfg)
    inventory = api.open_input(str(tmp_path / "c.json"))
    (image,) = inventory.images
    assert inventory.kind == "image-config"
    assert str(image.config_digest) == f.sha(cfg)
    assert [layer.diff_id for layer in image.layers] == [f.sha(x) for x in f.LAYERS]


def test_bare_manifest_with_and_without_config(tmp_path: Path) -> None:
    cfg = f.config(f.HISTORY, f.LAYERS)
    _, (manifest,) = f.oci_blobs([(cfg, f.LAYERS)])
    (tmp_path / "m.json").write_bytes(manifest)
    (tmp_path / "c.json").write_bytes(cfg)
    (alone,) = api.open_input(str(tmp_path / "m.json")).images
    assert alone.history is None and len(alone.layers) == 2
    (paired,) = api.open_input(str(tmp_path / "m.json"), config=str(tmp_path / "c.json")).images
    assert len(paired.history) == 3 and str(paired.manifest_digest) == f.sha(manifest)


def test_missing_platform_is_reported_without_failing_others(tmp_path: Path) -> None:
    root, _manifest = f.oci_layout(tmp_path / "l")
    index = json.loads((root / "index.json").read_text())
    absent = "sha256:" + "ab" * 32
    index["manifests"].append({"mediaType": f.OCI_MANIFEST, "digest": absent, "size": 10,
                               "platform": {"os": "linux", "architecture": "s390x"}})
    (root / "index.json").write_text(json.dumps(index))
    images = api.open_input(str(root)).images
    assert [i.missing for i in images] == [False, True]
    assert str(images[1].platform) == "linux/s390x"


def test_legacy_parent_chain(tmp_path: Path) -> None:
    base = {"id": "a" * 64, "created": "2015-01-01T00:00:00Z", "os": "linux",
            "architecture": "amd64", "container_config": {"Cmd": ["/bin/sh", "-c", "base"]}}
    top = {"id": "b" * 64, "parent": "a" * 64, "created": "2015-01-02T00:00:00Z",
           "os": "linux", "architecture": "amd64", "container_config": {"Cmd": None}}
    members: dict[str, bytes | f.Link] = {
        "repositories": f.dumps({"old/img": {"v0": "b" * 64}}),
        f"{'a' * 64}/json": f.dumps(base), f"{'a' * 64}/layer.tar": f.LAYERS[0],
        f"{'b' * 64}/json": f.dumps(top), f"{'b' * 64}/layer.tar": f.LAYERS[1]}
    inventory = api.open_input(str(f.write_tar(tmp_path / "old.tar", members)))
    (image,) = inventory.images
    assert inventory.kind == "docker-archive-v1"
    assert image.ref == "old/img:v0"
    assert [e.created_by for e in image.history] == ["/bin/sh -c base", ""]
    assert [layer.size for layer in image.layers] == [len(x) for x in f.LAYERS]


def test_json_output_is_deterministic(tmp_path: Path) -> None:
    from ocihist.render.json import dumps

    path, _ = f.docker_save(tmp_path / "save.tar")
    first = dumps(inventory_json(api.open_input(str(path))))
    second = dumps(inventory_json(api.open_input(str(path))))
    assert first == second
    assert b'"created_by": "/bin/sh -c #(nop)  CMD [\\"sh\\"]"' in first


def test_umoci_tar_without_end_blocks_is_accepted(tmp_path: Path) -> None:
    path, _ = f.docker_save(tmp_path / "save.tar")
    data = path.read_bytes().rstrip(b"\0")
    data += b"\0" * (-len(data) % 512)  # keep the last member's padding, drop end blocks
    cut = tmp_path / "noend.tar"
    cut.write_bytes(data)
    assert len(api.open_input(str(cut)).images) == 1


def test_stream_keeps_no_layer_bytes(tmp_path: Path) -> None:
    """On a stream only documents are kept: a big layer passes through."""
    from ocihist.sources.tree import TarTree

    big = f.layer_tar({"big": b"\x01" * (3 << 20)})
    members: dict[str, bytes | f.Link] = {"x/layer.tar": big, "manifest.json": b"[]"}
    path = f.write_tar(tmp_path / "t.tar", members)
    tree = TarTree(io.BytesIO(path.read_bytes()), label="t", seekable=False, keep_limit=1 << 20)
    assert tree.size("x/layer.tar") == len(big)
    assert tree.read("manifest.json", limit=100) == b"[]"
    with pytest.raises(Exception, match="not kept"):
        tree.read("x/layer.tar", limit=10 << 20)


@pytest.mark.parametrize("algorithm", ["sha256", "sha512"])
def test_signed_schema1_in_a_layout_is_stored_under_its_payload_digest(
        tmp_path: Path, corpus: Path, algorithm: str) -> None:
    """Registries name a signed schema 1 manifest by its JWS payload's digest."""
    import hashlib

    from ocihist.model.parse import schema1_payload

    raw = (corpus / "moby-schema1-hello-world" / "good_manifest").read_bytes()
    (bare,) = api.open_input(str(corpus / "moby-schema1-hello-world" / "good_manifest")).images
    payload = schema1_payload(raw, json.loads(raw))
    assert payload is not None
    digest = f"{algorithm}:{hashlib.new(algorithm, payload).hexdigest()}"
    root, _ = f.oci_layout(tmp_path / "l")
    name = root / "blobs" / algorithm / digest.split(":")[1]
    name.parent.mkdir(exist_ok=True)
    name.write_bytes(raw)
    index = {"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.docker.distribution.manifest.v1+prettyjws",
         "digest": digest, "size": len(raw),
         "annotations": {"org.opencontainers.image.ref.name": "s1"}}]}
    (root / "index.json").write_text(json.dumps(index))
    (image,) = api.open_input(str(root)).images
    assert str(image.manifest_digest) == digest != f.sha(raw)
    if algorithm == "sha256":
        assert image.manifest_digest == bare.manifest_digest
    assert [e.created_by for e in image.history] == [e.created_by for e in bare.history]


def _jws_wrapped(outer: dict, genuine: bytes) -> bytes:
    """`outer` with a JWS header whose payload (the first byte + formatTail) is `genuine`."""
    import base64

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(f.dumps({"formatLength": 1, "formatTail": b64(genuine[1:])}))
    return f.dumps({**outer, "signatures": [{"protected": header}]})


@pytest.mark.parametrize("forged", ["config", "manifest-as-oci", "manifest-unversioned"])
def test_a_jws_payload_never_vouches_for_other_bytes(tmp_path: Path, forged: str) -> None:
    """A blob whose JWS payload hashes to its name is accepted only as the signed schema 1
    manifest whose payload is then read: a config, or a manifest read as anything else, with
    such a header is refused (it would let forged bytes pass under a genuine digest)."""
    from ocihist.errors import IntegrityError

    root, manifest = f.oci_layout(tmp_path / "l")
    if forged == "config":
        genuine = f.config(f.HISTORY, f.LAYERS)
        outer = {"architecture": "amd64", "os": "linux", "schemaVersion": 1,
                 "history": [{"created_by": "FORGED"}]}
    else:
        genuine = manifest
        outer = {"mediaType": f.OCI_MANIFEST, "config": json.loads(manifest)["config"],
                 "layers": [], **({"schemaVersion": 1} if forged == "manifest-as-oci" else {})}
    (root / "blobs" / "sha256" / f.sha(genuine)[7:]).write_bytes(_jws_wrapped(outer, genuine))
    with pytest.raises(IntegrityError):
        api.open_input(str(root))


def test_path_through_a_file_is_one_clear_error(tmp_path: Path) -> None:
    from ocihist.errors import InputError

    (tmp_path / "file").write_bytes(b"x")
    with pytest.raises(InputError, match="cannot open"):
        api.open_input(str(tmp_path / "file" / "below"))


def test_schema1_unsigned_changes_are_reported(corpus: Path) -> None:
    """extra_data_manifest adds a second fsLayers key outside the signed bytes."""
    case = corpus / "moby-schema1-hello-world"
    (tampered,) = api.open_input(str(case / "extra_data_manifest")).images
    (good,) = api.open_input(str(case / "good_manifest")).images
    assert [f.code for f in tampered.findings] == ["schema1-payload"]
    assert good.findings == ()
    assert tampered.layers == good.layers


@pytest.mark.parametrize("kind", ["xz", "bzip2"])
def test_concatenated_streams_are_one_input(tmp_path: Path, kind: str) -> None:
    compress = lzma.compress if kind == "xz" else __import__("bz2").compress
    plain, _ = f.docker_save(tmp_path / "save.tar")
    data = plain.read_bytes()
    half = len(data) // 2
    (tmp_path / "two").write_bytes(compress(data[:half]) + compress(data[half:]))
    assert inventory_json(api.open_input(str(tmp_path / "two")))["images"] == \
        inventory_json(api.open_input(str(plain)))["images"]


def test_a_document_opening_with_white_space_is_kept_from_a_stream(tmp_path: Path) -> None:
    """Its first bytes are blanks, not `{`: kept all the same, so that file and stream agree."""
    blobs, (manifest,) = f.oci_blobs([(b" " * 16 + f.config(f.HISTORY, f.LAYERS), f.LAYERS)])
    index = {"schemaVersion": 2, "manifests": [
        {"mediaType": f.OCI_MANIFEST, "digest": f.sha(manifest), "size": len(manifest)}]}
    archive = f.write_tar(tmp_path / "a.tar", {**blobs, "index.json": f.dumps(index),
                                               "oci-layout": b'{"imageLayoutVersion":"1.0.0"}'})
    (tmp_path / "a.tar.gz").write_bytes(gzip.compress(archive.read_bytes()))
    from_file = inventory_json(api.open_input(str(archive)))["images"]
    assert len(from_file[0]["history"]) == len(f.HISTORY)
    assert inventory_json(api.open_input(str(tmp_path / "a.tar.gz")))["images"] == from_file


@pytest.mark.parametrize(("padding", "refused"), [(10 << 10, False), (2 << 20, True)])
def test_a_bomb_after_the_archive_is_refused(tmp_path: Path, padding: int,
                                             refused: bool) -> None:
    """Record padding after the tar's end is read; megabytes of it are a bomb."""
    plain, _ = f.docker_save(tmp_path / "save.tar")
    (tmp_path / "s.gz").write_bytes(gzip.compress(plain.read_bytes() + bytes(padding)))
    if refused:
        with pytest.raises(CorruptInput, match="follow the end of the archive"):
            api.open_input(str(tmp_path / "s.gz"))
    else:
        assert len(api.open_input(str(tmp_path / "s.gz")).images) == 1


@pytest.mark.parametrize("kind", ["gzip", "zstd", "xz", "bzip2"])
def test_garbage_after_the_last_stream_is_refused(tmp_path: Path, kind: str) -> None:
    import bz2

    compress = {"gzip": gzip.compress, "zstd": zstandard.ZstdCompressor().compress,
                "xz": lzma.compress, "bzip2": bz2.compress}[kind]
    plain, _ = f.docker_save(tmp_path / "save.tar")
    (tmp_path / "s").write_bytes(compress(plain.read_bytes()) + b"GARBAGE!GARBAGE!")
    with pytest.raises(CorruptInput):
        api.open_input(str(tmp_path / "s"))


def test_xz_asking_for_too_much_memory_is_refused(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from ocihist.errors import CorruptInput
    from ocihist.sources import compressed

    monkeypatch.setattr(compressed, "XZ_MEMORY_LIMIT", 1 << 20)  # preset 6 needs 9 MiB
    plain, _ = f.docker_save(tmp_path / "save.tar")
    (tmp_path / "s.xz").write_bytes(lzma.compress(plain.read_bytes()))
    with pytest.raises(CorruptInput, match="more than 1 MiB of memory"):
        api.open_input(str(tmp_path / "s.xz"))


def test_archive_with_too_many_members_is_refused(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from ocihist.errors import CorruptInput
    from ocihist.sources import tarindex

    monkeypatch.setattr(tarindex, "MAX_MEMBERS", 50)
    members: dict[str, bytes | f.Link] = {f"m{i}": b"" for i in range(60)}
    with pytest.raises(CorruptInput, match="more than 50 members"):
        api.open_input(str(f.write_tar(tmp_path / "many.tar", members)))


def test_streamed_documents_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ocihist.errors import MalformedDocument
    from ocihist.sources import tarindex

    monkeypatch.setattr(tarindex, "KEEP_BUDGET", 10_000)
    members: dict[str, bytes | f.Link] = {f"d{i}.json": b"{" + b" " * 3000 + b"}"
                                          for i in range(5)}
    packed = gzip.compress(f.write_tar(tmp_path / "docs.tar", members).read_bytes())
    (tmp_path / "docs.tar.gz").write_bytes(packed)
    with pytest.raises(MalformedDocument, match="more small documents"):
        api.open_input(str(tmp_path / "docs.tar.gz"))


def test_shared_legacy_parents_are_read_once(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Many tags over one long chain: each `<id>/json` is parsed once, not once per tag."""
    ids = [f"{i:064x}" for i in range(200)]
    members: dict[str, bytes | f.Link] = {"repositories": f.dumps(
        {"r": {f"t{i}": ids[i] for i in range(len(ids))}})}
    for i, layer_id in enumerate(ids):
        doc = {"id": layer_id, "created": "2015-01-01T00:00:00Z",
               "container_config": {"Cmd": [f"step {i}"]}}
        if i:
            doc["parent"] = ids[i - 1]
        members[f"{layer_id}/json"] = f.dumps(doc)
    source_path = f.write_tar(tmp_path / "chain.tar", members)
    from ocihist.sources import legacy

    calls = []
    original = legacy.json_object
    monkeypatch.setattr(legacy, "json_object",
                        lambda *a, **k: calls.append(1) or original(*a, **k))
    images = api.open_input(str(source_path)).images
    assert len(images) == 200 and len(images[-1].history) == 200
    assert len(calls) == 1 + 200  # repositories + each <id>/json once


@pytest.mark.parametrize("name", ["umoci.docker-archive.tar.gz", "umoci.docker-archive.tar.xz",
                                  "umoci.docker-archive.tar.zst"])
@pytest.mark.parametrize("cut", [1, 3, 40, 400])
def test_a_compressed_stream_cut_short_is_an_error(tmp_path: Path, name: str, cut: int) -> None:
    """Even when the tar inside ends before the cut: the stream's trailer is checked."""
    from ocihist.errors import CorruptInput
    from tests.conftest import FIXTURES

    data = (FIXTURES / name).read_bytes()
    (tmp_path / "cut").write_bytes(data[:-cut])
    with pytest.raises(CorruptInput):
        api.open_input(str(tmp_path / "cut"))


class _Endless(io.RawIOBase):
    """A raw stream of zeros that never ends, or fails with EIO after `fail_after` reads."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.reads = 0
        self.fail_after = fail_after

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        self.reads += 1
        if self.fail_after is not None and self.reads > self.fail_after:
            raise OSError(5, "Input/output error")
        return b"\0" * n


def test_read_ahead_hands_over_the_bytes_in_order_and_stops_when_left() -> None:
    from ocihist.sources.compressed import READ_AHEAD_CHUNKS, ReadAhead

    data = bytes(range(256)) * 1000
    with ReadAhead(io.BytesIO(data), chunk=4096) as ahead:
        got = ahead.read(10) + ahead.read(5000) + ahead.read()
    assert got == data
    endless = _Endless()
    with ReadAhead(endless, chunk=4096) as ahead:  # type: ignore[arg-type]
        assert ahead.read(100) == b"\0" * 100
    reads = endless.reads  # the thread has stopped: it read at most a queue-full ahead
    assert reads <= READ_AHEAD_CHUNKS + 2 and endless.reads == reads


def test_read_error_in_the_read_ahead_thread_is_one_clean_error() -> None:
    from ocihist.errors import CorruptInput
    from ocihist.sources.compressed import ReadAhead, decoded

    with ReadAhead(_Endless(fail_after=3), chunk=4096) as ahead:  # type: ignore[arg-type]
        for _ in range(3):
            assert len(ahead.read(4096)) == 4096
        with pytest.raises(OSError, match="Input/output error"):
            ahead.read(4096)
        assert ahead.read(4096) == b""

    class FailingAfterFirstRead(io.BytesIO):
        def read(self, n: int | None = -1) -> bytes:
            if self.tell():
                raise OSError(5, "Input/output error")
            return super().read(n)

    packed = zstandard.ZstdCompressor().compress(b"x" * (8 << 20))
    with decoded(FailingAfterFirstRead(packed), "zstd", label="img.tar.zst",
                 regular_file=True) as stream, \
            pytest.raises(CorruptInput, match=r"img.tar.zst: corrupt zstd stream .*Input/out"):
        while stream.read(1 << 20):
            pass


def _skippable_frame(payload: bytes) -> bytes:
    return b"\x5a\x2a\x4d\x18" + len(payload).to_bytes(4, "little") + payload


@pytest.mark.parametrize("maker", ["skippable-first", "pzstd"])
def test_zstd_opening_with_a_skippable_frame(tmp_path: Path, maker: str) -> None:
    """pzstd (and other parallel writers) open with a skippable frame; zstd -t accepts it."""
    plain, _ = f.docker_save(tmp_path / "s.tar")
    packed = tmp_path / "s.tar.zst"
    if maker == "pzstd":
        subprocess.run(["pzstd", "-q", "-p", "2", str(plain), "-o", str(packed)], check=True)
    else:
        packed.write_bytes(_skippable_frame(b"note") +
                           zstandard.ZstdCompressor().compress(plain.read_bytes()))
    assert packed.read_bytes()[1:4] == b"\x2a\x4d\x18"  # really opens with a skippable frame
    inventory = api.open_input(str(packed))
    assert inventory.kind == "docker-archive+zstd"
    assert _history(packed) == _history(plain)


@pytest.mark.parametrize(("padding", "ok"), [(4, True), (8, True), (3, False), (5, False)])
def test_xz_stream_padding(tmp_path: Path, padding: int, ok: bool) -> None:
    """xz allows NUL padding after a stream, in multiples of four bytes (xz -t agrees)."""
    plain, _ = f.docker_save(tmp_path / "s.tar")
    packed = tmp_path / "s.tar.xz"
    packed.write_bytes(lzma.compress(plain.read_bytes()) + b"\0" * padding)
    assert (subprocess.run(["xz", "-t", str(packed)], capture_output=True).returncode == 0) == ok
    if ok:
        assert _history(packed) == _history(plain)
    else:
        with pytest.raises(CorruptInput, match="stream padding"):
            api.open_input(str(packed))


def test_a_manifest_naming_its_config_by_sha512_reads_with_config(tmp_path: Path) -> None:
    import hashlib

    config = f.config(f.HISTORY, f.LAYERS)
    manifest = f.dumps({"schemaVersion": 2, "mediaType": f.OCI_MANIFEST, "layers": [],
                        "config": {"mediaType": f.OCI_CONFIG, "size": len(config),
                                   "digest": "sha512:" + hashlib.sha512(config).hexdigest()}})
    (tmp_path / "m.json").write_bytes(manifest)
    (tmp_path / "c.json").write_bytes(config)
    (image,) = api.open_input(str(tmp_path / "m.json"), config=str(tmp_path / "c.json")).images
    assert [e.created_by for e in image.history or ()] == [h["created_by"] for h in f.HISTORY]
    assert image.config_digest is not None and image.config_digest.algorithm == "sha512"


def test_a_json_document_after_much_white_space_is_read(tmp_path: Path) -> None:
    """More blanks than the 512 bytes sniffed: still a config, from a file or a stream."""
    (tmp_path / "c.json").write_bytes(b" " * 600 + f.config(f.HISTORY, f.LAYERS))
    (tmp_path / "c.json.gz").write_bytes(gzip.compress((tmp_path / "c.json").read_bytes()))
    for name in ("c.json", "c.json.gz"):
        (image,) = api.open_input(str(tmp_path / name)).images
        assert len(image.history or ()) == len(f.HISTORY)
