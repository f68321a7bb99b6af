"""Mirror image metadata (and optionally layers) from registries into an OCI layout.

Library API: `pull(refs, dest, ...) -> PullResult`. It never prints; progress goes to a callback.
Index entries carry provenance annotations under `io.github.ocihist.source.*`:
`registry` (API base URL), `reference` (as resolved), `digest` (the registry's digest),
`pulled` (UTC time), and `io.github.ocihist.referrer.subject` on referrers.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocihist.errors import OcihistError, RegistryError, UsageError
from ocihist.layout.writer import LayoutWriter
from ocihist.model.descriptor import Platform
from ocihist.model.reference import Reference, parse_reference
from ocihist.registry.entries import PulledRef, provenance

if TYPE_CHECKING:
    from ocihist.registry.mirror import Walker
    from ocihist.registry.session import Session

Progress = Callable[[str, str], None]
"""progress(event, detail): "manifest" / "blob" / "layer" / "done" / "failed"."""


@dataclass(slots=True)
class PullResult:
    dest: str
    pulled: list[PulledRef] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (ref, one-line cause)
    errors: list[OcihistError] = field(default_factory=list)  # the exceptions behind `failed`
    requests: int = 0
    token_requests: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed and not any(p.failures for p in self.pulled)

    def fail(self, ref: str, exc: OcihistError) -> None:
        """Record a failed reference; the cause does not repeat the reference."""
        cause = exc.message if exc.where in (ref, None) else f"{exc.where}: {exc.message}"
        self.failed.append((ref, f"{cause} ({exc.hint})" if exc.hint else cause))
        self.errors.append(exc)

    def to_json(self) -> dict[str, Any]:
        return {"dest": self.dest, "ok": self.ok, "requests": self.requests,
                "token_requests": self.token_requests,
                "pulled": [{k: getattr(p, k) for k in p.__slots__} for p in self.pulled],
                "failed": [{"ref": r, "error": e} for r, e in self.failed]}


def read_ref_file(path: str) -> list[str]:
    """References from a file, one a line; blank lines and `#` comments skipped."""
    try:
        text = Path(path).read_text() if path != "-" else sys.stdin.read()
    except OSError as exc:
        raise UsageError(f"cannot read reference file: {exc.strerror}", where=path) from None
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def pull(refs: Sequence[str | Reference], dest: str | Path, *,
         platforms: Sequence[str | Platform] | None = None, layers: bool = False,
         all_tags: bool = False, username: str | None = None, password: str | None = None,
         insecure: bool = False, ca_cert: str | None = None, referrers: bool = True,
         workers: int = 16, timeout: float = 30.0, retries: int = 4, backoff: float = 0.5,
         max_wait: float = 60.0, progress: Progress | None = None) -> PullResult:
    """Pull every reference into the OCI layout at `dest` (created if needed).

    Input errors raise; a reference or platform that fails is recorded in the result and the
    others continue (`result.ok` is False then).
    """
    from ocihist.registry.mirror import Walker
    from ocihist.registry.session import NetworkOptions, Session

    parsed = [r if isinstance(r, Reference) else parse_reference(r) for r in refs]
    if not parsed:
        raise UsageError("no image reference given")
    try:
        wanted = tuple(p if isinstance(p, Platform) else Platform.parse(p)
                       for p in (platforms or ()))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    writer = LayoutWriter(dest)
    session = Session(NetworkOptions(insecure=insecure, ca_cert=ca_cert, timeout=timeout,
                                     retries=retries, backoff=backoff, max_wait=max_wait,
                                     username=username, password=password))
    result = PullResult(str(dest))
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            walker = Walker(session, writer, pool, wanted, layers=layers,
                            referrers=referrers, progress=progress or _quiet)
            for ref in _expand(parsed, session, all_tags, result, walker):
                try:
                    result.pulled.append(walker.pull_ref(ref))
                except OcihistError as exc:
                    result.fail(str(ref), exc)
                    (progress or _quiet)("failed", str(ref))
    finally:
        result.requests = session.http.requests
        result.token_requests = session.token_requests
        session.close()
    return result


def _expand(refs: Iterable[Reference], session: Session, all_tags: bool,
            result: PullResult, walker: Walker) -> Iterable[Reference]:
    from ocihist.model.mediatypes import digest_tag_target

    for ref in refs:
        if not all_tags:
            yield ref
            continue
        try:
            tags = session.client(ref).list_tags(ref)
        except RegistryError as exc:
            result.fail(ref.name, exc)
            continue
        walker.remember_tags(ref, tags)
        for tag in tags:
            if digest_tag_target(tag) is None:  # not a referrers or cosign tag
                yield ref.with_tag(tag)


def _quiet(event: str, detail: str) -> None:
    return None


__all__ = ["PullResult", "PulledRef", "provenance", "pull",
           "read_ref_file"]
