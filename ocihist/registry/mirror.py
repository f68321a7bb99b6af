"""Walks one reference's tree (index → manifests → configs, attestations, referrers) into a layout.

Children are fetched level by level on a thread pool; discovery (tag list, referrers probe)
runs beside the first level. The index entry is written last, so it never names missing blobs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ocihist.errors import BadResponse, OcihistError, RegistryError
from ocihist.model import mediatypes as mt
from ocihist.model.descriptor import Descriptor, Platform
from ocihist.model.digest import Digest
from ocihist.model.manifest import ImageManifest, Index, Schema1Manifest
from ocihist.model.mediatypes import COSIGN_TAG_SUFFIXES, digest_tag
from ocihist.model.parse import JSON_LIMIT, json_object, parse_manifest, sniff_media_type
from ocihist.model.reference import Reference
from ocihist.registry.client import MANIFEST_LIMIT, Fetched, RegistryClient
from ocihist.registry.entries import PulledRef, entry, provenance
from ocihist.registry.session import Session

if TYPE_CHECKING:
    from ocihist.layout.writer import LayoutWriter

ARTIFACT_BLOB_LIMIT = 4 * 1024 * 1024
MAX_DEPTH = 4
MAX_REFERRER_DEPTH = 4
"""Referrers of referrers are followed this many levels down (a signature on an SBOM is 2)."""


@dataclass(frozen=True, slots=True)
class _Node:
    fetched: Fetched
    label: str  # platform or short digest, for messages
    artifact: bool


class Walker:
    """Pulls references through one session into one layout writer."""

    def __init__(self, session: Session, writer: LayoutWriter, pool: Executor,
                 platforms: tuple[Platform, ...], *, layers: bool, referrers: bool,
                 progress: Callable[[str, str], None]) -> None:
        self.session, self.writer, self.pool = session, writer, pool
        self.platforms, self.layers, self.referrers = platforms, layers, referrers
        self.progress = progress
        self._tags: dict[str, list[str]] = {}
        self._api: dict[str, bool] = {}
        self._lock = threading.Lock()

    def pull_ref(self, ref: Reference) -> PulledRef:
        client = self.session.client(ref)
        try:
            head_digest = client.head_manifest(ref)[0]
        except BadResponse as exc:  # a registry that refuses HEAD: the GET is checked anyway
            if exc.status not in (405, 501):
                raise
            head_digest = None
        target = ref.digest or head_digest
        top = self._manifest(client, ref, target, str(target) if target else ref.identifier)
        out = PulledRef(str(ref), str(top.registry_digest), top.media_type)
        tags = self.pool.submit(self._tag_list, client, ref) if self.referrers else None
        probe = self.pool.submit(self._probe, client, ref, top.registry_digest)
        subjects = [top.registry_digest]
        subjects += self._walk(client, ref, [_Node(top, "", False)], out)
        main = entry(top.media_type, top.digest, len(top.raw),
                     provenance(ref, client.url, top.registry_digest))
        found = self._discover(client, ref, subjects, self._result(tags, out, []),
                               self._result(probe, out, None), out)
        self.writer.add_entries([main, *found])
        self.progress("done", str(ref))
        return out

    # -- fetching -------------------------------------------------------------------------------

    def _manifest(self, client: RegistryClient, ref: Reference, digest: Digest | None,
                  identifier: str) -> Fetched:
        """A verified manifest: from the layout when it already holds it, else from the registry."""
        if digest is not None:
            raw = self.writer.read_blob(digest, MANIFEST_LIMIT)
            if raw is not None:
                kind = sniff_media_type(json_object(raw, where=str(digest))) or mt.OCI_MANIFEST
                return Fetched(raw, kind, digest, digest)
        fetched = client.get_manifest(ref, identifier, expected=digest)
        self.writer.put_blob(fetched.raw, fetched.digest)
        self.progress("manifest", fetched.registry_digest.short)
        return fetched

    def _blob(self, client: RegistryClient, ref: Reference, desc: Descriptor) -> int:
        """Store a small blob unless an intact copy exists; 1 if fetched."""
        if self.writer.has_blob(desc.digest, desc.size):
            return 0
        data = client.get_blob(ref, desc.digest, desc.size, limit=JSON_LIMIT)
        self.writer.put_blob(data, desc.digest, desc.size)
        self.progress("blob", desc.digest.short)
        return 1

    def _layer(self, client: RegistryClient, ref: Reference, desc: Descriptor) -> int:
        with self.writer.partial(desc.digest, desc.size) as part:
            if part is None:
                return 0
            client.download(ref, desc.digest, part)
        self.progress("layer", desc.digest.short)
        return 1

    # -- walking ----------------------------------------------------------------------------------

    def _walk(self, client: RegistryClient, ref: Reference, level: list[_Node],
              out: PulledRef) -> list[Digest]:
        """Fetch the tree under `level`; returns the digests of every child manifest.

        Each pool task fetches one manifest and then at once its small blobs (config,
        attestation statements), so configs do not wait for the slowest sibling.
        """
        claimed: set[Digest] = set()
        layers: dict[Digest, Descriptor] = {}
        seen: set[Digest] = set()
        children: list[Digest] = []
        pending: list[tuple[Descriptor, str, bool]] = []
        for node in level:
            pending += self._expand_fetch(client, ref, node, out, claimed, layers)
        for _ in range(MAX_DEPTH):
            pending = [w for w in pending if w[0].digest not in seen]
            seen.update(w[0].digest for w in pending)
            if not pending:
                break
            results = list(self.pool.map(lambda w: self._try(
                self._child, client, ref, w, out, claimed, layers), pending))
            grandchildren: list[tuple[Descriptor, str, bool]] = []
            for (desc, label, artifact), result in zip(pending, results, strict=True):
                if isinstance(result, OcihistError):
                    self._fail(out, f"{label}: {result}")
                    continue
                children.append(desc.digest)
                out.manifests += 1
                if desc.platform is not None and not artifact:
                    out.platforms.append(str(desc.platform))
                grandchildren += result
            pending = grandchildren
        results = list(self.pool.map(lambda d: self._try(self._layer, client, ref, d),
                                     layers.values()))
        for desc, result in zip(layers.values(), results, strict=True):
            if isinstance(result, OcihistError):
                self._fail(out, f"layer {desc.digest.short}: {result}")
            else:
                out.layers += result
        return children

    def _child(self, client: RegistryClient, ref: Reference, wanted: tuple[Descriptor, str, bool],
               out: PulledRef, claimed: set[Digest],
               layers: dict[Digest, Descriptor]) -> list[tuple[Descriptor, str, bool]]:
        desc, label, artifact = wanted
        fetched = self._manifest(client, ref, desc.digest, str(desc.digest))
        return self._expand_fetch(client, ref, _Node(fetched, label, artifact), out, claimed,
                                  layers)

    def _expand_fetch(self, client: RegistryClient, ref: Reference, node: _Node, out: PulledRef,
                      claimed: set[Digest], layers: dict[Digest, Descriptor]
                      ) -> list[tuple[Descriptor, str, bool]]:
        """Classify a manifest's references, fetch its small blobs now, queue its layers."""
        wanted: list[tuple[Descriptor, str, bool]] = []
        small: dict[Digest, Descriptor] = {}
        mine: dict[Digest, Descriptor] = {}
        self._expand(node, out, wanted, small, mine, where=str(ref))
        with self._lock:
            small = {d: v for d, v in small.items() if d not in claimed}
            claimed.update(small)
            for digest, desc in mine.items():
                layers.setdefault(digest, desc)
        for desc in small.values():
            result = self._try(self._blob, client, ref, desc)
            if isinstance(result, OcihistError):
                self._fail(out, f"blob {desc.digest.short}: {result}")
            else:
                with self._lock:
                    out.blobs += result
        return wanted

    def _fail(self, out: PulledRef, message: str) -> None:
        with self._lock:
            out.failures.append(message)

    def _expand(self, node: _Node, out: PulledRef, wanted: list[tuple[Descriptor, str, bool]],
                small: dict[Digest, Descriptor], layers: dict[Digest, Descriptor], *,
                where: str) -> None:
        """Classify what a manifest points at: child manifests, small blobs, layers."""
        manifest = parse_manifest(node.fetched.raw, where=where, digest=node.fetched.digest)
        if isinstance(manifest, Index):
            wanted.extend(self._select(manifest, node.artifact, out))
        elif isinstance(manifest, ImageManifest):
            artifact = node.artifact or not mt.is_image_config(manifest.config.media_type)
            small[manifest.config.digest] = manifest.config
            for layer in manifest.layers:
                if artifact and (layer.size or 0) <= ARTIFACT_BLOB_LIMIT:
                    small[layer.digest] = layer
                elif self.layers and not mt.is_nondistributable(layer.media_type):
                    layers[layer.digest] = layer
        elif isinstance(manifest, Schema1Manifest) and self.layers:
            for s1 in manifest.layers:
                layers.setdefault(s1.blob_sum, Descriptor(None, s1.blob_sum, None))

    def _select(self, index: Index, artifact: bool,
                out: PulledRef) -> list[tuple[Descriptor, str, bool]]:
        """The children of an index to fetch: chosen platforms plus their attestations."""
        attest = [d for d in index.manifests
                  if d.annotation(mt.ANNOTATION_REFERENCE_TYPE) == mt.REFERENCE_TYPE_ATTESTATION]
        normal = [d for d in index.manifests if d not in attest]
        if self.platforms and not artifact:
            chosen = [d for d in normal if d.platform is None
                      or any(d.platform.matches(p) for p in self.platforms)]
            if not chosen:
                out.failures.append("no manifest matches --platform "
                                    + ",".join(str(p) for p in self.platforms))
        else:
            chosen = normal
        names = {str(d.digest) for d in chosen}
        chosen += [d for d in attest if d.annotation(mt.ANNOTATION_REFERENCE_DIGEST) in names]
        return [(d, str(d.platform) if d.platform else d.digest.short,
                 artifact or d in attest) for d in chosen]

    def _result(self, future: Future[Any] | None, out: PulledRef, default: Any) -> Any:
        """A discovery task's result; its failure is noted, the pull goes on."""
        if future is None:
            return default
        try:
            return future.result()
        except OcihistError as exc:
            self._fail(out, f"discovery: {exc}")
            return default

    @staticmethod
    def _try(func: Callable[..., Any], *args: Any) -> Any:
        try:
            return func(*args)
        except OcihistError as exc:
            return exc

    # -- discovery ------------------------------------------------------------------------------

    def remember_tags(self, ref: Reference, tags: list[str]) -> None:
        """Reuse a listing made for --all-tags for discovery."""
        with self._lock:
            self._tags[ref.name] = list(tags)

    def _tag_list(self, client: RegistryClient, ref: Reference) -> list[str]:
        """One tag listing per repository (cosign and fallback tags are found in it)."""
        with self._lock:
            tags = self._tags.get(ref.name)
        if tags is None:
            try:
                tags = client.list_tags(ref)
            except RegistryError:
                tags = []  # listing denied or absent: no tag-based discovery
            with self._lock:
                self._tags[ref.name] = tags
        return tags

    def _probe(self, client: RegistryClient, ref: Reference,
               top: Digest) -> tuple[Descriptor, ...] | None:
        """The referrers of `top`; a 404 marks the API absent for this registry."""
        if not self.referrers or not self._api.get(ref.registry, True):
            return None
        found = client.referrers(ref, top)
        with self._lock:
            self._api[ref.registry] = found is not None
        return found

    def _discover(self, client: RegistryClient, ref: Reference, subjects: list[Digest],
                  tags: list[str], first: tuple[Descriptor, ...] | None,
                  out: PulledRef) -> list[dict[str, Any]]:
        """Referrers (API or fallback tag) and cosign tags of every digest pulled, then of
        every referrer pulled (a signature on an SBOM), up to MAX_REFERRER_DEPTH levels."""
        if not self.referrers:
            return []
        api = bool(self._api.get(ref.registry))
        suffixes = COSIGN_TAG_SUFFIXES if api else ("", *COSIGN_TAG_SUFFIXES)
        tagset = set(tags)
        known = {subjects[0]: first} if api else {}
        visited: set[Digest] = set()
        entries: list[dict[str, Any]] = []
        level = subjects
        for _ in range(MAX_REFERRER_DEPTH):
            level = [d for d in dict.fromkeys(level) if d not in visited]
            if not level:
                break
            visited.update(level)
            pulled: list[Digest] = []
            if api:
                lists = list(self.pool.map(
                    lambda d: known[d] if d in known else self._try(client.referrers, ref, d),
                    level))
                for subject, found in zip(level, lists, strict=True):
                    if isinstance(found, OcihistError):
                        self._fail(out, f"referrers of {subject.short}: {found}")
                        continue
                    for desc in found or ():
                        notes = provenance(ref.with_digest(desc.digest), client.url,
                                           desc.digest, named=False)
                        entries += self._artifact(client, ref, desc.digest, str(desc.digest),
                                                  subject, notes, out, pulled)
            for subject in level:
                for tag in (digest_tag(subject, s) for s in suffixes):
                    if tag in tagset:
                        entries += self._artifact(client, ref.with_tag(tag), None, tag,
                                                  subject, None, out, pulled)
            level = pulled
        return entries

    def _artifact(self, client: RegistryClient, ref: Reference, digest: Digest | None,
                  identifier: str, subject: Digest, notes: dict[str, str] | None,
                  out: PulledRef, pulled: list[Digest]) -> list[dict[str, Any]]:
        """Fetch one referrer or signature tag with its small blobs; its index entry.
        The digests of the manifests fetched are added to `pulled`."""
        fetched = self._try(self._manifest, client, ref, digest, identifier)
        if isinstance(fetched, OcihistError):
            self._fail(out, f"{identifier}: {fetched}")
            return []
        children = self._walk(client, ref, [_Node(fetched, identifier, True)], out)
        pulled += [fetched.registry_digest, *children]
        out.referrers += 1
        notes = notes or provenance(ref, client.url, fetched.registry_digest)
        notes[mt.ANNOTATION_REFERRER_SUBJECT] = str(subject)
        return [entry(fetched.media_type, fetched.digest, len(fetched.raw), notes)]
