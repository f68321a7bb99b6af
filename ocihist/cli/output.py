"""Writing to stdout. A write that fails (a full disk, a closed file) is an OutputError
naming the cause; a reader that left (a closed pipe) stays BrokenPipeError, which ends the
command quietly."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from ocihist.errors import OutputError


@contextmanager
def writing() -> Iterator[None]:
    """Whatever writes to stdout inside this block: its OSError becomes an OutputError."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write the output: {exc.strerror or exc}") from None


def write(data: str | bytes) -> None:
    """Write `data` to stdout and flush it, so that a failure is noticed here."""
    with writing():
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
        sys.stdout.flush()


def flush() -> None:
    """Flush what others (typer's help and usage text) left in stdout's buffer."""
    write(b"")
