"""History ↔ layer alignment: which build step made which layer.

Each history entry without `empty_layer: true` takes the next layer, in order. Emptiness
is never inferred from a size. Mismatches become findings; every layer is still listed.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from ocihist.model.config import HistoryEntry
from ocihist.model.findings import Finding
from ocihist.model.image import Image, Layer

ZERO_TIME_PREFIX = "0001-01-01"
EPOCH_PREFIXES = ("1970-01-01T00:00:00", "1980-01-01T00:00:00")


class Step(NamedTuple):
    index: int
    entry: HistoryEntry
    layer: Layer | None


class Alignment(NamedTuple):
    steps: tuple[Step, ...]
    unattributed: tuple[Layer, ...]
    findings: tuple[Finding, ...]


class Peers:
    """The images of one input, indexed once so that each image finds at once the image it
    extends (whose history and layers both begin its own), and each alignment is made once.

    Histories are kept in a trie, so finding the images whose whole history begins another's
    costs one walk down that history, however many images there are."""

    MAX_CANDIDATES = 32
    """Images whose history is a prefix of one image's that are checked for its layers."""

    def __init__(self, images: Sequence[Image]) -> None:
        self._trie: dict[object, dict] = {}  # HistoryEntry -> child; _ENDS -> images
        for image in images:
            if image.history:
                node = self._trie
                for entry in image.history:
                    node = node.setdefault(entry, {})
                node.setdefault(_ENDS, []).append(image)
        self._extended: dict[int, Image | None] = {}
        self._alignments: dict[int, Alignment] = {}

    def extended(self, image: Image) -> Image | None:
        """The image with the longest history that is a proper prefix of this image's, whose
        layers are also the first layers of this image."""
        if id(image) not in self._extended:
            self._extended[id(image)] = self._find_extended(image)
        return self._extended[id(image)]

    def _find_extended(self, image: Image) -> Image | None:
        ends: list[list[Image]] = []
        node: dict | None = self._trie
        for entry in (image.history or ())[:-1]:  # proper prefixes only
            node = node.get(entry) if node is not None else None
            if node is None:
                break
            if _ENDS in node:
                ends.append(node[_ENDS])
        digests = [layer.digest or layer.diff_id for layer in image.layers]
        candidates = [other for group in reversed(ends) for other in group]
        for other in candidates[: self.MAX_CANDIDATES]:
            theirs = [layer.digest or layer.diff_id for layer in other.layers]
            made = sum(1 for entry in other.history or () if not entry.empty_layer)
            # (a peer whose steps claim more layers than it has would pass its gap on)
            if None not in theirs and theirs == digests[: len(theirs)] and made <= len(theirs):
                return other
        return None

    def alignment(self, image: Image) -> Alignment:
        """The image's alignment; the images it extends are aligned first, bottom up (a chain
        of images each extending the next is walked, not recursed)."""
        chain: list[Image] = []
        current: Image | None = image
        while current is not None and id(current) not in self._alignments:
            chain.append(current)
            current = self.extended(current)
        for pending in reversed(chain):
            self._alignments[id(pending)] = align(pending, self)
        return self._alignments[id(image)]


_ENDS = object()
"""The trie key under which the images whose history ends at a node are listed."""


def align(image: Image, peers: Peers | None = None) -> Alignment:
    """Pair each history step with the layer it made.

    When another image in the same input (`peers`) has a history and layers that both begin
    this image's, its pairing is reused for that shared part: a layer without a history step
    in the shared base then stays where it is instead of shifting every later pair.
    """
    findings: list[Finding] = []
    history = image.history or ()
    config_unknown = image.config is None and (
        image.manifest_digest is not None or any(f.severity == "error" for f in image.findings))
    if image.history is None and not image.missing and not config_unknown:
        # (an absent or unreadable config is reported where it was noticed, not as "no
        # history": the history is unknown, not empty)
        findings.append(Finding("no-history", "the image records no history", image.where))
    steps: list[Step] = []
    unattributed: list[Layer] = []
    start_step = start_layer = 0
    peer = peers.extended(image) if peers is not None else None
    if peer is not None and peers is not None:
        shared = peers.alignment(peer)
        steps, unattributed = list(shared.steps), list(shared.unattributed)
        start_step, start_layer = len(peer.history or ()), len(peer.layers)
        # The peer's layers are this image's first layers: take this image's own records.
        steps = [Step(s.index, s.entry, image.layers[s.layer.index] if s.layer else None)
                 for s in steps]
        unattributed = [image.layers[layer.index] for layer in unattributed]
        if shared.unattributed:
            findings.append(Finding("aligned-with-peer", f"steps 0-{start_step - 1} are paired "
                                    f"as in {peer.ref or peer.where}, whose history and layers "
                                    "this image begins with", image.where, "info"))
    layers = list(image.layers[start_layer:])
    next_layer = 0
    short_steps = []
    for i, entry in enumerate(history[start_step:], start=start_step):
        if entry.empty_layer:
            steps.append(Step(i, entry, None))
        elif next_layer < len(layers):
            steps.append(Step(i, entry, layers[next_layer]))
            next_layer += 1
        else:
            steps.append(Step(i, entry, None))
            short_steps.append(i)
    leftover = layers[next_layer:]
    unattributed += leftover
    if short_steps:
        findings.append(Finding("history-longer", f"{len(short_steps)} history step(s) "
                                "record a layer but the image has no layer left for them "
                                f"(steps {', '.join(map(str, short_steps))}); {_BY_ORDER}",
                                image.where))
    if unattributed and image.history is not None:
        how = _BY_ORDER if leftover or peer is None else (
            f"placed as in {peer.ref or peer.where}, which this image extends")
        findings.append(Finding("history-shorter", f"{len(unattributed)} layer(s) have no "
                                f"history step (listed as unattributed); {how}", image.where))
    invalid = [str(i) for i, entry in enumerate(history) if time_kind(entry.created) == "invalid"]
    if invalid:
        findings.append(Finding("created-invalid", f"{len(invalid)} history step(s) have a "
                                f"created value that is not an ISO 8601 time (steps "
                                f"{', '.join(invalid[:20])}); shown as recorded", image.where))
    if time_kind(image.created) == "invalid":
        findings.append(Finding("created-invalid", "the image's created value is not an ISO 8601 "
                                "time; shown as recorded", image.where))
    diff_ids = image.config.diff_ids if image.config is not None else None
    if diff_ids is not None and len(diff_ids) != len(image.layers):
        findings.append(Finding("diff-ids-mismatch", f"config lists {len(diff_ids)} diff_ids "
                                f"but the manifest {len(image.layers)} layers", image.where))
    return Alignment(tuple(steps), tuple(unattributed), tuple(findings))


_BY_ORDER = ("layers are paired with steps in order, so pairs after the gap may be off by one "
             "(the image does not say where the gap is)")


def time_kind(created: str | None) -> str:
    """`absent`, `zero` (0001-01-01), `epoch` (1970/1980 reproducible-build stamps), `date`,
    or `invalid` (not an ISO 8601 time, which RFC 3339 times are)."""
    if not created:
        return "absent"
    try:
        datetime.fromisoformat(created)  # (datetime is loaded anyway: orjson imports it)
    except ValueError:
        return "invalid"
    if created.startswith(ZERO_TIME_PREFIX):
        return "zero"
    if created.startswith(EPOCH_PREFIXES):
        return "epoch"
    return "date"
