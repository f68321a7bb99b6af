"""The CLI: plain offline command lines run directly (cli/plain.py), all others through
the typer application built here; one error → exit-code handler for both.

Exit codes: 0 success; 1 finished but part failed; 2 bad input or usage; 3 registry;
4 layout; 70 an internal error (a bug); 130 interrupted.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import cache
from typing import TYPE_CHECKING

from ocihist.cli import output
from ocihist.cli.plain import OFFLINE_COMMANDS, command_function, plain_call
from ocihist.errors import OcihistError

if TYPE_CHECKING:
    import typer

EXIT_BUG = 70
EXIT_INTERRUPTED = 130
HELP = ("Container image build history, offline: every step, its layer, and where each fact "
        "came from.")


@cache
def typer_app() -> typer.Typer:
    """The typer application with every command (built once, on first need)."""
    import typer

    from ocihist.cli import pull

    app = typer.Typer(name="ocihist", add_completion=False, no_args_is_help=True,
                      pretty_exceptions_enable=False, rich_markup_mode=None, help=HELP,
                      context_settings={"help_option_names": ["-h", "--help"]})

    def version(value: bool) -> None:
        if value:
            from ocihist import __version__

            sys.stdout.write(f"ocihist {__version__}\n")
            raise typer.Exit()

    @app.callback(help=HELP)
    def options(
        _version: bool = typer.Option(False, "--version", callback=version, is_eager=True,
                                      help="Print the version and exit."),
    ) -> None:
        pass

    for name in OFFLINE_COMMANDS:
        function = command_function(name)
        function.__globals__["typer"] = typer  # its annotations name typer: resolved now
        app.command(name)(function)
    pull.register(app)
    return app


def _fail(message: str, code: int) -> int:
    output.error_line(message)
    return code


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI on `argv` and return the exit code (tests call this in-process)."""
    args = list(sys.argv[1:] if argv is None else argv)
    with _interrupted_once():
        try:
            plain = plain_call(args)
            if plain is None:
                code = _run_typer(args)
            else:
                function, values = plain
                _import_orjson()
                result = function(**values)
                code = result if isinstance(result, int) else 0
            output.flush()
            return code
        except OcihistError as error:
            return _fail(f"error: {error}", error.exit_code)
        except KeyboardInterrupt:
            return _fail("interrupted", EXIT_INTERRUPTED)
        except BrokenPipeError:
            sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the reader left; say nothing
            return 0
        except Exception as error:
            if os.environ.get("OCIHIST_DEBUG"):
                raise
            return _fail(f"internal error: {type(error).__name__}: {error} (a bug in ocihist; "
                         "set OCIHIST_DEBUG=1 for the traceback)", EXIT_BUG)


def _run_typer(args: list[str]) -> int:
    """Parse `args` with typer and run the command. Only typer's own outcomes (help, usage
    errors, --version) are handled here; everything else reaches run() as on the plain path."""
    import typer
    from typer.exceptions import Abort, Exit, TyperException

    command = typer.main.get_command(typer_app())
    try:
        with output.writing(), command.make_context("ocihist", args) as context:
            _import_orjson()  # (typer writes help and --version text to stdout itself)
            code = command.invoke(context)
    except Exit as done:
        return done.exit_code
    except TyperException as error:  # typer's own copy of click's usage errors
        message = error.format_message()  # type: ignore[attr-defined]
        if type(error).__name__ == "NoArgsIsHelpError":
            output.write(message + "\n")
            return 0
        first_line = message.strip().splitlines()[0] if message.strip() else "bad usage"
        return _fail(f"usage: {first_line} (see --help)", 2)
    except Abort:
        return _fail("interrupted", EXIT_INTERRUPTED)
    return code if isinstance(code, int) else 0


def _import_orjson() -> None:
    """Import orjson with Ctrl-C held back. A SIGINT that lands while orjson initialises
    crashes the interpreter (SIGSEGV) instead of raising KeyboardInterrupt; held back, it
    arrives right after, as one."""
    if "orjson" in sys.modules:
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        import orjson  # noqa: F401
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


@contextmanager
def _interrupted_once() -> Iterator[None]:
    """The first Ctrl-C raises KeyboardInterrupt; more presses while ocihist winds down (and
    exits) are ignored, so that one line and exit code 130 still come out. Only where Python's own
    handler is in place (not under a test runner's or an embedding program's)."""
    fired = []

    def interrupt(signum: int, frame: object) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        fired.append(signum)
        raise KeyboardInterrupt

    installed = False
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        try:
            signal.signal(signal.SIGINT, interrupt)
            installed = True
        except ValueError:  # not the main thread: signals are not ours to handle
            pass
    try:
        yield
    finally:
        if installed and not fired:  # once fired, later presses stay ignored until exit
            signal.signal(signal.SIGINT, signal.default_int_handler)


def main() -> None:
    """Console-script entry point. Once its output is flushed the process ends at once:
    tearing the interpreter down (freeing every module and object) adds about 9 ms here, more
    than `show` takes to read an archive, and there is nothing left for it to do (ocihist
    registers no exit handlers; every command closes its own files)."""
    code = run()  # (stdout is flushed there, so that a failed write is reported)
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError, AttributeError):  # the reader left, or closed
            stream.flush()
    os._exit(code)
