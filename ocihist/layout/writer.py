"""Atomic OCI image layout writer.

A new layout appears whole: staged in a folder beside it, then renamed into place, so it is a
valid (empty) layout from the first moment anyone can see it.
A blob becomes visible under `blobs/<alg>/<hex>` only after its digest and size are verified:
it is written to a temporary file inside the layout (`.ocihist/`), fsynced, then renamed.
`index.json` is replaced atomically under an fcntl lock. No blob is ever deleted.
Interrupted layer downloads stay in `.ocihist/partial/<alg>-<hex>` for the next run to resume.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from ocihist.errors import IntegrityError, LayoutError
from ocihist.model import mediatypes as mt
from ocihist.model.digest import Digest

LAYOUT_VERSION = "1.0.0"
WORK_DIR = ".ocihist"
CHUNK = 1 << 20


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _hash_file(path: Path, digest: Digest) -> tuple[Digest, int]:
    hasher, size = digest.hasher(), 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            hasher.update(chunk)
            size += len(chunk)
    return Digest(digest.algorithm, hasher.hexdigest()), size


class PartialBlob:
    """A resumable download: bytes already on disk are hashed again, new bytes appended."""

    def __init__(self, path: Path, file: BinaryIO, digest: Digest, size: int | None) -> None:
        self.path, self._file, self.digest, self.size = path, file, digest, size
        self._hasher = digest.hasher()
        self.offset = 0
        file.seek(0)
        while chunk := file.read(CHUNK):
            self._hasher.update(chunk)
            self.offset += len(chunk)
        if size is not None and self.offset > size:
            self.restart()

    def restart(self) -> None:
        """Forget what was downloaded (the server ignored our Range)."""
        self._file.seek(0)
        self._file.truncate()
        self._hasher = self.digest.hasher()
        self.offset = 0

    def write(self, chunk: bytes) -> None:
        if self.size is not None and self.offset + len(chunk) > self.size:
            raise IntegrityError(f"blob {self.digest} is larger than its {self.size} bytes")
        self._file.write(chunk)
        self._hasher.update(chunk)
        self.offset += len(chunk)

    def finish(self) -> None:
        """Flush and check; on mismatch the partial file is emptied and IntegrityError raised."""
        self._file.flush()
        os.fsync(self._file.fileno())
        got = Digest(self.digest.algorithm, self._hasher.hexdigest())
        if got != self.digest or (self.size is not None and self.offset != self.size):
            self.restart()
            raise IntegrityError(f"downloaded {self.offset} bytes with digest {got}",
                                 where=str(self.digest))


class LayoutWriter:
    """Writes blobs and index entries into an OCI layout directory (created if needed)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._verified: set[Digest] = set()
        self._lock = threading.Lock()
        try:
            if not self.root.exists():
                _create_whole(self.root)
            else:
                _check_reusable(self.root)
            self.work = self.root / WORK_DIR
            (self.work / "tmp").mkdir(parents=True, exist_ok=True)
            (self.work / "partial").mkdir(exist_ok=True)
            self._ensure_index()
            self._ensure_layout_file()
        except OSError as exc:
            raise LayoutError(f"cannot create the layout: {exc.strerror}",
                              where=str(self.root)) from None

    def _ensure_index(self) -> None:
        """An empty index.json before anything else, so that the folder is a valid layout
        from the start, even if the pull fails before its first entry."""
        with self.locked():
            if not (self.root / "index.json").exists():
                self._atomic_write(self.root / "index.json", _index_bytes(self.read_index()))

    def _ensure_layout_file(self) -> None:
        path = self.root / "oci-layout"
        if path.exists():
            try:
                data = orjson.loads(path.read_bytes())
            except orjson.JSONDecodeError:
                data = None
            if not isinstance(data, dict) or data.get("imageLayoutVersion") != LAYOUT_VERSION:
                raise LayoutError("existing oci-layout file is not version 1.0.0",
                                  where=str(path))
            return
        self._atomic_write(path, orjson.dumps({"imageLayoutVersion": LAYOUT_VERSION}))

    def _atomic_write(self, path: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.work / "tmp", prefix=path.name + ".")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)

    def blob_path(self, digest: Digest) -> Path:
        return self.root / "blobs" / digest.algorithm / digest.hex

    def has_blob(self, digest: Digest, size: int | None = None) -> bool:
        """True if the blob is present *and* its content verifies (checked once per run)."""
        if digest in self._verified:
            return True
        path = self.blob_path(digest)
        if not path.is_file():
            return False
        got, got_size = _hash_file(path, digest)
        if got != digest or (size is not None and got_size != size):
            return False  # corrupt: the next put replaces it atomically
        with self._lock:
            self._verified.add(digest)
        return True

    def read_blob(self, digest: Digest, limit: int) -> bytes | None:
        """A verified small blob already in the layout, or None."""
        path = self.blob_path(digest)
        try:
            if path.stat().st_size > limit:
                return None
            data = path.read_bytes()
        except OSError:
            return None
        return data if Digest.of(data, digest.algorithm) == digest else None

    def put_blob(self, data: bytes, digest: Digest, size: int | None = None) -> bool:
        """Store verified bytes; False when an intact copy was already there."""
        if Digest.of(data, digest.algorithm) != digest or (size is not None and len(data) != size):
            raise IntegrityError(f"refusing to store {len(data)} bytes that are not {digest}")
        if self.has_blob(digest, len(data)):
            return False
        try:
            self.blob_path(digest).parent.mkdir(parents=True, exist_ok=True)
            self._atomic_write(self.blob_path(digest), data)
        except OSError as exc:
            raise LayoutError(f"cannot write blob {digest.short}: {exc.strerror}",
                              where=str(self.root)) from None
        with self._lock:
            self._verified.add(digest)
        return True

    @contextmanager
    def partial(self, digest: Digest, size: int | None) -> Iterator[PartialBlob | None]:
        """Resume or start a streamed blob; yields None when the blob is already stored.

        The caller fills the PartialBlob; on normal exit it is verified and renamed into place.
        """
        path = self.work / "partial" / f"{digest.algorithm}-{digest.hex}"
        if self.has_blob(digest, size):
            yield None
            return
        with self._open_partial(path) as file:
            if self.has_blob(digest, size):  # another process finished it meanwhile
                path.unlink(missing_ok=True)
                yield None
                return
            part = PartialBlob(path, file, digest, size)
            yield part
            part.finish()
            final = self.blob_path(digest)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(path, 0o644)
            os.replace(path, final)
            _fsync_dir(final.parent)
            with self._lock:
                self._verified.add(digest)

    @contextmanager
    def _open_partial(self, path: Path) -> Iterator[BinaryIO]:
        """Open and lock the partial file, retrying if another process renamed it meanwhile."""
        while True:
            with path.open("a+b") as file:
                fcntl.flock(file, fcntl.LOCK_EX)  # another pull may be fetching the same blob
                try:
                    same = os.stat(path).st_ino == os.fstat(file.fileno()).st_ino
                except FileNotFoundError:
                    same = False
                if same:
                    yield file
                    return

    @contextmanager
    def locked(self) -> Iterator[None]:
        with (self.work / "index.lock").open("a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def read_index(self) -> dict[str, Any]:
        path = self.root / "index.json"
        if not path.exists():
            return {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": []}
        try:
            data = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            raise LayoutError(f"existing index.json is unreadable: {exc}",
                              where=str(path)) from None
        if not isinstance(data, dict) or not isinstance(data.get("manifests", []), list):
            raise LayoutError("existing index.json is not an OCI index", where=str(path))
        data.setdefault("manifests", [])
        return data

    def add_entries(self, entries: Iterable[Mapping[str, Any]]) -> None:
        """Add index.json entries; an entry replaces any with the same ref name (or digest)."""
        new = [dict(e) for e in entries]
        with self.locked():
            index = self.read_index()
            keys = {_entry_key(e) for e in new}
            kept = [e for e in index["manifests"] if _entry_key(e) not in keys]
            index["manifests"] = kept + new
            try:
                self._atomic_write(self.root / "index.json", _index_bytes(index))
            except OSError as exc:
                raise LayoutError(f"cannot write index.json: {exc.strerror}",
                                  where=str(self.root)) from None


def _check_reusable(root: Path) -> None:
    """An existing destination is written into only when it is an OCI layout or empty: a
    pull never mixes a layout into a folder of other files."""
    if not root.is_dir():
        raise LayoutError("exists and is not a folder", where=str(root))
    names = {entry.name for entry in root.iterdir()}  # (one listing: writers may race)
    if names & {"oci-layout", "index.json"}:
        return
    if names - {WORK_DIR}:  # (WORK_DIR alone: another writer has just begun)
        raise LayoutError("is a folder of other files, not an OCI layout: pull into a new or "
                          "empty folder, or into a layout", where=str(root))


def _create_whole(root: Path) -> None:
    """Make a new layout appear at `root` in one rename: its files are written into a
    staging folder beside it first, so no one ever sees `root` half made."""
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.", dir=root.parent))
    try:
        (staging / WORK_DIR / "tmp").mkdir(parents=True)
        (staging / WORK_DIR / "partial").mkdir()
        empty = {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": []}
        (staging / "index.json").write_bytes(_index_bytes(empty))
        (staging / "oci-layout").write_bytes(orjson.dumps({"imageLayoutVersion": LAYOUT_VERSION}))
        for path in staging.rglob("*"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        os.chmod(staging, 0o755)
        _fsync_dir(staging)
        os.rename(staging, root)
        _fsync_dir(root.parent)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not root.is_dir():  # (when another run made it meanwhile, that one is used)
            raise


def _index_bytes(index: Mapping[str, Any]) -> bytes:
    return orjson.dumps(index, option=orjson.OPT_INDENT_2)


def _entry_key(entry: Mapping[str, Any]) -> tuple[str, str]:
    annotations = entry.get("annotations")
    name = annotations.get(mt.ANNOTATION_REF_NAME) if isinstance(annotations, dict) else None
    return ("name", str(name)) if name else ("digest", str(entry.get("digest")))
