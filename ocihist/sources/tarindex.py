"""One pass over tar headers: every member's name, size, type, link and first bytes.

On a seekable file member data is skipped with seek and read later on demand; on a
stream (compressed input, stdin) small documents are kept as they pass and the rest is
read through and dropped, so nothing is ever extracted or spooled.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from typing import BinaryIO

from ocihist.errors import CorruptInput, MalformedDocument

BLOCK = 512
MAGIC_BYTES = 8
SKIP_CHUNK = 1 << 20
KEEP_BUDGET = 64 * 1024 * 1024
"""The most bytes of small documents one streamed archive may keep in memory."""
MAX_MEMBERS = 100_000
"""More members than this is not an image archive (real ones hold hundreds)."""

_FILE_TYPES = {b"0", b"\0", b"7", b"S"}


class Member:
    """One tar member. `name` and `link` are normalised (no `./`, no leading `/`).

    `kind` is "file", "dir", "symlink", "hardlink" or "other"; `offset` is where the data
    starts on a seekable file; `magic` holds the first bytes of the data once read, and
    `data` the whole data when it was kept from a stream.
    """

    __slots__ = ("data", "kind", "link", "magic", "name", "offset", "size")

    def __init__(self, name: str, size: int, kind: str, link: str | None = None) -> None:
        self.name = name
        self.size = size
        self.kind = kind
        self.link = link
        self.offset: int | None = None
        self.magic = b""
        self.data: bytes | None = None


def normalize(name: str) -> str:
    """`./a//b/` → `a/b`. `..` is resolved; a path that climbs above the root keeps a
    leading `../` so that callers refuse it."""
    parts: list[str] = []
    climbs = 0
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            else:
                climbs += 1
            continue
        parts.append(part)
    return "/".join([".."] * climbs + parts)


def _octal(field: bytes, where: str) -> int:
    if field and field[0] & 0x80:  # GNU base-256
        value = int.from_bytes(field[1:], "big")
        return -value if field[0] & 0x40 else value
    text = field.split(b"\0", 1)[0].strip(b" \0")
    if not text:
        return 0
    try:
        return int(text, 8)
    except ValueError:
        raise CorruptInput(f"bad numeric field {text[:20]!r} in tar header", where=where) from None


def header_checksum_ok(block: bytes) -> bool:
    """Whether a 512-byte block is a tar header: its stored checksum is its byte sum."""
    try:
        stored = int(block[148:156].split(b"\0", 1)[0].strip(b" \0") or b"0", 8)
    except ValueError:
        return False
    unsigned = sum(block[:148]) + 8 * 32 + sum(block[156:])
    return stored == unsigned


def _pax_records(data: bytes, where: str) -> dict[str, str]:
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        space = data.find(b" ", pos)
        if space < 0:
            break
        try:
            length = int(data[pos:space])
        except ValueError:
            raise CorruptInput("malformed PAX header", where=where) from None
        if length <= 0:
            raise CorruptInput("malformed PAX header", where=where)
        key, _, value = data[space + 1 : pos + length - 1].partition(b"=")
        records[key.decode("utf-8", "replace")] = value.decode("utf-8", "replace")
        pos += length
    return records


KeepRule = Callable[[str, int, bytes], bool]


class TarReader:
    """Walk a tar's headers from `stream`; `seekable` decides how data is skipped."""

    def __init__(self, stream: BinaryIO, *, label: str, seekable: bool,
                 total_size: int | None = None, keep: KeepRule | None = None) -> None:
        self._stream = stream
        self._label = label
        self._seekable = seekable
        self._total = total_size
        self._keep = keep
        self._pos = 0
        self._kept = 0
        self._count = 0
        self.clean_end = True

    def _read_exact(self, n: int) -> bytes:
        data = self._stream.read(n)
        while len(data) < n:
            more = self._stream.read(n - len(data))
            if not more:
                break
            data += more
        self._pos += len(data)
        return data

    def _skip(self, n: int, where: str) -> None:
        if n <= 0:
            return
        if self._seekable:
            if self._total is not None and self._pos + n > self._total:
                raise CorruptInput(f"truncated tar: member data runs {self._pos + n - self._total}"
                                   " bytes past the end of the file", where=where)
            self._stream.seek(n, 1)
            self._pos += n
            return
        discard = getattr(self._stream, "discard", None)  # a stream may pass over cheaper
        while n > 0:
            want = min(n, SKIP_CHUNK)
            count = discard(want) if discard else len(self._stream.read(want))
            if not count:
                raise CorruptInput("truncated tar: the stream ended inside a member", where=where)
            n -= count
            self._pos += count

    def _data(self, size: int, where: str) -> bytes:
        data = self._read_exact(size)
        if len(data) < size:
            raise CorruptInput("truncated tar: the input ended inside a member", where=where)
        self._skip(-size % BLOCK, where)
        return data

    def members(self) -> Iterator[Member]:
        long_name: str | None = None
        long_link: str | None = None
        pax: dict[str, str] = {}
        while True:
            header_at = self._pos
            where = f"{self._label} @{header_at}"
            block = self._read_exact(BLOCK)
            if not block:
                self.clean_end = False  # no end-of-archive blocks (umoci does this): accept
                return
            if len(block) < BLOCK:
                raise CorruptInput("truncated tar: the input ended inside a header", where=where)
            if block == b"\0" * BLOCK:
                return
            if not header_checksum_ok(block):
                raise CorruptInput("corrupt tar: header checksum does not match", where=where)
            typeflag = block[156:157]
            size = _octal(block[124:136], where)
            if size < 0:
                raise CorruptInput("corrupt tar: negative member size", where=where)
            if typeflag in (b"L", b"K", b"x", b"g"):
                if size > MAX_META:
                    raise CorruptInput(f"tar extension header of {size} bytes", where=where)
                data = self._data(size, where)
                if typeflag == b"L":
                    long_name = data.split(b"\0", 1)[0].decode("utf-8", "replace")
                elif typeflag == b"K":
                    long_link = data.split(b"\0", 1)[0].decode("utf-8", "replace")
                elif typeflag == b"x":
                    pax = _pax_records(data, where)
                continue
            name = block[0:100].split(b"\0", 1)[0].decode("utf-8", "replace")
            if block[257:263] == b"ustar\0":
                prefix = block[345:500].split(b"\0", 1)[0].decode("utf-8", "replace")
                if prefix:
                    name = f"{prefix}/{name}"
            link = block[157:257].split(b"\0", 1)[0].decode("utf-8", "replace")
            name = pax.get("path", long_name or name)
            link = pax.get("linkpath", long_link or link)
            if "size" in pax:
                try:
                    size = int(pax["size"])
                except ValueError:
                    raise CorruptInput("malformed PAX size", where=where) from None
                if size < 0:
                    raise CorruptInput("corrupt tar: negative PAX size", where=where)
            long_name = long_link = None
            pax = {}
            self._count += 1
            if self._count > MAX_MEMBERS:
                raise CorruptInput(f"more than {MAX_MEMBERS} members: not an image archive",
                                   where=where)
            yield self._member(name, typeflag, size, link, where)

    def _member(self, raw_name: str, typeflag: bytes, size: int, link: str,
                where: str) -> Member:
        name = normalize(raw_name)
        if typeflag in _FILE_TYPES:
            member = Member(name, size, "file")
        elif typeflag == b"5":
            member = Member(name, 0, "dir")
        elif typeflag == b"2":
            # An absolute target points outside the archive: keep it absolute so it is refused.
            target = link if link.startswith("/") else normalize(
                posixpath.join(posixpath.dirname(name), link))
            member = Member(name, 0, "symlink", link=target)
        elif typeflag == b"1":
            member = Member(name, 0, "hardlink", link=normalize(link))
        else:
            member = Member(name, size, "other")
        data_size = size if typeflag not in (b"1", b"2", b"5") else 0
        if data_size and member.kind == "file":
            if self._seekable:
                member.offset = self._pos
                self._skip(data_size + (-data_size % BLOCK), where)
            else:
                self._stream_data(member, data_size, where)
        else:
            self._skip(data_size + (-data_size % BLOCK), where)
        return member

    def _stream_data(self, member: Member, size: int, where: str) -> None:
        head = self._read_exact(min(size, MAGIC_BYTES))
        if len(head) < min(size, MAGIC_BYTES):
            raise CorruptInput("truncated tar: the input ended inside a member", where=where)
        member.magic = head
        rest = size - len(head)
        if self._keep is not None and self._keep(member.name, size, head):
            if self._kept + size > KEEP_BUDGET:
                raise MalformedDocument("the archive holds more small documents than ocihist "
                                        f"keeps in memory ({KEEP_BUDGET} bytes)", where=where)
            tail = self._read_exact(rest)
            if len(tail) < rest:
                raise CorruptInput("truncated tar: the input ended inside a member", where=where)
            member.data = head + tail
            self._kept += size
            self._skip(-size % BLOCK, where)
        else:
            self._skip(rest + (-size % BLOCK), where)


MAX_META = 1024 * 1024
