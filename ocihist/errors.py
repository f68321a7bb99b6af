"""The ocihist exception tree. This module imports nothing from ocihist.

    OcihistError
    ├── UsageError              bad options or combinations                  exit 2
    ├── InputError              the input cannot be read as images          exit 2
    │   ├── UnrecognizedInput   no known format
    │   ├── CorruptInput        truncated or damaged tar / stream
    │   ├── MalformedDocument   JSON that is invalid, mis-shaped or too big
    │   ├── MissingBlob         a blob the input refers to is not there
    │   ├── UnsafePath          a member or link escapes the input
    │   └── IntegrityError      digest or size differ from what was declared
    ├── RegistryError           talking to a registry failed                exit 3
    │   ├── AuthError · NotFound · RateLimited · TLSError · ConnectError
    │   └── BadResponse         the registry answered something unusable
    ├── LayoutError             the destination cannot be written           exit 4
    └── OutputError             the result cannot be written to stdout      exit 1
"""

from __future__ import annotations


class OcihistError(Exception):
    """Root of every error ocihist raises on purpose."""

    code = "ocihist-error"
    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text} ({self.hint})" if self.hint else text


class UsageError(OcihistError):
    code = "usage"


class InputError(OcihistError):
    code = "input"


class UnrecognizedInput(InputError):
    code = "unrecognized-input"


class CorruptInput(InputError):
    code = "corrupt-input"


class MalformedDocument(InputError):
    code = "malformed-document"


class MissingBlob(InputError):
    code = "missing-blob"


class UnsafePath(InputError):
    code = "unsafe-path"


class IntegrityError(InputError):
    code = "integrity"


class RegistryError(OcihistError):
    """A registry request failed; `status` and `retryable` say how."""

    code = "registry"
    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        hint: str | None = None,
        status: int | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message, where=where, hint=hint)
        self.status = status
        self.retryable = retryable


class AuthError(RegistryError):
    code = "registry-auth"


class NotFound(RegistryError):
    code = "registry-not-found"


class RateLimited(RegistryError):
    code = "registry-rate-limited"


class TLSError(RegistryError):
    code = "registry-tls"


class ConnectError(RegistryError):
    code = "registry-connect"


class BadResponse(RegistryError):
    code = "registry-bad-response"


class LayoutError(OcihistError):
    code = "layout"
    exit_code = 4


class OutputError(OcihistError):
    """stdout refused the result (a full disk, a closed file): the work was done, its result
    is lost."""

    code = "output"
    exit_code = 1
