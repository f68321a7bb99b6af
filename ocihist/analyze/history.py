"""History ↔ layer alignment: which build step made which layer.

Each history entry without `empty_layer: true` takes the next layer, in order. Emptiness
is never inferred from a size. Mismatches become findings; every layer is still listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ocihist.model.config import HistoryEntry
from ocihist.model.findings import Finding
from ocihist.model.image import Image, Layer

ZERO_TIME_PREFIX = "0001-01-01"
EPOCH_PREFIXES = ("1970-01-01T00:00:00", "1980-01-01T00:00:00")


@dataclass(frozen=True, slots=True)
class Step:
    index: int
    entry: HistoryEntry
    layer: Layer | None


@dataclass(frozen=True, slots=True)
class Alignment:
    steps: tuple[Step, ...]
    unattributed: tuple[Layer, ...]
    findings: tuple[Finding, ...]


def align(image: Image) -> Alignment:
    """Pair each history step with the layer it made."""
    findings: list[Finding] = []
    layers = list(image.layers)
    steps: list[Step] = []
    history = image.history or ()
    config_absent = image.config is None and image.manifest_digest is not None
    if image.history is None and not image.missing and not config_absent:
        # (an absent config is reported where it was noticed, not as "no history")
        findings.append(Finding("no-history", "the image records no history", image.where))
    next_layer = 0
    short_steps = []
    for i, entry in enumerate(history):
        if entry.empty_layer:
            steps.append(Step(i, entry, None))
        elif next_layer < len(layers):
            steps.append(Step(i, entry, layers[next_layer]))
            next_layer += 1
        else:
            steps.append(Step(i, entry, None))
            short_steps.append(i)
    if short_steps:
        findings.append(Finding("history-longer", f"{len(short_steps)} history step(s) "
                                "record a layer but the image has no layer left for them "
                                f"(steps {', '.join(map(str, short_steps))})", image.where))
    unattributed = tuple(layers[next_layer:])
    if unattributed and image.history is not None:
        findings.append(Finding("history-shorter", f"{len(unattributed)} layer(s) have no "
                                "history step (listed as unattributed)", image.where))
    diff_ids = image.config.diff_ids if image.config is not None else None
    if diff_ids is not None and len(diff_ids) != len(layers):
        findings.append(Finding("diff-ids-mismatch", f"config lists {len(diff_ids)} diff_ids "
                                f"but the manifest {len(layers)} layers", image.where))
    return Alignment(tuple(steps), unattributed, tuple(findings))


def time_kind(created: str | None) -> str:
    """`absent`, `zero` (0001-01-01), `epoch` (1970/1980 reproducible-build stamps) or `date`."""
    if not created:
        return "absent"
    if created.startswith(ZERO_TIME_PREFIX):
        return "zero"
    if created.startswith(EPOCH_PREFIXES):
        return "epoch"
    return "date"
