"""Project-level commands: init, info, demo, open (the TUI)."""
from __future__ import annotations

import json
import sys

import click

from workbench.cli._base import (Progress, UserError, coder_option, format_option, emit,
                                 handle_errors, main, open_project, say)
from workbench.i18n import N_, _, colon, integer, located


#: What `workbench info` lists, with its labels.
INFO_LABELS = {"name": N_("Project"), "path": N_("File"), "documents": N_("Documents"),
               "segments": N_("Turns"), "words": N_("Words"), "participants": N_("Participants"),
               "linked_participants": N_("Participants linked to a document"),
               "attributes": N_("Attributes"), "codes": N_("Codes"), "codings": N_("Codings"),
               "coders": N_("Coders"), "memos": N_("Memos"),
               "evaluation_questions": N_("Evaluation questions"),
               "uncoded_documents": N_("Uncoded documents"), "schema": N_("Schema version")}


def _launch_tui(path) -> None:
    try:
        from workbench.tui import run_tui
    except ImportError:
        run_tui = None
    if run_tui is None or not sys.stdout.isatty():
        with open_project(str(path)) as project:
            _print_info(project.info(), "table")
        if run_tui is None:
            click.echo(_("(the terminal interface is not available in this build)"), err=True)
        return
    run_tui(path)


def open_demo() -> None:
    from workbench.public import ensure_demo
    try:
        path = ensure_demo(progress=Progress(N_("Building the demo project")))
    except Exception as exc:  # a broken demo build must say why, not trace back
        raise UserError(str(exc)) from None
    _launch_tui(path)


def _print_info(info: dict, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    rows = [(k, v) for k, v in info.items() if k != "by_programme"]
    if fmt == "csv":
        emit([{"key": k, "value": v} for k, v in rows], "csv")
        return
    labels = [_(INFO_LABELS.get(k, k.replace("_", " "))) for k, _v in rows]
    width = max(len(label) for label in labels)
    for label, (_k, v) in zip(labels, rows):
        shown = integer(v) if isinstance(v, int) and not isinstance(v, bool) else v
        click.echo(f"{label:<{width}}  {shown}")           # French: 56 004 mots
    if info.get("by_programme"):
        click.echo("\n" + colon(_("Documents by programme and actor type")))
        click.echo(_plain_table(info["by_programme"]))


def _plain_table(rows: list[dict]) -> str:
    """Columns right-aligned under their names, as pandas prints them (without loading
    pandas: `info` is a read command that must start fast)."""
    names = list(rows[0])
    # pandas gives a number column one more space (for a sign)
    pad = [" " if all(isinstance(r.get(n), (int, float)) for r in rows) else "" for n in names]
    cells = [[p + str(r.get(n, "")) for n, p in zip(names, pad)] for r in rows]
    heads = [p + n for n, p in zip(names, pad)]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]
    lines = [" ".join(h.rjust(w) for h, w in zip(heads, widths))]
    lines += [" ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


@main.command("check")
@click.argument("project")
@click.option("--repair", is_flag=True,
              help="Rebuild the project from its rows into a fresh file (the damaged file "
                   "is kept beside it).")
@handle_errors
def check_cmd(project, repair):
    """Check the whole project file for damage (and repair what can be rebuilt).

    Exit status 1 if damage remains.

    Example: workbench check evaluation.wbproj --repair
    """
    from pathlib import Path

    from workbench.i18n import _
    from workbench.project import Project
    if not Path(project).exists():
        raise UserError(_("{path}: no such project file").format(path=project))
    if repair:
        kept, problems = Project.repair(project)
    else:
        with Project.open(project, check=False) as p:
            problems = p.check()
    if problems:
        for line in problems:
            say(located(project, line))
        raise UserError(_("{path}: the project file is damaged; restore it from a backup "
                          "(sqlite3's .recover command can save what is readable)")
                        .format(path=project))
    if repair:
        click.echo(_("{path}: rebuilt, no damage left (the damaged file is kept as {kept})")
                   .format(path=project, kept=kept))
    else:
        click.echo(_("{path}: no damage found").format(path=project))


@main.command("init")
@click.argument("project")
@click.option("--name", help="Project name (default: the file name).")
@coder_option
@handle_errors
def init_cmd(project, name, coder):
    """Create an empty project file.

    Example: workbench init evaluation.wbproj
    """
    from workbench.project import Project
    with Project.create(project, name=name, coder=coder) as p:
        click.echo(_("Project created: {path}").format(path=p.path))


@main.command("info")
@click.argument("project")
@format_option
@handle_errors
def info_cmd(project, fmt):
    """Counts: documents, segments, participants, codes, codings...

    Example: workbench info evaluation.wbproj --format json
    """
    with open_project(project) as p:
        _print_info(p.info(), fmt)


@main.command("demo")
@click.argument("project", required=False)
@click.option("--replace", is_flag=True, help="Rebuild even if the project file exists.")
@handle_errors
def demo_cmd(project, replace):
    """Build the demo project from corpora/demo (default: the user's data folder).

    Example: workbench demo /tmp/demo.wbproj --replace
    """
    from workbench.public import build_demo
    path = build_demo(project, replace=replace, progress=Progress(N_("Importing")))
    click.echo(_("Demo project built: {path}").format(path=path))
    with open_project(str(path)) as p:
        _print_info(p.info(), "table")


@main.command("open")
@click.argument("project")
@handle_errors
def open_cmd(project):
    """Open the terminal interface on a project.

    Example: workbench open evaluation.wbproj
    """
    with open_project(project):
        pass
    _launch_tui(project)
