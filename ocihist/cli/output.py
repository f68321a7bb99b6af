"""Writing to stdout. A write that fails (a full disk, a closed file) is an OutputError
naming the cause; a reader that left (a closed pipe) stays BrokenPipeError, which ends the
command quietly.

Text is made safe for a terminal here, whatever the renderer: control characters other than
line breaks and tabs (escape sequences, carriage returns, C1 controls, Unicode line
separators) are written escaped (`\\x1b`), and characters the output encoding lacks as
`\\u2603`. Line breaks inside values are the renderers' to escape (analyze/text.py `flat`).
"""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from ocihist.errors import OutputError

_CONTROLS = [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x200E, 0x200F, 0x2028, 0x2029,
             *range(0x202A, 0x202F), *range(0x2066, 0x206A)]  # (with bidi overrides)
_TERMINAL_SAFE = {c: chr(c).encode("unicode_escape").decode() for c in _CONTROLS
                  if c not in (0x09, 0x0A)}


@contextmanager
def writing() -> Iterator[None]:
    """Whatever writes to stdout inside this block: its OSError becomes an OutputError."""
    if sys.stdout is None:
        raise OutputError("cannot write the output: stdout is closed")
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write the output: {exc.strerror or exc}") from None


def write(data: str | bytes) -> None:
    """Write `data` to stdout and flush it, so that a failure is noticed here."""
    with writing():
        _blocking(sys.stdout)
        if isinstance(data, str):
            sys.stdout.flush()  # (what typer may have written first)
            encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
            data = data.translate(_TERMINAL_SAFE).encode(encoding, "backslashreplace")
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:
            buffer.write(data)
        else:  # a text stream put in its place (a caller's io.StringIO)
            sys.stdout.write(data.decode("utf-8", "backslashreplace"))
        sys.stdout.flush()


def error_line(message: str) -> None:
    """`ocihist: MESSAGE` as one line on stderr, everything unprintable in it escaped; nothing
    when stderr is closed or refuses it."""
    line = "".join(c if c.isprintable() else repr(c)[1:-1] for c in f"ocihist: {message}")
    if sys.stderr is not None:
        with suppress(OSError, ValueError):
            sys.stderr.write(line.encode("utf-8", "backslashreplace").decode("utf-8") + "\n")
            sys.stderr.flush()


def flush() -> None:
    """Flush what others (typer's help and usage text) left in stdout's buffer."""
    write(b"")


def _blocking(stream: object) -> None:
    """A stdout handed over in non-blocking mode would take only part of a write."""
    with suppress(AttributeError, OSError, ValueError):  # no descriptor (a test's capture)
        os.set_blocking(stream.fileno(), True)  # type: ignore[attr-defined]
