"""`ocihist ls PATH`: the images and artifacts in an input, one line each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from ocihist.cli import output
from ocihist.cli.show import JSON_HELP, PATH_HELP

if TYPE_CHECKING:  # typer resolves the annotations when the command is registered
    import typer


def ls(
    path: Annotated[str, typer.Argument(metavar="PATH", help=PATH_HELP, show_default=False)],
    json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """The images and attached artifacts, one per line."""
    from ocihist import api

    inventory = api.open_input(path)
    if json:
        from ocihist.render.json import dumps, inventory_json

        output.write(dumps(inventory_json(inventory)))
        return
    from ocihist.render.table import listing

    output.write(listing(inventory))
