"""`ocihist provenance PATH`: what the attestations attached to each image say.

Schema `ocihist/provenance/v1` (`--json`):
    {"schema", "images": [{"ref", "manifest_digest", "platform": PLATFORM (as in show --json),
      "provenance": [{"predicate_type", "slsa_version", "signature" ("unsigned" | "signature
                      present, not verified"), "builder_id", "build_type", "started",
                      "finished", "frontend", "build_args": {name: value}, "vcs": {key: value},
                      "mode" ("min" | "max"), "materials": [{"uri", "digest"}],
                      "dockerfile" (the recorded text, or null), "note"}],
      "warnings": [FINDING]}]}
Absent facts are null. The same input gives byte-identical output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from ocihist.cli import output
from ocihist.cli.show import JSON_HELP, PATH_HELP, PLATFORM_HELP, REF_HELP, partial_result_code

if TYPE_CHECKING:  # typer resolves the annotations when the command is registered
    import typer


def _provenance_doc(p: Any) -> dict[str, Any]:
    return {
        "predicate_type": p.predicate_type, "slsa_version": p.slsa_version,
        "signature": p.signature, "builder_id": p.builder_id, "build_type": p.build_type,
        "started": p.started, "finished": p.finished, "frontend": p.frontend,
        "build_args": dict(p.build_args), "vcs": dict(p.vcs), "mode": p.mode,
        "materials": [{"uri": m.uri, "digest": m.digest} for m in p.materials],
        "dockerfile": p.dockerfile.text if p.dockerfile is not None else None,
        "note": p.source_note,
    }


def _text(doc: dict[str, Any]) -> str:
    from ocihist.render.table import lines_text

    lines = []
    for image in doc["images"]:
        lines.append(f"== {image['ref'] or '(no name)'}  {image['platform']}  "
                     f"{image['manifest_digest']}")
        if not image["provenance"]:
            lines.append("   no provenance attestation found")
        for p in image["provenance"]:
            lines.append(f"   {p['predicate_type']} ({p['signature']})")
            for key in ("builder_id", "frontend", "started", "finished", "mode"):
                if p[key]:
                    lines.append(f"   {key:<11}{p[key]}")
            for key, value in sorted(p["build_args"].items()):
                lines.append(f"   build-arg  {key}={value}")
            for key, value in sorted(p["vcs"].items()):
                lines.append(f"   vcs        {key}: {value}")
            for material in p["materials"]:
                digest = material["digest"] or ""
                shown = material["uri"] if digest in material["uri"] else \
                    f"{material['uri']} {digest}"
                lines.append(f"   material   {shown}".rstrip())
            lines.append(f"   dockerfile {p['note']}")
        lines.extend(f"   warning: {w['message']}" for w in image["warnings"])
    return lines_text(lines) + "\n"


def provenance(
    path: Annotated[str, typer.Argument(metavar="PATH", help=PATH_HELP, show_default=False)],
    platform: Annotated[str | None, typer.Option(metavar="OS/ARCH[/VARIANT]",
                                                 help=PLATFORM_HELP)] = None,
    ref: Annotated[str | None, typer.Option(metavar="TAG|DIGEST", help=REF_HELP)] = None,
    json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> int:
    """SLSA build provenance attached to each image.

    Signatures are reported as present or absent; they are not verified. Exits 1 when an
    image shown is damaged or lacks its config."""
    from ocihist import api
    from ocihist.analyze.origin import provenance_for
    from ocihist.render.json import dumps, findings_json, platform_json

    inventory = api.open_input(path)
    images = []
    selected = api.select_images(inventory, platform=platform, ref=ref)
    for image in selected:
        found, findings = provenance_for(inventory, image)
        errors = [f for f in image.findings if f.severity == "error"]  # (damaged, no config)
        images.append({"ref": image.ref, "manifest_digest": str(image.manifest_digest),
                       "platform": platform_json(image.platform) if json
                       else str(image.platform or "?"),
                       "provenance": [_provenance_doc(p) for p in found],
                       "warnings": findings_json((*errors, *findings))})
    doc = {"schema": "ocihist/provenance/v1", "images": images}
    if json:
        output.write(dumps(doc))
    else:
        output.write(_text(doc))
    return partial_result_code(selected, inventory.findings)
