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
        import lzma

        return lzma.LZMAFile(raw)  # type: ignore[return-value]
    if kind == "bzip2":
        import bz2

        return bz2.BZ2File(raw)  # type: ignore[return-value]
    raise ValueError(kind)


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
