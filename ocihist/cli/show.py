"""`ocihist show PATH`: the build history of every image in an input."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from ocihist.cli import output
from ocihist.errors import UsageError

if TYPE_CHECKING:  # typer resolves the annotations when the command is registered
    from collections.abc import Sequence

    import typer

    from ocihist.model.findings import Finding
    from ocihist.model.image import Image

PATH_HELP = ("Layout folder, archive (plain, gzip, zstd, xz), JSON document, or - for stdin.")
PLATFORM_HELP = "Only images of this platform."
REF_HELP = "Only the image with this tag, name, or digest (or a prefix of 8+ hex digits)."
JSON_HELP = "Print the stable JSON schema."


def show(
    path: Annotated[str, typer.Argument(metavar="PATH", help=PATH_HELP, show_default=False)],
    config: Annotated[str | None, typer.Option(
        metavar="FILE", help="The config blob that goes with a bare manifest.")] = None,
    platform: Annotated[str | None, typer.Option(metavar="OS/ARCH[/VARIANT]",
                                                 help=PLATFORM_HELP)] = None,
    ref: Annotated[str | None, typer.Option(metavar="TAG|DIGEST", help=REF_HELP)] = None,
    json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    no_trunc: Annotated[bool, typer.Option("--no-trunc", help="Do not shorten commands.")]
    = False,
    dockerfile: Annotated[bool, typer.Option(
        "--dockerfile", help="Print the Dockerfile instead: the one recorded in provenance "
                             "when present, else one reconstructed from history. With --json, "
                             "a `dockerfile` field is added to each image.")] = False,
    annotate: Annotated[bool, typer.Option(
        "--annotate", help="With --dockerfile: say which step and layer each line made.")]
    = False,
) -> int:
    """Every build step, its layer, size and time.

    Exits 1 when an image's history could not be read (its config is not in the input)."""
    if annotate and not dockerfile:
        raise UsageError("--annotate goes with --dockerfile")
    from ocihist import api

    inventory = api.open_input(path, config=config)
    images = api.select_images(inventory, platform=platform, ref=ref)
    views = None
    if dockerfile:
        from ocihist.analyze.history import Peers
        from ocihist.analyze.origin import dockerfile_for

        peers = Peers(inventory.images)
        views = [dockerfile_for(inventory, image, annotate=annotate, peers=peers)
                 for image in images]
    if json:
        from ocihist.render.json import dumps, inventory_json

        output.write(dumps(inventory_json(inventory, images, dockerfiles=views)))
        return partial_result_code(images, inventory.findings)
    if views is not None:
        from ocihist.render.table import dockerfile_text

        output.write(dockerfile_text(inventory, images, views, peers))
        return partial_result_code(images, inventory.findings)
    from ocihist.render.table import inventory_text

    output.write(inventory_text(inventory, images, truncate=not no_trunc))
    return partial_result_code(images, inventory.findings)


def partial_result_code(images: list[Image], inventory_findings: Sequence[Finding] = ()) -> int:
    """1 (finished, part failed) when a shown image carries an error finding or every one is
    missing, said in one line on stderr too; else 0."""
    errors = [f for image in images for f in image.findings if f.severity == "error"]
    errors += [f for f in inventory_findings if f.severity == "error"]
    if all(image.missing for image in images):
        output.error_line(f"error: none of the {len(images)} image(s) listed has its manifest "
                          "in this input, so no history is known")
        return 1
    if not errors:
        return 0
    more = f" (and {len(errors) - 1} more error(s))" if len(errors) > 1 else ""
    output.error_line(f"error: {errors[0]}{more}")
    return 1

