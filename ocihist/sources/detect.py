"""What an input is, decided from its content, never from its name.

Only the reader of the format found is imported (each costs start-up time).
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from ocihist.errors import (
    CorruptInput,
    InputError,
    MalformedDocument,
    UnrecognizedInput,
    UsageError,
)
from ocihist.model.parse import JSON_LIMIT, load_json
from ocihist.sources.base import INDEX_FILE, MANIFEST_FILE, REPOSITORIES_FILE, Inventory
from ocihist.sources.compressed import READ_SIZE, compression_of, decoded
from ocihist.sources.layout import ContainersDirSource, OciLayoutSource
from ocihist.sources.resolve import resolve
from ocihist.sources.tarindex import BLOCK, header_checksum_ok
from ocihist.sources.tree import DirTree, FileTree, TarTree

STDIN = "-"


class _Prefixed:
    """A stream whose first bytes were already read to sniff it."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def read(self, n: int = -1) -> bytes:
        if not self._head:
            return self._rest.read(n)
        if n < 0:
            data, self._head = self._head + self._rest.read(), b""
            return data
        data, self._head = self._head[:n], self._head[n:]
        if len(data) < n:
            data += self._rest.read(n - len(data))
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def discard(self, n: int) -> int:
        """Pass over up to `n` bytes, without keeping them when the stream can."""
        if self._head or not hasattr(self._rest, "discard"):
            return len(self.read(n))
        return self._rest.discard(n)  # type: ignore[no-any-return]


def _read_head(stream: BinaryIO, n: int = BLOCK) -> bytes:
    head = b""
    while len(head) < n:
        chunk = stream.read(n - len(head))
        if not chunk:
            break
        head += chunk
    return head


def _is_tar(head: bytes) -> bool:
    if len(head) < BLOCK or head == b"\0" * BLOCK:
        return False
    return header_checksum_ok(head[:BLOCK])


def _is_json(head: bytes) -> bool:
    """Whether the input may be a JSON document: it opens with `{` or `[` after white space
    (a head of white space alone too: parsing decides)."""
    return bool(head) and head.lstrip()[:1] in (b"{", b"[", b"")


def inspect(path: str, *, config: str | None = None) -> Inventory:
    """Read every image and artifact in the input at `path` (`-` for stdin)."""
    with _opened(path) as (stream, seekable, size):
        head = _read_head(stream)
        kind = compression_of(head)
        if kind is not None:
            with decoded(_Prefixed(head, stream), kind, label=path,  # type: ignore[arg-type]
                         regular_file=seekable) as inner:
                body_head = _read_head(inner)  # type: ignore[arg-type]
                body = _Prefixed(body_head, inner)  # type: ignore[arg-type]
                inventory = _from_stream(body, body_head, path, seekable=False, size=None,
                                         config=config)
                _read_to_the_end(inner, path)
            inventory.kind += f"+{kind}"
            return inventory
        if seekable:
            stream.seek(0)
            return _from_stream(stream, head, path, seekable=True, size=size, config=config)
        return _from_stream(_Prefixed(head, stream), head, path,  # type: ignore[arg-type]
                            seekable=False, size=None, config=config)


TRAILING_LIMIT = 1 << 20
"""The most decompressed bytes read past the end of the archive (tar pads with zeros to a
record, not to gigabytes: more is a decompression bomb, not an archive)."""


def _read_to_the_end(stream: BinaryIO, path: str) -> None:
    """Decode what follows the archive, so that the stream's own trailer and checksum are
    checked; refuse more than TRAILING_LIMIT bytes of it."""
    left = TRAILING_LIMIT
    while count := stream.discard(min(READ_SIZE, left + 1)):  # type: ignore[attr-defined]
        left -= count
        if left < 0:
            raise CorruptInput(f"more than {TRAILING_LIMIT >> 20} MiB of data follow the end "
                               "of the archive in the compressed stream", where=path)


@contextmanager
def _opened(path: str) -> Iterator[tuple[BinaryIO, bool, int | None]]:
    if path == STDIN:
        if sys.stdin is None:
            raise InputError("stdin is closed", where=path)
        with suppress(OSError, ValueError):  # (handed over non-blocking: reads would end early)
            os.set_blocking(sys.stdin.fileno(), True)
        yield sys.stdin.buffer, False, None
        return
    handle, info = _open_file(path)
    with handle:
        seekable = stat.S_ISREG(info.st_mode)
        yield handle, seekable, info.st_size if seekable else None


