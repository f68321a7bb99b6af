"""Plain-text tables for `show` and `ls`, oldest step first like a Dockerfile.

Plain columns (not a terminal widget) so that output is the same on a terminal, in a
pipe and in a log, and so that `show` starts fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ocihist.analyze.history import Peers, align, time_kind
from ocihist.analyze.text import flat
from ocihist.model import mediatypes as mt
from ocihist.model.findings import Finding
from ocihist.model.image import Image, Layer
from ocihist.sources.base import Inventory, is_damaged

if TYPE_CHECKING:
    from ocihist.analyze.origin import DockerfileView

TRUNCATE_AT = 60


def lines_text(lines: Iterable[str]) -> str:
    """Lines, each kept on one line (see `flat`)."""
    return "\n".join(flat(line) for line in lines)


def columns(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Left-aligned columns two spaces apart; the last column is never padded."""
    table = [[flat(cell) for cell in row] for row in (header, *rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = []
    for row in table:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def human_size(size: int | None) -> str:
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{size}B" if unit == "B" else f"{value:.3g}{unit}"
        value /= 1000
    raise AssertionError("unreachable")


def show_time(created: str | None, *, truncate: bool) -> str:
    kind = time_kind(created)
    if created is None or kind == "absent":
        return "(not recorded)"
    text = created[:19] + "Z" if truncate and len(created) > 20 and created[10:11] == "T" \
        else created
    return f"{text} ({kind})" if kind in ("zero", "epoch", "invalid") else text


def one_line(text: str | None, truncate: bool) -> str:
    if text is None:
        return ""
    if not truncate:
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    flat = " ".join(text.split())
    return flat if len(flat) <= TRUNCATE_AT else flat[: TRUNCATE_AT - 3] + "..."


def _layer_cell(layer: Layer | None) -> str:
    if layer is None:
        return "-"
    return human_size(layer.size if layer.size is not None else layer.uncompressed_size)


def _layer_id(layer: Layer | None) -> str:
    """The layer's digest, else its diff_id, shortened; `-` for a step without a layer."""
    if layer is None:
        return "-"
    if layer.digest is not None:
        return layer.digest.short
    return layer.diff_id[:19] if layer.diff_id else "?"


def image_header(image: Image) -> str:
    lines = [f"== {image.ref or '(no name)'}  {image.platform or 'platform unknown'}"]
    if image.manifest_digest is not None:
        lines.append(f"   manifest {image.manifest_digest}")
    if image.config_digest is not None:
        lines.append(f"   config   {image.config_digest}")
    others = [n for n in image.names if n != image.ref]
    if others:
        lines.append(f"   names    {', '.join(others)}")
    pulled = image.entry_annotations
    if mt.ANNOTATION_SOURCE_REFERENCE in pulled:
        lines.append(f"   pulled   {pulled[mt.ANNOTATION_SOURCE_REFERENCE]} from "
                     f"{pulled.get(mt.ANNOTATION_SOURCE_REGISTRY, '?')} at "
                     f"{pulled.get(mt.ANNOTATION_SOURCE_PULLED, '?')}")
    return lines_text(lines)


def findings_text(findings: Iterable[Finding]) -> str:
    return lines_text(f"{f.severity}: {f}" for f in findings if f.severity != "info")


def image_table(image: Image, peers: Peers | None = None, *, truncate: bool = True) -> str:
    if image.missing:
        return image_header(image) + "\nmissing: the manifest is listed but its blob is not " \
                                      "in this input"
    alignment = peers.alignment(image) if peers is not None else align(image)
    rows = [(str(step.index), show_time(step.entry.created, truncate=truncate),
             _layer_id(step.layer), _layer_cell(step.layer),
             one_line(step.entry.comment, truncate), one_line(step.entry.created_by, truncate))
            for step in alignment.steps]
    unknown = image.history is None
    rows += [("-", "", _layer_id(layer), _layer_cell(layer), "unattributed",
              f"(layer {layer.index}: history unknown)" if unknown
              else f"(layer {layer.index}: no history step left for it)")
             for layer in alignment.unattributed]
    parts = [image_header(image),
             columns(("STEP", "CREATED", "LAYER", "SIZE", "COMMENT", "CREATED BY"), rows)]
    notes = findings_text((*image.findings, *alignment.findings))
    return "\n".join(p for p in (*parts, notes) if p)


def inventory_text(inventory: Inventory, images: list[Image], *, truncate: bool) -> str:
    peers = Peers(inventory.images)
    parts = [image_table(image, peers, truncate=truncate) for image in images]
    if inventory.artifacts:
        parts.append(f"({len(inventory.artifacts)} attached artifact(s) are not images: "
                     "see `ocihist ls`)")
    notes = findings_text(inventory.findings)
    return "\n\n".join(p for p in (*parts, notes) if p) + "\n"


def dockerfile_text(inventory: Inventory, images: Sequence[Image],
                    views: Sequence[DockerfileView], peers: Peers) -> str:
    """Each image's Dockerfile under comments naming the image, the Dockerfile's source and
    the warnings the table would show; the input's own warnings as comments at the end."""
    parts = []
    for image, view in zip(images, views, strict=True):
        header = f"# ocihist: {image.ref or '(no name)'} {image.platform or ''}".rstrip()
        found = (*image.findings, *peers.alignment(image).findings, *view.findings)
        parts.append("\n".join([lines_text([header, f"# source: {view.note}"]),
                                 *_commented(found), view.text.rstrip()]))
    parts.append("\n".join(_commented(inventory.findings)))
    return "\n\n".join(p for p in parts if p) + "\n"


def _commented(findings: Iterable[Finding]) -> list[str]:
    return [f"# {line}" for line in findings_text(findings).splitlines()]


def listing(inventory: Inventory) -> str:
    rows = []
    for entry in inventory.entries:
        if isinstance(entry, Image):
            kind = "missing" if entry.missing else "damaged" if is_damaged(entry) else "image"
            steps = "-" if entry.history is None else str(len(entry.history))
            rows.append((kind, entry.ref or "-", str(entry.platform or "?"),
                         str(entry.manifest_digest or entry.config_digest or "-"), steps,
                         "-" if entry.missing else str(len(entry.layers)), entry.where))
        else:
            rows.append(("artifact", entry.ref or "-", str(entry.platform or "-"),
                         str(entry.digest or "-"), "-", str(len(entry.layers)),
                         f"{entry.where}: {entry.reason}"))
    header = ("KIND", "REF", "PLATFORM", "DIGEST", "STEPS", "LAYERS", "WHERE")
    return columns(header, rows) + "\n"
