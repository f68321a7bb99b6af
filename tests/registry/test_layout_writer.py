"""The atomic layout writer: verified blobs, locked index.json, resumable partials."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from ocihist.errors import IntegrityError, LayoutError
from ocihist.layout.writer import LayoutWriter
from ocihist.model import mediatypes as mt
from ocihist.model.digest import Digest

from .check import check_layout


def _entry(name: str, digest: Digest, size: int) -> dict[str, object]:
    return {"mediaType": mt.OCI_MANIFEST, "digest": str(digest), "size": size,
            "annotations": {mt.ANNOTATION_REF_NAME: name}}


def _writer_process(root: str, worker: int) -> None:
    writer = LayoutWriter(root)
    for i in range(15):
        data = json.dumps({"schemaVersion": 2, "mediaType": mt.OCI_MANIFEST,
                           "config": {"mediaType": "x", "digest": "sha256:" + "0" * 64,
                                      "size": 0}, "layers": [], "n": f"{worker}-{i}"}).encode()
        digest = Digest.of(data)
        writer.put_blob(data, digest)
        writer.add_entries([_entry(f"r/w{worker}:t{i}", digest, len(data))])


def _race_writers(root: Path, count: int = 6) -> None:
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer_process, args=(str(root), w)) for w in range(count)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0


def test_concurrent_writers_lose_no_entry(tmp_path: Path) -> None:
    _race_writers(tmp_path)
    index = json.loads((tmp_path / "index.json").read_text())
    assert len(index["manifests"]) == 6 * 15
    assert not list((tmp_path / ".ocihist" / "tmp").iterdir())


def test_new_layout_appears_whole_even_when_several_runs_race(tmp_path: Path) -> None:
    """Six processes create the same new layout at once: one rename wins, the others use it;
    no staging folder is left beside it and every entry lands."""
    root = tmp_path / "new" / "layout"
    _race_writers(root)
    assert [p.name for p in root.parent.iterdir()] == ["layout"]
    assert json.loads((root / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    assert len(json.loads((root / "index.json").read_text())["manifests"]) == 6 * 15


def test_a_new_layout_is_valid_before_anything_is_added(tmp_path: Path) -> None:
    LayoutWriter(tmp_path / "fresh")
    assert check_layout(tmp_path / "fresh") == 0
    assert sorted(p.name for p in (tmp_path / "fresh").iterdir()) == [
        ".ocihist", "index.json", "oci-layout"]


def test_replace_entry_by_name(tmp_path: Path) -> None:
    writer = LayoutWriter(tmp_path)
    a, b = Digest.of(b"a"), Digest.of(b"b")
    writer.add_entries([_entry("x:1", a, 1), _entry("x:2", a, 1)])
    writer.add_entries([_entry("x:1", b, 1)])
    index = json.loads((tmp_path / "index.json").read_text())
    assert [(m["annotations"][mt.ANNOTATION_REF_NAME], m["digest"]) for m in index["manifests"]] \
        == [("x:2", str(a)), ("x:1", str(b))]


def test_blobs_verified_before_and_after(tmp_path: Path) -> None:
    writer = LayoutWriter(tmp_path)
    data = b"hello"
    digest = Digest.of(data)
    with pytest.raises(IntegrityError):
        writer.put_blob(b"other", digest)
    assert not writer.blob_path(digest).exists()
    assert writer.put_blob(data, digest) is True
    assert writer.put_blob(data, digest) is False
    # a corrupt copy found by a later run is not trusted: it is replaced
    writer.blob_path(digest).write_bytes(b"hellO")
    fresh = LayoutWriter(tmp_path)
    assert not fresh.has_blob(digest)
    assert fresh.put_blob(data, digest) is True
    assert writer.blob_path(digest).read_bytes() == data


def test_partial_resume_and_restart(tmp_path: Path) -> None:
    writer = LayoutWriter(tmp_path)
    data = bytes(range(256)) * 100
    digest = Digest.of(data)
    with pytest.raises(RuntimeError), writer.partial(digest, len(data)) as part:
        assert part is not None
        part.write(data[:1000])
        raise RuntimeError("connection lost")
    assert not writer.blob_path(digest).exists()
    with writer.partial(digest, len(data)) as part:
        assert part is not None and part.offset == 1000
        part.write(data[1000:])
    assert writer.blob_path(digest).read_bytes() == data
    with writer.partial(digest, len(data)) as part:
        assert part is None
    assert not list((tmp_path / ".ocihist" / "partial").iterdir())
    # wrong bytes: refused, nothing stored, the partial emptied for a clean restart
    bad = Digest.of(b"x" * 10)
    with pytest.raises(IntegrityError), writer.partial(bad, 10) as part:
        assert part is not None
        part.write(b"y" * 10)
    assert not writer.blob_path(bad).exists()
    with pytest.raises(IntegrityError), writer.partial(bad, 10) as part:
        assert part is not None and part.offset == 0
        part.write(b"x" * 11)


def test_bad_existing_layout(tmp_path: Path) -> None:
    (tmp_path / "oci-layout").write_text('{"imageLayoutVersion": "2.0.0"}')
    with pytest.raises(LayoutError):
        LayoutWriter(tmp_path)
    (tmp_path / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    (tmp_path / "index.json").write_text("[1]")
    with pytest.raises(LayoutError):
        LayoutWriter(tmp_path).add_entries([])
    (tmp_path / "index.json").unlink()
    LayoutWriter(tmp_path).add_entries([])
    assert check_layout(tmp_path) == 0


def test_a_folder_of_other_files_is_never_made_a_layout(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "cat.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(LayoutError, match="not an OCI layout"):
        LayoutWriter(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["cat.jpg"]
    (tmp_path / "file").write_bytes(b"x")
    with pytest.raises(LayoutError, match="not a folder"):
        LayoutWriter(tmp_path / "file")
    assert (tmp_path / "file").read_bytes() == b"x"


def test_an_empty_folder_becomes_a_layout(tmp_path: Path) -> None:
    LayoutWriter(tmp_path)
    assert json.loads((tmp_path / "index.json").read_bytes())["manifests"] == []
    assert json.loads((tmp_path / "oci-layout").read_bytes()) == {"imageLayoutVersion": "1.0.0"}