def _open_file(path: str) -> tuple[BinaryIO, os.stat_result]:
    """Open for reading without ever blocking on a FIFO that has no writer (it then reads
    as empty); the open file is blocking as usual."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        info = os.fstat(fd)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), info
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror}", where=path,
                         hint=_reference_hint(path, exc)) from None


def _reference_hint(path: str, exc: OSError) -> str | None:
    """For a missing file named like `alpine:3.19` or `ghcr.io/x/y`: show reads local
    inputs only, and pull is how a registry image gets here."""
    if not isinstance(exc, FileNotFoundError) or not (":" in path or "/" in path):
        return None
    from ocihist.model.reference import parse_reference

    try:
        parse_reference(path)
    except UsageError:
        return None
    return (f"show reads files only; to read a registry image, `ocihist pull {path} --dest "
            "DIR` first, then `ocihist show DIR`")


def open_input(path: str, *, config: str | None = None) -> Inventory:
    """The public entry point: a file, a folder, or `-`."""
    if not path:
        raise UsageError("the path is empty (`-` reads stdin)")
    try:
        if path != STDIN and Path(path).is_dir():
            if config is not None:
                raise UsageError("--config goes with a bare manifest (a JSON file), not a "
                                 "folder", where=path)
            return from_tree(DirTree(Path(path)), path)
        return inspect(path, config=config)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", where=path) from None


def _from_stream(stream: BinaryIO, head: bytes, path: str, *, seekable: bool,
                 size: int | None, config: str | None) -> Inventory:
    if config is not None and not _is_json(head):
        raise UsageError("--config goes with a bare manifest (a JSON file), not an archive",
                         where=path)
    if _is_tar(head):
        tree = TarTree(stream, label=path, seekable=seekable, total_size=size,
                       keep_limit=JSON_LIMIT)
        return from_tree(tree, path)
    if _is_json(head):
        raw = stream.read(JSON_LIMIT + 1)
        if len(raw) > JSON_LIMIT:
            raise MalformedDocument(f"JSON input over the {JSON_LIMIT}-byte limit", where=path)
        config_raw = _read_config(config) if config else None
        from ocihist.sources.bare import BareSource

        return resolve(BareSource(raw, path, config_raw, config))
    if not head:
        raise UnrecognizedInput("the input is empty", where=path)
    if len(head) < BLOCK and not head.strip(b"\0"):
        raise CorruptInput("truncated input", where=path)
    raise UnrecognizedInput("not a tar archive, a compressed archive, an image folder or a "
                            "JSON document", where=path)


def _read_config(path: str) -> bytes:
    handle, _info = _open_file(path)
    try:
        with handle:
            raw = handle.read(JSON_LIMIT + 1)
    except OSError as exc:
        raise InputError(f"cannot read config: {exc.strerror}", where=path) from None
    if len(raw) > JSON_LIMIT:
        raise MalformedDocument(f"config over the {JSON_LIMIT}-byte limit", where=path)
    return raw


def from_tree(tree: FileTree, origin: str) -> Inventory:
    """Pick the format of a folder or archive by the files it holds."""
    has_manifest = tree.size(MANIFEST_FILE) is not None
    if tree.size(INDEX_FILE) is not None:
        archived = isinstance(tree, TarTree)
        layout = OciLayoutSource(tree, origin, "oci-archive" if archived else "oci-layout")
        if has_manifest and archived:
            from ocihist.sources import dockersave

            entries = dockersave.read_save_manifest(tree)
            if not layout.listed:
                source = dockersave.DockerSaveSource(tree, origin, entries)
                source.kind = "docker-archive-oci"
                return resolve(source)
            layout.kind = "docker-archive-oci"
            inventory = resolve(layout)
            dockersave.add_repo_tags(inventory, entries)
            return inventory
        return resolve(layout)
    if has_manifest:
        raw = tree.read(MANIFEST_FILE, limit=JSON_LIMIT)
        if isinstance(load_json(raw, where=f"{origin}: {MANIFEST_FILE}"), dict):
            return resolve(ContainersDirSource(tree, origin, raw))
        from ocihist.sources import dockersave

        return resolve(dockersave.DockerSaveSource(tree, origin,
                                                   dockersave.read_save_manifest(tree)))
    if tree.size(REPOSITORIES_FILE) is not None:
        from ocihist.sources.legacy import LegacySource

        return resolve(LegacySource(tree, origin))
    raise UnrecognizedInput("no index.json, manifest.json or repositories: not an image "
                            "layout or archive", where=origin)
