"""The `posecheck` command line: the group every command joins, and its one-line errors."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click

from posecheck import __version__
from posecheck.commands.batch import batch_cmd
from posecheck.commands.config import config_cmd
from posecheck.commands.exercises import exercises_cmd
from posecheck.commands.history import history_cmd
from posecheck.commands.live import live_cmd
from posecheck.commands.report import report_cmd
from posecheck.commands.review import review_cmd
from posecheck.commands.synth import synth_cmd
from posecheck.commands.target import target_cmd
from posecheck.errors import PosecheckError


def _fail(message: str, code: int) -> None:
    click.echo(f"posecheck: error: {message}", err=True)
    sys.exit(code)


@contextmanager
def _signals_as_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP (a service manager, a closed terminal, a batch scheduler) end the run
    as Ctrl-C does: what was done so far is kept and written. The first one interrupts; any
    later one is ignored, so the outputs can still be finished."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    seen = False

    def interrupt(signum, frame) -> None:
        nonlocal seen
        if not seen:
            seen = True
            raise KeyboardInterrupt

    wanted = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    # a signal already ignored (nohup) stays ignored
    before = {sig: signal.signal(sig, interrupt) for sig in wanted if signal.getsignal(sig) is signal.SIG_DFL}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


class _Group(click.Group):
    """Turns every expected failure into one line on stderr and a non-zero exit."""

    def invoke(self, ctx: click.Context):
        try:
            with _signals_as_interrupt():
                return super().invoke(ctx)
        except PosecheckError as e:
            _fail(str(e), e.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except BrokenPipeError:
            # the reader went away (`posecheck exercises | head`): not an error
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as e:  # a bug: still one line, with the way to see more
            if ctx.obj and ctx.obj.get("verbose"):
                raise
            _fail(f"internal error: {type(e).__name__}: {e} (run with --verbose for details)", 1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="posecheck")
@click.option("--verbose", is_flag=True, help="Show the pose library's own log output and full error details.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Coach the Mayo Clinic back exercises from a camera or a recorded video."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    if not verbose:
        from posecheck.pose.model import silence_native_logs

        silence_native_logs()


# Every command, one module each under posecheck/commands/ (add yours here).
for command in (exercises_cmd, review_cmd, batch_cmd, live_cmd, history_cmd, target_cmd, report_cmd, config_cmd):
    cli.add_command(command)
cli.add_command(synth_cmd, "synth")


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="posecheck")


if __name__ == "__main__":
    main()
