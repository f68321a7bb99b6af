"""History ↔ layer alignment: which build step made which layer.

Each history entry without `empty_layer: true` takes the next layer, in order. Emptiness
is never inferred from a size. Mismatches become findings; every layer is still listed.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def align(image: Image, peers: Sequence[Image] = ()) -> Alignment:
    """Pair each history step with the layer it made.

    When another image in the same input (`peers`) has a history and layers that both begin
    this image's, its pairing is reused for that shared part: a layer without a history step
    in the shared base then stays where it is instead of shifting every later pair.
    """
    findings: list[Finding] = []
    history = image.history or ()
    config_absent = image.config is None and image.manifest_digest is not None
    if image.history is None and not image.missing and not config_absent:
        # (an absent config is reported where it was noticed, not as "no history")
        findings.append(Finding("no-history", "the image records no history", image.where))
    steps: list[Step] = []
    unattributed: list[Layer] = []
    start_step = start_layer = 0
    peer = prefix_peer(image, peers)
    if peer is not None:
        shared = align(peer, peers)
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
    diff_ids = image.config.diff_ids if image.config is not None else None
    if diff_ids is not None and len(diff_ids) != len(image.layers):
        findings.append(Finding("diff-ids-mismatch", f"config lists {len(diff_ids)} diff_ids "
                                f"but the manifest {len(image.layers)} layers", image.where))
    return Alignment(tuple(steps), tuple(unattributed), tuple(findings))


_BY_ORDER = ("layers are paired with steps in order, so pairs after the gap may be off by one "
             "(the image does not say where the gap is)")


def prefix_peer(image: Image, peers: Sequence[Image]) -> Image | None:
    """The peer with the longest history that is a proper prefix of this image's, whose
    layers are a prefix of this image's layers too."""
    mine = image.history or ()
    digests = [layer.digest or layer.diff_id for layer in image.layers]
    best: Image | None = None
    for other in peers:
        theirs = other.history or ()
        if other is image or not theirs or len(theirs) >= len(mine) or \
                tuple(mine[: len(theirs)]) != tuple(theirs):
            continue
        if [layer.digest or layer.diff_id for layer in other.layers] != \
                digests[: len(other.layers)] or None in digests[: len(other.layers)]:
            continue
        if best is None or len(theirs) > len(best.history or ()):
            best = other
    return best


def time_kind(created: str | None) -> str:
    """`absent`, `zero` (0001-01-01), `epoch` (1970/1980 reproducible-build stamps) or `date`."""
    if not created:
        return "absent"
    if created.startswith(ZERO_TIME_PREFIX):
        return "zero"
    if created.startswith(EPOCH_PREFIXES):
        return "epoch"
    return "date"
