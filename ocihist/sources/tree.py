"""A read-only tree of named files: a directory, or the members of a tar archive.

Every format reader (OCI layout, docker save, legacy, `dir:`) works on this one
interface, so each format is written once for folders and archives alike. Links are
followed inside the tree and never outside it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO, Protocol

from ocihist.errors import CorruptInput, MalformedDocument, MissingBlob, UnsafePath
from ocihist.sources.tarindex import MAGIC_BYTES, Member, TarReader, normalize

MAX_LINK_HOPS = 16


class FileTree(Protocol):
    """Named files, by normalised relative name (`a/b`, never `./a/b`)."""

    label: str

    def size(self, name: str) -> int | None:
        """The file's size after following links, or None when there is no such file."""

    def read(self, name: str, *, limit: int) -> bytes:
        """The whole file; MissingBlob if absent, MalformedDocument if over `limit`."""

    def magic(self, name: str) -> bytes:
        """The first few bytes of the file (empty when unknown or absent)."""

    def is_link(self, name: str) -> bool:
        """True when `name` is a symlink or hardlink to another member."""

    def names(self) -> Iterable[str]:
        """Every regular file's and link's name."""


def _too_big(name: str, size: int, limit: int, label: str) -> MalformedDocument:
    return MalformedDocument(f"{name} is {size} bytes, over the {limit}-byte limit for a "
                             "document", where=label)


class TarTree:
    """The members of one tar archive, indexed in a single pass over its headers."""

    def __init__(self, stream: BinaryIO, *, label: str, seekable: bool,
                 total_size: int | None = None, keep_limit: int = 0) -> None:
        self.label = label
        self._stream = stream if seekable else None
        self._members: dict[str, Member] = {}
        keep = None
        if not seekable:
            def keep(name: str, size: int, head: bytes) -> bool:
                return size <= keep_limit and _looks_like_document(name, head)
        reader = TarReader(stream, label=label, seekable=seekable, total_size=total_size,
                           keep=keep)
        for member in reader.members():
            if member.name.startswith("../"):
                continue  # a member that names a place above the archive is never served
            self._members[member.name] = member  # a later member replaces an earlier one
        self.clean_end = reader.clean_end
        if not self._members:
            raise CorruptInput("not a tar archive, or an empty one", where=label)

    def _resolve(self, name: str) -> Member | None:
        member = self._members.get(normalize(name))
        hops = 0
        while member is not None and member.kind in ("symlink", "hardlink"):
            hops += 1
            target = member.link or ""
            if target.startswith(("/", "../")):
                raise UnsafePath(f"{member.name} links to {target!r}, outside the archive",
                                 where=self.label)
            if hops > MAX_LINK_HOPS:
                raise CorruptInput(f"{member.name} is one of links that lead to each other "
                                   f"(more than {MAX_LINK_HOPS} hops)", where=self.label)
            member = self._members.get(target)
        return member

    def size(self, name: str) -> int | None:
        member = self._resolve(name)
        return member.size if member is not None and member.kind == "file" else None

    def read(self, name: str, *, limit: int) -> bytes:
        member = self._resolve(name)
        if member is None or member.kind != "file":
            raise MissingBlob(f"{name} is not in the archive", where=self.label)
        if member.size > limit:
            raise _too_big(name, member.size, limit, self.label)
        if member.data is not None:
            return member.data
        if self._stream is None or member.offset is None:
            if member.size == 0:
                return b""
            raise MissingBlob(f"{name} was not kept from the stream (it does not look like a "
                              "document)", where=self.label)
        self._stream.seek(member.offset)
        data = self._stream.read(member.size)
        if len(data) != member.size:
            raise CorruptInput(f"truncated tar: {name} is cut short", where=self.label)
        return data

    def magic(self, name: str) -> bytes:
        member = self._resolve(name)
        if member is None or member.kind != "file":
            return b""
        if not member.magic and self._stream is not None and member.offset is not None:
            self._stream.seek(member.offset)
            member.magic = self._stream.read(min(member.size, MAGIC_BYTES))
        return member.magic

    def is_link(self, name: str) -> bool:
        member = self._members.get(normalize(name))
        return member is not None and member.kind in ("symlink", "hardlink")

    def names(self) -> Iterable[str]:
        return [m.name for m in self._members.values() if m.kind != "dir"]


_DOCUMENT_NAMES = ("manifest.json", "index.json", "oci-layout", "repositories")


def _looks_like_document(name: str, head: bytes) -> bool:
    """Whether a streamed member is worth keeping: JSON by name or by its first byte (a head
    of white space alone may still open a document: kept, and parsing decides)."""
    base = name.rsplit("/", 1)[-1]
    if base in _DOCUMENT_NAMES or base in ("json", "VERSION") or base.endswith(".json"):
        return True
    return head.lstrip()[:1] in (b"{", b"[", b"")


class DirTree:
    """A directory on disk; names never escape it, even through symlinks."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.label = str(root)

    def _path(self, name: str) -> Path | None:
        rel = normalize(name)
        if rel.startswith("../") or rel == "..":
            raise UnsafePath(f"{name!r} points outside the folder", where=self.label)
        path = self.root / rel
        if not path.exists():
            return None
        real = path.resolve()
        if real != self.root and self.root not in real.parents:
            raise UnsafePath(f"{rel} resolves outside the folder", where=self.label)
        return real if real.is_file() else None

    def size(self, name: str) -> int | None:
        path = self._path(name)
        return path.stat().st_size if path is not None else None

    def read(self, name: str, *, limit: int) -> bytes:
        path = self._path(name)
        if path is None:
            raise MissingBlob(f"{name} is not in the folder", where=self.label)
        try:
            with path.open("rb") as handle:
                data = handle.read(limit + 1)
        except OSError as exc:
            raise CorruptInput(f"cannot read {name}: {exc.strerror}", where=self.label) from None
        if len(data) > limit:
            raise _too_big(name, path.stat().st_size, limit, self.label)
        return data

    def magic(self, name: str) -> bytes:
        path = self._path(name)
        if path is None:
            return b""
        with path.open("rb") as handle:
            return handle.read(MAGIC_BYTES)

    def is_link(self, name: str) -> bool:
        return (self.root / normalize(name)).is_symlink()

    def names(self) -> Iterable[str]:
        found = []
        for dirpath, _dirs, files in os.walk(self.root):
            rel_dir = os.path.relpath(dirpath, self.root)
            for file in files:
                found.append(normalize(f"{rel_dir}/{file}"))
        return found
