"""Whole-input compression: recognising it by magic bytes and streaming through it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

MAGICS = (
    (b"\x1f\x8b", "gzip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"BZh", "bzip2"),
)
READ_SIZE = 1 << 20
READ_AHEAD_CHUNKS = 4
"""How many READ_SIZE chunks the read-ahead thread may hold while the decoder catches up."""
XZ_MEMORY_LIMIT = 256 << 20
"""The most memory an xz stream may ask for (its header names a dictionary size); `xz -9`
needs 65 MiB, and a forged header must not make us allocate gigabytes."""


def compression_of(head: bytes) -> str | None:
    """`gzip`, `zstd`, `xz`, `bzip2` from the first bytes, or None for none of them."""
    for magic, name in MAGICS:
        if head.startswith(magic):
            return name
    if is_zstd_skippable(head[:4]):  # zstd that opens with a skippable frame (pzstd does)
        return "zstd"
    return None


def is_zstd_skippable(magic: bytes) -> bool:
    """The magic number of a zstd skippable frame: 0x184D2A50 to 0x184D2A5F, little-endian."""
    return len(magic) == 4 and magic[1:] == b"\x2a\x4d\x18" and magic[0] & 0xF0 == 0x50


@contextmanager
def decoded(raw: BinaryIO, kind: str, *, label: str, regular_file: bool
            ) -> Iterator[CheckedStream]:
    """`raw` decompressed, every decoding error a CorruptInput naming `label`.

    zstd decodes about as fast as a file is read, so a regular file's bytes are read ahead in
    a thread (about 25% faster on a big archive). Pipes are not: a stalled writer must not
    leave a thread stuck in a read that Ctrl-C cannot end. isal reads well on its own."""
    if kind == "zstd" and regular_file:
        with ReadAhead(raw) as ahead:
            yield CheckedStream(decompressing(ahead, kind), kind=kind,  # type: ignore[arg-type]
                                label=label)
    else:
        yield CheckedStream(decompressing(raw, kind), kind=kind, label=label)


def decompressing(raw: BinaryIO, kind: str) -> BinaryIO:
    """A reader of `raw` decompressed; libraries are imported only when needed."""
    if kind == "gzip":
        from isal import igzip  # a faster zlib; multi-member streams work

        return igzip.IGzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if kind == "zstd":
        import zstandard

        frames = ZstdFrames(raw)
        return _ZstdReader(zstandard.ZstdDecompressor().stream_reader(
            frames, read_size=READ_SIZE, read_across_frames=True), frames)
    if kind in ("xz", "bzip2"):
        return ConcatenatedStreams(raw, kind)  # type: ignore[return-value]
    raise ValueError(kind)


class ZstdFrames:
    """Passes the raw bytes of a zstd stream through while following its frame and block
    headers (no decoding), so that a stream cut short is noticed: the zstandard reader
    ends quietly in that case."""

    _MAGIC = b"\x28\xb5\x2f\xfd"

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._pending = b""  # the start of a header cut by the end of the last read
        self._data: bytes | memoryview = b""  # the bytes being parsed, from _pos on
        self._skip = 0  # block bytes still to pass over
        self._pos = 0
        self._state = "magic"
        self._checksum = False

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        self._feed(data)
        return data

    def readinto(self, target: bytearray | memoryview) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    @property
    def complete(self) -> bool:
        """True when the bytes so far end exactly between frames."""
        return self._state == "magic" and not self._pending and not self._skip

    def _feed(self, data: bytes) -> None:
        if self._skip >= len(data):  # inside a block: the common case, nothing to parse
            self._skip -= len(data)
            return
        view = memoryview(data)[self._skip:]
        self._data = (self._pending + bytes(view)) if self._pending else view
        self._skip = self._pos = 0
        while not self._skip and self._step():
            pass
        self._pending = bytes(self._data[self._pos:]) if not self._skip else b""
        self._data = b""  # let the read's buffer go now: holding it costs fresh pages

    def _take(self, n: int) -> bytes | None:
        if len(self._data) - self._pos < n:
            return None
        head = bytes(self._data[self._pos : self._pos + n])
        self._pos += n
        return head

    def _pass_over(self, n: int) -> None:
        taken = min(n, len(self._data) - self._pos)
        self._pos += taken
        self._skip = n - taken

    def _step(self) -> bool:
        """Consume one header (or skip) from the buffer; False when more bytes are needed."""
        if self._state == "magic":
            magic = self._take(4)
            if magic is None:
                return False
            if is_zstd_skippable(magic):
                self._state = "skippable"
            elif magic == self._MAGIC:
                self._state = "frame"
            else:
                raise ValueError("not a zstd frame")
            return True
        if self._state == "skippable":
            size = self._take(4)
            if size is None:
                return False
            self._pass_over(int.from_bytes(size, "little"))
            self._state = "magic"
            return True
        if self._state == "frame":
            if self._pos >= len(self._data):
                return False
            fhd = self._data[self._pos]
            single = (fhd >> 5) & 1
            fcs = (0, 2, 4, 8)[fhd >> 6] or single
            size = 1 + (0 if single else 1) + (0, 1, 2, 4)[fhd & 3] + fcs
            if self._take(size) is None:
                return False
            self._checksum = bool((fhd >> 2) & 1)
            self._state = "block"
            return True
        if self._state == "block":
            header = self._take(3)
            if header is None:
                return False
            value = int.from_bytes(header, "little")
            kind, size = (value >> 1) & 3, value >> 3
            if kind == 3:
                raise ValueError("reserved zstd block type")
            self._pass_over(1 if kind == 1 else size)
            if value & 1:  # the last block of the frame
                self._state = "checksum" if self._checksum else "magic"
            return True
        if self._take(4) is None:  # the frame's checksum
            return False
        self._state = "magic"
        return True


class _ZstdReader:
    """zstd decoding that fails, rather than ends, when the stream is cut short."""

    def __init__(self, inner: BinaryIO, frames: ZstdFrames) -> None:
        self._inner = inner
        self._frames = frames

    def read(self, n: int = -1) -> bytes:
        data = self._inner.read(n)
        if not data and n != 0 and not self._frames.complete:
            raise EOFError("the zstd stream ends inside a frame")
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:
        count = self._inner.readinto(buffer)  # type: ignore[attr-defined]
        if not count and len(buffer) and not self._frames.complete:
            raise EOFError("the zstd stream ends inside a frame")
        return count


class ConcatenatedStreams:
    """xz or bzip2 input: streams one after another, each decoded in bounded steps (xz with
    a memory limit, which lzma.LZMAFile lacks). Whatever follows a stream must be another
    stream (for xz, after NUL padding in fours): trailing garbage is an error, as it is for
    gzip and zstd (bz2.BZ2File would pass over it silently)."""

    def __init__(self, raw: BinaryIO, kind: str) -> None:
        self._raw = raw
        self._kind = kind
        self._decoder = self._new_decoder()
        self._buffer = b""
        self._done = False

    def _new_decoder(self):  # type: ignore[no-untyped-def]
        if self._kind == "xz":
            import lzma

            return lzma.LZMADecompressor(lzma.FORMAT_XZ, memlimit=XZ_MEMORY_LIMIT)
        import bz2

        return bz2.BZ2Decompressor()

    def _next_stream(self, rest: bytes) -> bytes:
        """The start of the next stream after `rest` (past xz's stream padding: NUL bytes,
        a multiple of four); b"" at the end of the input."""
        padding = 0
        while True:
            start = rest.lstrip(b"\0") if self._kind == "xz" else rest
            padding += len(rest) - len(start)
            if start:
                break
            rest = self._raw.read(READ_SIZE)
            if not rest:
                break
        if padding % 4:
            raise ValueError(f"{padding} bytes of stream padding (xz wants a multiple of 4)")
        return start

    def read(self, n: int = -1) -> bytes:
        want = n if n >= 0 else 1 << 62
        while len(self._buffer) < want and not self._done:
            if self._decoder.eof:
                rest = self._next_stream(self._decoder.unused_data)
                self._decoder = self._new_decoder()
                if not rest:
                    self._done = True
                    break
                self._buffer += self._decode(rest)
                continue
            chunk = b"" if self._decoder.needs_input is False else self._raw.read(READ_SIZE)
            if self._decoder.needs_input and not chunk:
                raise EOFError(f"the {self._kind} stream ends early")
            self._buffer += self._decode(chunk)
        data, self._buffer = self._buffer[:want], self._buffer[want:]
        return data

    def _decode(self, chunk: bytes) -> bytes:
        try:
            return self._decoder.decompress(chunk, READ_SIZE)  # type: ignore[no-any-return]
        except Exception as error:
            if self._kind == "xz" and "limit" in str(error).lower():
                raise ValueError(f"it asks for more than {XZ_MEMORY_LIMIT >> 20} MiB of "
                                 "memory to decode") from None
            raise


class CheckedStream:
    """Wraps a decompressor so that its many error types become one CorruptInput."""

    def __init__(self, inner: BinaryIO, *, kind: str, label: str) -> None:
        self._inner = inner
        self._kind = kind
        self._label = label
        self._spare = memoryview(b"")

    def read(self, n: int = -1) -> bytes:
        try:
            return self._inner.read(n)
        except Exception as exc:  # each library raises its own types
            raise self._error(exc) from None

    def discard(self, n: int) -> int:
        """Decode and drop up to `n` bytes; how many there were (0 at the end).

        zstandard decodes into one reused buffer, so passing over a layer allocates nothing;
        the other decoders are fastest through their own read."""
        try:
            if isinstance(self._inner, _ZstdReader):
                if len(self._spare) < n:
                    self._spare = memoryview(bytearray(n))
                return self._inner.readinto(self._spare[:n])
            return len(self._inner.read(n))
        except Exception as exc:
            raise self._error(exc) from None

    def _error(self, exc: Exception) -> Exception:
        from ocihist.errors import CorruptInput

        if isinstance(exc, CorruptInput):
            return exc
        if isinstance(exc, EOFError):
            return CorruptInput(f"truncated {self._kind} stream", where=self._label)
        return CorruptInput(f"corrupt {self._kind} stream ({exc})", where=self._label)


class ReadAhead:
    """Reads `raw` in a background thread, a few chunks ahead of the decoder, so that
    reading the input and decoding it overlap (each alone takes about as long on a big
    archive). Use as a context manager: leaving it stops the thread. (`queue` is imported
    here, not with the module: only compressed files need it.)"""

    def __init__(self, raw: BinaryIO, chunk: int = READ_SIZE) -> None:
        import queue

        self._chunks: queue.Queue[bytes | BaseException] = queue.Queue(READ_AHEAD_CHUNKS)
        self._stop = threading.Event()
        self._current = b""
        self._offset = 0
        self._ended = False
        self._thread = threading.Thread(target=self._fill, args=(raw, chunk), daemon=True,
                                        name="ocihist-read-ahead")
        self._thread.start()

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _fill(self, raw: BinaryIO, chunk: int) -> None:
        try:
            while not self._stop.is_set():
                data = raw.read(chunk)
                self._hand_over(data)
                if not data:
                    return
        except BaseException as exc:
            self._hand_over(exc)

    def _hand_over(self, item: bytes | BaseException) -> None:
        import queue

        while not self._stop.is_set():
            try:
                self._chunks.put(item, timeout=0.05)
                return
            except queue.Full:
                continue

    def read(self, n: int = -1) -> bytes:
        if n < 0:
            parts = []
            while part := self.read(READ_SIZE):
                parts.append(part)
            return b"".join(parts)
        if self._offset >= len(self._current):
            if self._ended or n == 0:
                return b""
            item = self._chunks.get()
            if isinstance(item, BaseException):
                self._ended = True
                raise item
            if not item:
                self._ended = True
                return b""
            self._current, self._offset = item, 0
        start = self._offset
        self._offset = min(start + n, len(self._current))
        if start == 0 and self._offset == len(self._current):
            return self._current  # the whole chunk: no copy
        return self._current[start : self._offset]
