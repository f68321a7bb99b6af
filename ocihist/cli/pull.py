"""`ocihist pull`: options → ocihist.pull.pull → a summary (text or JSON)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from ocihist.cli import output
from ocihist.errors import UsageError


def register(app: typer.Typer) -> None:
    """Add the `pull` command to `app`."""
    app.command("pull", short_help="Mirror image metadata into an OCI layout.",
                help="Mirror image metadata (index, manifests, configs, attestations, "
                     "referrers; layers with --layers) from registries into an OCI layout "
                     "that `ocihist show` reads offline.")(pull_command)


def pull_command(
    refs: Annotated[list[str] | None, typer.Argument(
        metavar="REF...", help="Image references: name[:tag][@digest], as docker reads them.",
        show_default=False)] = None,
    file: Annotated[str | None, typer.Option(
        "-f", "--file", metavar="FILE", help="Also the references in FILE, one a line "
                                             "('-' for stdin).")] = None,
    dest: Annotated[str, typer.Option(
        "--dest", "-d", metavar="DIR", help="The OCI layout to write (created if absent; "
                                            "re-running adds and updates entries).")] = ...,
    all_tags: Annotated[bool, typer.Option("--all-tags", help="Every tag of each "
                                           "repository.")] = False,
    platform: Annotated[list[str] | None, typer.Option(
        "--platform", metavar="OS/ARCH[/VARIANT]", help="Only these platforms of an index "
                                                         "(repeatable).")] = None,
    layers: Annotated[bool, typer.Option("--layers", help="Also fetch layer blobs "
                                         "(resumable).")] = False,
    username: Annotated[str | None, typer.Option("--username", "-u", metavar="USER",
                                                 help="With --password-stdin.")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password "
                                                 "from stdin.")] = False,
    insecure: Annotated[bool, typer.Option("--insecure", help="Plain HTTP to a registry that "
                                           "is not on loopback.")] = False,
    ca_cert: Annotated[str | None, typer.Option("--ca-cert", metavar="FILE",
                                                help="PEM CA bundle for TLS.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    from ocihist.pull import pull, read_ref_file

    all_refs = list(refs or [])
    if file:
        if file == "-" and password_stdin:
            raise UsageError("-f - and --password-stdin both want stdin")
        all_refs += read_ref_file(file)
    if not all_refs:
        raise UsageError("give at least one image reference (or -f FILE)")
    password = None
    if password_stdin:
        if username is None:
            raise UsageError("--password-stdin needs --username")
        password = sys.stdin.readline().rstrip("\r\n")
    with _progress(not as_json and sys.stderr.isatty()) as progress:
        result = pull(all_refs, dest, platforms=platform, layers=layers, all_tags=all_tags,
                      username=username, password=password, insecure=insecure,
                      ca_cert=ca_cert, progress=progress)
    if as_json:
        import orjson

        output.write(orjson.dumps(result.to_json(), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        for item in result.pulled:
            extra = f", {item.layers} layers fetched" if layers else ""
            output.write(f"{item.ref} {item.digest} ({item.manifests} manifests, "
                         f"{item.blobs} blobs fetched{extra}, {item.referrers} referrers)\n")
    if not result.pulled and len(result.errors) == 1:
        raise result.errors[0]  # the whole job failed for one reason: its own exit code
    for ref, cause in result.failed:
        output.error_line(f"{ref}: {cause}")
    for item in result.pulled:
        for cause in item.failures:
            output.error_line(f"{item.ref}: {cause}")
    if not result.ok:
        raise typer.Exit(1)  # finished, but part of it failed


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, str], None] | None]:
    """A rich status line on a terminal; nothing otherwise."""
    if not enabled:
        yield None
        return
    from rich.console import Console

    counts: dict[str, int] = {}
    with Console(stderr=True).status("pulling…") as status:
        def update(event: str, detail: str) -> None:
            counts[event] = counts.get(event, 0) + 1
            status.update(" · ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                          + f" · {detail}")
        yield update
