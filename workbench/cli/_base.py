"""Shared CLI plumbing: the main group, opening projects, output formats, errors.

The CLI is a thin layer: open the project, call one facade method, format the result.
Exit codes: 0 success, 1 user error (one line on stderr naming file/line/position),
2 usage error (click).
"""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from workbench.domain import WorkbenchError
from workbench.ingest.model import ImportFileError

FORMATS = ("table", "csv", "json")


class UserError(click.ClickException):
    exit_code = 1

    def show(self, file=None):
        click.echo(f"workbench: {self.format_message()}", err=True)


def handle_errors(fn):
    """Turn domain errors into exit code 1 with a clear message (never a traceback)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (WorkbenchError, ImportFileError) as exc:
            raise UserError(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("workbench: interrupted", err=True)
            sys.exit(130)
    return wrapper


def open_project(path: str, coder: str | None = None):
    from workbench.project import Project
    p = Path(path)
    if not p.exists():
        raise UserError(f"{path}: no such project file (create it with: workbench init {path})")
    project = Project.open(p, coder=coder)
    # an export of a project that is not pseudonymised says so, on stderr
    project.on_warning = lambda message: click.echo(f"workbench: {message}", err=True)
    return project


def format_option(fn):
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                        show_default=True, help="Output format.")(fn)


def coder_option(fn):
    return click.option("--coder", default=None, envvar="WORKBENCH_CODER",
                        help="Coder name recorded with changes (default: $WORKBENCH_CODER or the login name).")(fn)


def emit(df, fmt: str, *, out=None) -> None:
    """Write a DataFrame (or list of dicts) as table, csv or json to stdout."""
    import pandas as pd
    if not isinstance(df, pd.DataFrame):
        df = pd.DataFrame(df)
    stream = out or sys.stdout
    if fmt == "csv":
        df.to_csv(stream, index=False, lineterminator="\n")
    elif fmt == "json":
        records = json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))
        stream.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    else:
        if df.empty:
            stream.write("(no rows)\n")
            return
        with pd.option_context("display.max_rows", None, "display.max_columns", None,
                               "display.width", 200, "display.max_colwidth", 60):
            stream.write(df.to_string(index=False) + "\n")


class Progress:
    """A progress callback drawing a one-line bar on stderr (only on a terminal)."""

    def __init__(self, label: str):
        self.label = label
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, total: int, item: str = "") -> None:
        if not self.tty:
            return
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r{self.label} [{bar}] {done}/{total} {item[:30]:<30}")
        if total and done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="workbench")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Workbench: code interview transcripts against evaluation questions, offline.

    With no command, opens the demo project (built on first run).
    """
    if ctx.invoked_subcommand is None:
        from workbench.cli.app import open_demo
        open_demo()
