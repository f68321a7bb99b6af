"""Whole-input compression: recognising it by magic bytes and streaming through it."""

from __future__ import annotations

from typing import BinaryIO

MAGICS = (
    (b"\x1f\x8b", "gzip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"BZh", "bzip2"),
)
READ_SIZE = 1 << 20
XZ_MEMORY_LIMIT = 256 << 20
"""The most memory an xz stream may ask for (its header names a dictionary size); `xz -9`
needs 65 MiB, and a forged header must not make us allocate gigabytes."""


def compression_of(head: bytes) -> str | None:
    """`gzip`, `zstd`, `xz`, `bzip2` from the first bytes, or None for none of them."""
    for magic, name in MAGICS:
        if head.startswith(magic):
            return name
    return None


def decompressing(raw: BinaryIO, kind: str) -> BinaryIO:
    """A reader of `raw` decompressed; libraries are imported only when needed."""
    if kind == "gzip":
        from isal import igzip  # a faster zlib; multi-member streams work

        return igzip.IGzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if kind == "zstd":
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(  # type: ignore[return-value]
            raw, read_size=READ_SIZE, read_across_frames=True)
    if kind == "xz":
        return XzReader(raw)  # type: ignore[return-value]
    if kind == "bzip2":
        import bz2

        return bz2.BZ2File(raw)  # type: ignore[return-value]
    raise ValueError(kind)


class XzReader:
    """Concatenated xz streams, decoded with a memory limit (lzma.LZMAFile has none)."""

    def __init__(self, raw: BinaryIO) -> None:
        import lzma

        self._lzma = lzma
        self._raw = raw
        self._decoder = self._new_decoder()
        self._buffer = b""
        self._done = False

    def _new_decoder(self):  # type: ignore[no-untyped-def]
        return self._lzma.LZMADecompressor(self._lzma.FORMAT_XZ, memlimit=XZ_MEMORY_LIMIT)

    def read(self, n: int = -1) -> bytes:
        want = n if n >= 0 else 1 << 62
        while len(self._buffer) < want and not self._done:
            if self._decoder.eof:
                rest = self._decoder.unused_data
                self._decoder = self._new_decoder()
                if not rest:
                    rest = self._raw.read(READ_SIZE)
                    if not rest:
                        self._done = True
                        break
                self._buffer += self._decoder.decompress(rest, READ_SIZE)
                continue
            chunk = b"" if self._decoder.needs_input is False else self._raw.read(READ_SIZE)
            if self._decoder.needs_input and not chunk:
                raise EOFError("the xz stream ends early")
            try:
                self._buffer += self._decoder.decompress(chunk, READ_SIZE)
            except self._lzma.LZMAError as error:
                if "limit" in str(error).lower():
                    raise ValueError(f"it asks for more than {XZ_MEMORY_LIMIT >> 20} MiB of "
                                     "memory to decode") from None
                raise
        data, self._buffer = self._buffer[:want], self._buffer[want:]
        return data


class CheckedStream:
    """Wraps a decompressor so that its many error types become one CorruptInput."""

    def __init__(self, inner: BinaryIO, *, kind: str, label: str) -> None:
        self._inner = inner
        self._kind = kind
        self._label = label

    def read(self, n: int = -1) -> bytes:
        from ocihist.errors import CorruptInput

        try:
            return self._inner.read(n)
        except EOFError:
            raise CorruptInput(f"truncated {self._kind} stream", where=self._label) from None
        except Exception as exc:  # each library raises its own types
            raise CorruptInput(f"corrupt {self._kind} stream ({exc})",
                               where=self._label) from None
